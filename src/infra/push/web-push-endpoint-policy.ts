import { isIP } from 'node:net';

/**
 * Which URLs a Web Push subscription's `endpoint` may name. The server POSTs to that URL on the
 * user's behalf, so an open endpoint would let any user aim the push job at loopback, private or
 * metadata addresses (SSRF). Only the browsers' push services are allowed (WEB_PUSH_ALLOWED_HOSTS).
 *
 * A pattern is `host`, `*.domain` (any subdomain of domain, not domain itself), optionally with
 * `:port` and an `http://` or `https://` prefix (default https on 443). Outside production a pattern
 * may also name an IP literal, a port or plain http (local test push services); production refuses
 * such patterns at startup, and no default pattern admits them.
 */
export interface AllowedPushHost {
  protocol: 'https:' | 'http:';
  /** Lower-case host name (IPv6 literals in brackets); for a wildcard, the domain after `*.`. */
  host: string;
  wildcard: boolean;
  /** '' for the protocol's default port (443 for https). */
  port: string;
}

/** The push services of Chrome/Edge-on-Chromium/Opera/Samsung (FCM), Firefox, Safari and legacy Edge. */
export const DEFAULT_WEB_PUSH_ALLOWED_HOSTS: readonly string[] = [
  'fcm.googleapis.com',
  'android.googleapis.com',
  'updates.push.services.mozilla.com',
  '*.push.services.mozilla.com',
  '*.push.apple.com',
  '*.notify.windows.com',
];

const isIpLiteral = (hostname: string) => hostname.startsWith('[') || isIP(hostname) !== 0;

/** Parses one allow-list pattern; `production` refuses IP literals, ports other than 443 and http. */
export function parseAllowedPushHost(pattern: string, production: boolean): AllowedPushHost | { error: string } {
  const text = pattern.trim().toLowerCase();
  const refused = (why: string) => ({ error: `WEB_PUSH_ALLOWED_HOSTS entry "${pattern.trim()}" ${why}` });
  const scheme = /^(https?):\/\//.exec(text);
  const protocol = scheme?.[1] === 'http' ? 'http:' : 'https:';
  let rest = scheme ? text.slice(scheme[0].length) : text;
  const wildcard = rest.startsWith('*.');
  if (wildcard) rest = rest.slice(2);
  if (!rest || /[/?#@\\*]/.test(rest)) return refused('must be a host name, *.domain or host:port');
  let url: URL;
  try {
    url = new URL(`${protocol}//${rest}`);
  } catch {
    return refused('is not a valid host');
  }
  const host = url.hostname;
  if (wildcard && (isIpLiteral(host) || host.split('.').filter(Boolean).length < 2)) return refused('must have a domain of two labels or more after *.');
  if (production && protocol === 'http:') return refused('must not use http in production');
  if (production && isIpLiteral(host)) return refused('must not be an IP address in production');
  if (production && url.port !== '') return refused('must not name a port in production');
  return { protocol, host, wildcard, port: url.port };
}

/** Parses the whole list; every bad entry is reported. */
export function parseAllowedPushHosts(patterns: readonly string[], production: boolean): { hosts: AllowedPushHost[]; problems: string[] } {
  const hosts: AllowedPushHost[] = [];
  const problems: string[] = [];
  for (const pattern of patterns) {
    const parsed = parseAllowedPushHost(pattern, production);
    if ('error' in parsed) problems.push(parsed.error);
    else hosts.push(parsed);
  }
  return { hosts, problems };
}

/** The default allow-list, parsed. */
export const defaultAllowedPushHosts = (): AllowedPushHost[] => parseAllowedPushHosts(DEFAULT_WEB_PUSH_ALLOWED_HOSTS, true).hosts;

function matches(entry: AllowedPushHost, url: URL): boolean {
  if (entry.protocol !== url.protocol || entry.port !== url.port) return false;
  return entry.wildcard ? url.hostname.endsWith(`.${entry.host}`) : url.hostname === entry.host;
}

/**
 * Why `url` may not be a push endpoint, or undefined when an allow-list entry admits it. The
 * message never repeats the URL (its path is the subscription's secret).
 */
export function webPushEndpointProblem(url: URL, allowed: readonly AllowedPushHost[]): string | undefined {
  const notAllowed = 'endpoint is not on an allowed push service';
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return `${notAllowed} (https is required)`;
  if (url.username || url.password) return 'endpoint must not carry credentials';
  if (allowed.some((entry) => matches(entry, url))) return undefined;
  if (url.protocol !== 'https:') return `${notAllowed} (https is required)`;
  if (isIpLiteral(url.hostname)) return `${notAllowed} (IP addresses are refused)`;
  if (url.port !== '') return `${notAllowed} (no port other than 443)`;
  return `${notAllowed} (host not allow-listed)`;
}
