import { createECDH, createHash } from 'node:crypto';
import { importJWK, SignJWT, type CryptoKey } from 'jose';
import { networkFailure, retryAfterMs, type PushMessage, type PushOutcome, type PushSender } from './push-sender.js';
import { encryptWebPushPayload } from './web-push-crypto.js';
import type { AllowedPushHost } from './web-push-endpoint-policy.js';
import { parseWebPushSubscription } from './web-push-subscription.js';

/** VAPID (RFC 8292) application-server keys: base64url raw P-256 keys, as `web-push generate-vapid-keys` prints them. */
export interface VapidKeys {
  /** 65-byte uncompressed public key (the `applicationServerKey` the browser subscribed with). */
  publicKey: string;
  /** 32-byte private scalar. */
  privateKey: string;
  /** `mailto:` or `https:` contact of the operator. */
  subject: string;
}

/** Checks a VAPID key pair; returns the problem, or undefined when the two keys belong together. */
export function vapidKeyProblem(publicKey: string, privateKey: string): string | undefined {
  const pub = Buffer.from(publicKey, 'base64url');
  const priv = Buffer.from(privateKey, 'base64url');
  if (pub.length !== 65 || pub[0] !== 0x04) return 'VAPID_PUBLIC_KEY must be a base64url uncompressed P-256 public key (65 bytes)';
  if (priv.length !== 32) return 'VAPID_PRIVATE_KEY must be a base64url P-256 private key (32 bytes)';
  try {
    const ecdh = createECDH('prime256v1');
    ecdh.setPrivateKey(priv);
    if (!ecdh.getPublicKey().equals(pub)) return 'VAPID_PUBLIC_KEY does not match VAPID_PRIVATE_KEY';
  } catch {
    return 'VAPID_PRIVATE_KEY is not a valid P-256 private key';
  }
  return undefined;
}

export interface WebPushSenderOptions {
  vapid: VapidKeys;
  /** The push service hosts an endpoint must be on (checked again before every send: SSRF). */
  allowedHosts: readonly AllowedPushHost[];
  timeoutMs?: number;
  now?: () => number;
}

const JWT_LIFETIME_S = 12 * 3600;

/**
 * Web Push (RFC 8030) to browser subscriptions: the payload is encrypted for the subscription
 * (aes128gcm, RFC 8291) and the request carries a VAPID token for the endpoint's origin
 * (`Authorization: vapid t=<ES256 JWT>, k=<public key>`), cached per origin for half its lifetime.
 * A stored endpoint no longer on the allow-list is never fetched (token_invalid), and redirects are
 * never followed (a 3xx fails the push), so a push can only reach an allowed push service.
 */
export class WebPushSender implements PushSender {
  readonly provider = 'webpush' as const;
  private key: CryptoKey | undefined;
  private readonly jwts = new Map<string, { jwt: string; renewAt: number }>();
  private readonly timeoutMs: number;
  private readonly now: () => number;

  constructor(private readonly options: WebPushSenderOptions) {
    const problem = vapidKeyProblem(options.vapid.publicKey, options.vapid.privateKey);
    if (problem) throw new Error(problem);
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.now = options.now ?? Date.now;
  }

  async send(token: string, message: PushMessage): Promise<PushOutcome> {
    const subscription = parseWebPushSubscription(token, this.options.allowedHosts);
    if ('error' in subscription) return { kind: 'token_invalid', reason: `web push subscription: ${subscription.error}` };
    const payload = Buffer.from(
      JSON.stringify({
        title: message.title,
        body: message.body,
        data: message.data,
        ...(message.imageUrl ? { image: message.imageUrl } : {}),
        ...(message.collapseKey ? { tag: message.collapseKey } : {}),
      }),
    );
    let body: Buffer;
    try {
      body = encryptWebPushPayload(payload, Buffer.from(subscription.keys.p256dh, 'base64url'), Buffer.from(subscription.keys.auth, 'base64url'));
    } catch (err) {
      return { kind: 'failed', reason: `web push encryption: ${err instanceof Error ? err.message : 'failed'}` };
    }
    const headers: Record<string, string> = {
      authorization: `vapid t=${await this.vapidJwt(new URL(subscription.endpoint).origin)}, k=${this.options.vapid.publicKey}`,
      'content-encoding': 'aes128gcm',
      'content-type': 'application/octet-stream',
      ttl: String(message.ttlSeconds),
      urgency: message.urgency,
    };
    // Topic: at most 32 characters of the URL-safe base64 alphabet (RFC 8030 §5.4).
    if (message.collapseKey) headers.topic = createHash('sha256').update(message.collapseKey).digest('base64url').slice(0, 32);
    let response: Response;
    try {
      response = await fetch(subscription.endpoint, { method: 'POST', headers, body, redirect: 'manual', signal: AbortSignal.timeout(this.timeoutMs) });
    } catch (err) {
      return networkFailure(err);
    }
    await response.arrayBuffer().catch(() => undefined);
    const reason = `web push ${response.status}`;
    if (response.status >= 200 && response.status < 300) return { kind: 'sent' };
    if (response.type === 'opaqueredirect' || (response.status >= 300 && response.status < 400)) return { kind: 'failed', reason: `${reason}: redirect not followed` };
    if (response.status === 404 || response.status === 410) return { kind: 'token_invalid', reason };
    if (response.status === 429 || response.status >= 500) {
      const after = retryAfterMs(response.headers.get('retry-after'), this.now());
      return { kind: 'retry', reason, ...(after !== undefined ? { retryAfterMs: after } : {}) };
    }
    return { kind: 'failed', reason };
  }

  private async vapidJwt(audience: string): Promise<string> {
    const nowS = Math.floor(this.now() / 1000);
    const cached = this.jwts.get(audience);
    if (cached && cached.renewAt > nowS) return cached.jwt;
    if (!this.key) {
      const pub = Buffer.from(this.options.vapid.publicKey, 'base64url');
      this.key = (await importJWK(
        {
          kty: 'EC',
          crv: 'P-256',
          x: pub.subarray(1, 33).toString('base64url'),
          y: pub.subarray(33).toString('base64url'),
          d: Buffer.from(this.options.vapid.privateKey, 'base64url').toString('base64url'),
        },
        'ES256',
      )) as CryptoKey;
    }
    const jwt = await new SignJWT({ sub: this.options.vapid.subject })
      .setProtectedHeader({ typ: 'JWT', alg: 'ES256' })
      .setAudience(audience)
      .setExpirationTime(nowS + JWT_LIFETIME_S)
      .sign(this.key);
    if (this.jwts.size > 1000) this.jwts.clear();
    this.jwts.set(audience, { jwt, renewAt: nowS + JWT_LIFETIME_S / 2 });
    return jwt;
  }
}
