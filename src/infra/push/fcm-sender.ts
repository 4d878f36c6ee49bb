import { createPrivateKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { importPKCS8, SignJWT, type CryptoKey } from 'jose';
import { networkFailure, retryAfterMs, type PushMessage, type PushOutcome, type PushSender } from './push-sender.js';

/** The fields of a Google service-account key file that FCM needs. */
export interface ServiceAccount {
  projectId: string;
  clientEmail: string;
  privateKey: string;
  privateKeyId: string | undefined;
  tokenUri: string;
}

const DEFAULT_TOKEN_URI = 'https://oauth2.googleapis.com/token';
const SCOPE = 'https://www.googleapis.com/auth/firebase.messaging';

/** Parses a service-account JSON; errors name the source and the missing field, never the content. */
export function parseServiceAccount(json: string, source: string): ServiceAccount {
  let value: Record<string, unknown>;
  try {
    value = JSON.parse(json) as Record<string, unknown>;
  } catch {
    throw new Error(`${source} is not valid JSON`);
  }
  const field = (name: string): string => {
    const v = value[name];
    if (typeof v !== 'string' || v.trim() === '') throw new Error(`${source} has no ${name} (expected a Google service-account key)`);
    return v;
  };
  const projectId = field('project_id');
  const clientEmail = field('client_email');
  const privateKey = field('private_key');
  try {
    createPrivateKey(privateKey);
  } catch {
    throw new Error(`${source} has a private_key that is not a PEM private key`);
  }
  return {
    projectId,
    clientEmail,
    privateKey,
    privateKeyId: typeof value.private_key_id === 'string' ? value.private_key_id : undefined,
    tokenUri: typeof value.token_uri === 'string' && value.token_uri ? value.token_uri : DEFAULT_TOKEN_URI,
  };
}

/** Reads the service account from FCM_CREDENTIALS_FILE or FCM_CREDENTIALS_JSON (config guarantees one). */
export function loadServiceAccount(source: { credentialsFile?: string | undefined; credentialsJson?: string | undefined }): ServiceAccount {
  if (source.credentialsJson) return parseServiceAccount(source.credentialsJson, 'FCM_CREDENTIALS_JSON');
  if (!source.credentialsFile) throw new Error('FCM credentials missing');
  let text: string;
  try {
    text = readFileSync(source.credentialsFile, 'utf8');
  } catch (err) {
    throw new Error(`FCM_CREDENTIALS_FILE cannot be read (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  return parseServiceAccount(text, 'FCM_CREDENTIALS_FILE');
}

export interface FcmSenderOptions {
  account: ServiceAccount;
  /** FCM API origin, default https://fcm.googleapis.com (tests point it at a local server). */
  apiBaseUrl: string;
  /** OAuth token endpoint; default the service account's token_uri. */
  oauthTokenUrl?: string | undefined;
  timeoutMs?: number;
  now?: () => number;
}

interface FcmErrorBody {
  error?: {
    status?: string;
    message?: string;
    details?: Array<{ '@type'?: string; errorCode?: string; fieldViolations?: Array<{ field?: string }> }>;
  };
}

/**
 * FCM HTTP v1 (`POST /v1/projects/{project}/messages:send`) for android and ios tokens. The OAuth 2
 * access token comes from the JWT-bearer grant (RFC 7523) signed RS256 with the service account's
 * key, and is cached until a minute before it expires; concurrent sends share one exchange.
 */
export class FcmSender implements PushSender {
  readonly provider = 'fcm' as const;
  private readonly tokenUrl: string;
  private readonly sendUrl: string;
  private readonly timeoutMs: number;
  private readonly now: () => number;
  private key: CryptoKey | undefined;
  private cached: { token: string; expiresAt: number } | undefined;
  private inflight: Promise<string> | undefined;

  constructor(private readonly options: FcmSenderOptions) {
    this.tokenUrl = options.oauthTokenUrl ?? options.account.tokenUri;
    this.sendUrl = `${options.apiBaseUrl.replace(/\/$/, '')}/v1/projects/${encodeURIComponent(options.account.projectId)}/messages:send`;
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.now = options.now ?? Date.now;
  }

  async send(token: string, message: PushMessage): Promise<PushOutcome> {
    let accessToken: string;
    try {
      accessToken = await this.accessToken();
    } catch (err) {
      if (err instanceof OAuthRefused) return { kind: 'failed', reason: err.message };
      if (err instanceof OAuthUnavailable) return { kind: 'retry', reason: err.message, ...(err.retryAfterMs !== undefined ? { retryAfterMs: err.retryAfterMs } : {}) };
      return networkFailure(err);
    }
    let response: Response;
    try {
      response = await fetch(this.sendUrl, {
        method: 'POST',
        headers: { authorization: `Bearer ${accessToken}`, 'content-type': 'application/json; charset=utf-8' },
        body: JSON.stringify({ message: this.fcmMessage(token, message) }),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (err) {
      return networkFailure(err);
    }
    const text = await response.text().catch(() => '');
    if (response.ok) return { kind: 'sent' };
    return this.classify(response, text);
  }

  private fcmMessage(token: string, m: PushMessage) {
    const expiresAt = Math.floor(this.now() / 1000) + m.ttlSeconds;
    return {
      token,
      notification: { title: m.title, body: m.body, ...(m.imageUrl ? { image: m.imageUrl } : {}) },
      data: m.data,
      android: {
        ttl: `${m.ttlSeconds}s`,
        priority: m.urgency === 'high' ? 'HIGH' : 'NORMAL',
        ...(m.collapseKey ? { collapse_key: m.collapseKey, notification: { tag: m.collapseKey } } : {}),
      },
      apns: {
        headers: {
          'apns-expiration': String(expiresAt),
          'apns-priority': m.urgency === 'high' ? '10' : '5',
          'apns-push-type': 'alert',
          ...(m.collapseKey ? { 'apns-collapse-id': m.collapseKey.slice(0, 64) } : {}),
        },
        payload: { aps: { sound: 'default', 'mutable-content': 1 } },
      },
    };
  }

  private classify(response: Response, text: string): PushOutcome {
    let body: FcmErrorBody = {};
    try {
      body = JSON.parse(text) as FcmErrorBody;
    } catch {
      // not JSON: classified by status alone
    }
    const status = body.error?.status ?? '';
    const codes = (body.error?.details ?? []).map((d) => d.errorCode).filter((c): c is string => Boolean(c));
    const fields = (body.error?.details ?? []).flatMap((d) => d.fieldViolations ?? []).map((v) => v.field);
    const reason = `fcm ${response.status} ${[status, ...codes].filter(Boolean).join(' ')}`.trim();
    if (response.status === 401) {
      this.cached = undefined; // the access token was refused: exchange a new one next time
      return { kind: 'retry', reason };
    }
    if (response.status === 404 || codes.includes('UNREGISTERED')) return { kind: 'token_invalid', reason };
    if (codes.includes('SENDER_ID_MISMATCH')) return { kind: 'token_invalid', reason };
    if (response.status === 400) {
      const aboutToken = fields.includes('message.token') || /registration token/i.test(body.error?.message ?? '');
      return aboutToken ? { kind: 'token_invalid', reason } : { kind: 'failed', reason };
    }
    if (response.status === 429 || response.status >= 500) {
      const after = retryAfterMs(response.headers.get('retry-after'), this.now());
      return { kind: 'retry', reason, ...(after !== undefined ? { retryAfterMs: after } : {}) };
    }
    return { kind: 'failed', reason };
  }

  /** A cached OAuth access token, or a fresh one from the JWT-bearer exchange. */
  private async accessToken(): Promise<string> {
    if (this.cached && this.cached.expiresAt > this.now()) return this.cached.token;
    this.inflight ??= this.exchange().finally(() => {
      this.inflight = undefined;
    });
    return this.inflight;
  }

  private async exchange(): Promise<string> {
    const { account } = this.options;
    this.key ??= await importPKCS8(account.privateKey, 'RS256');
    const iat = Math.floor(this.now() / 1000);
    const assertion = await new SignJWT({ scope: SCOPE })
      .setProtectedHeader({ alg: 'RS256', typ: 'JWT', ...(account.privateKeyId ? { kid: account.privateKeyId } : {}) })
      .setIssuer(account.clientEmail)
      .setSubject(account.clientEmail)
      .setAudience(this.tokenUrl)
      .setIssuedAt(iat)
      .setExpirationTime(iat + 3600)
      .sign(this.key);
    const response = await fetch(this.tokenUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion }).toString(),
      signal: AbortSignal.timeout(this.timeoutMs),
    });
    const text = await response.text().catch(() => '');
    if (!response.ok) {
      let code = '';
      try {
        code = String((JSON.parse(text) as { error?: unknown }).error ?? '');
      } catch {
        // not JSON
      }
      const reason = `fcm oauth ${response.status} ${code}`.trim();
      if (response.status >= 500 || response.status === 429) {
        throw new OAuthUnavailable(reason, retryAfterMs(response.headers.get('retry-after'), this.now()));
      }
      throw new OAuthRefused(reason);
    }
    let body: { access_token?: string; expires_in?: number };
    try {
      body = JSON.parse(text) as typeof body;
    } catch {
      // Never quote the body: it would carry the token.
      throw new OAuthRefused('fcm oauth: the token response is not JSON');
    }
    if (!body.access_token) throw new OAuthRefused('fcm oauth: no access_token in the response');
    const lifetime = (typeof body.expires_in === 'number' ? body.expires_in : 3600) * 1000;
    this.cached = { token: body.access_token, expiresAt: this.now() + Math.max(0, lifetime - 60_000) };
    return body.access_token;
  }
}

class OAuthRefused extends Error {}
class OAuthUnavailable extends Error {
  constructor(
    message: string,
    readonly retryAfterMs: number | undefined,
  ) {
    super(message);
  }
}
