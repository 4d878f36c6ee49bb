/** A Sentry DSN taken apart: where envelopes go and the public key that authenticates them. */
export interface SentryDsn {
  publicKey: string;
  projectId: string;
  /** `<scheme>://<host>[:port][/path]/api/<projectId>/envelope/` */
  envelopeUrl: string;
  /** Scheme, host and port only: safe to log (no key). */
  origin: string;
}

/**
 * Parses `https://<publicKey>@<host>[:port][/path]/<projectId>` (the form every Sentry-compatible
 * service hands out; a legacy `:secret` after the key is accepted and ignored). Throws an Error
 * whose message never repeats the key.
 */
export function parseSentryDsn(dsn: string): SentryDsn {
  let url: URL;
  try {
    url = new URL(dsn.trim());
  } catch {
    throw new Error('SENTRY_DSN is not a valid URL');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new Error(`SENTRY_DSN must use https: or http: (got ${url.protocol})`);
  const publicKey = decodeURIComponent(url.username);
  if (!/^[A-Za-z0-9_-]+$/.test(publicKey)) throw new Error('SENTRY_DSN must name a public key before the host (https://<key>@host/<project>)');
  const segments = url.pathname.split('/').filter(Boolean);
  const projectId = segments.pop();
  if (!projectId || !/^\d+$/.test(projectId)) throw new Error('SENTRY_DSN must end with a numeric project id (https://<key>@host/<project>)');
  const prefix = segments.length > 0 ? `/${segments.join('/')}` : '';
  return {
    publicKey,
    projectId,
    envelopeUrl: `${url.protocol}//${url.host}${prefix}/api/${projectId}/envelope/`,
    origin: `${url.protocol}//${url.host}`,
  };
}
