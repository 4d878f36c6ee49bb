import { createPublicKey } from 'node:crypto';
import { webPushEndpointProblem, type AllowedPushHost } from './web-push-endpoint-policy.js';

/**
 * The `token` of a `web` push token: the browser's PushSubscription as JSON
 * (`JSON.stringify(subscription)` / `subscription.toJSON()`):
 *   {"endpoint":"https://push.example/...","expirationTime":null,"keys":{"p256dh":"<base64url>","auth":"<base64url>"}}
 * `p256dh` is the subscription's P-256 public key (65 bytes, uncompressed point), `auth` its
 * 16-byte authentication secret (RFC 8291). Other members are ignored.
 */
export interface WebPushSubscription {
  endpoint: string;
  keys: { p256dh: string; auth: string };
}

const B64URL = /^[A-Za-z0-9_-]+={0,2}$/;

function decodeB64url(value: unknown): Buffer | undefined {
  if (typeof value !== 'string' || !B64URL.test(value)) return undefined;
  return Buffer.from(value.replace(/=+$/, ''), 'base64url');
}

/** True when `raw` is an uncompressed point on P-256. */
function isP256Point(raw: Buffer): boolean {
  if (raw.length !== 65 || raw[0] !== 0x04) return false;
  try {
    createPublicKey({
      key: { kty: 'EC', crv: 'P-256', x: raw.subarray(1, 33).toString('base64url'), y: raw.subarray(33).toString('base64url') },
      format: 'jwk',
    });
    return true;
  } catch {
    return false;
  }
}

/** Why a subscription is refused: `endpoint` when its URL is not an allowed push service, else `subscription`. */
export interface WebPushSubscriptionProblem {
  error: string;
  invalid: 'endpoint' | 'subscription';
}

/**
 * Parses and checks a Web Push subscription; returns it in canonical form (so the same
 * subscription always serialises to the same token string), or the reason it is refused. The
 * endpoint must be on an allow-listed push service host (see web-push-endpoint-policy.ts).
 */
export function parseWebPushSubscription(text: string, allowedHosts: readonly AllowedPushHost[]): WebPushSubscription | WebPushSubscriptionProblem {
  const malformed = (error: string): WebPushSubscriptionProblem => ({ error, invalid: 'subscription' });
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return malformed('must be the JSON of a Web Push subscription ({"endpoint", "keys": {"p256dh", "auth"}})');
  }
  if (!value || typeof value !== 'object') return malformed('must be a JSON object');
  const { endpoint, keys } = value as { endpoint?: unknown; keys?: { p256dh?: unknown; auth?: unknown } };
  if (typeof endpoint !== 'string') return malformed('endpoint is required');
  const p256dh = decodeB64url(keys?.p256dh);
  if (!p256dh || !isP256Point(p256dh)) return malformed('keys.p256dh must be a base64url P-256 public key (65 bytes, uncompressed)');
  const auth = decodeB64url(keys?.auth);
  if (!auth || auth.length !== 16) return malformed('keys.auth must be a base64url 16-byte secret');
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    return { error: 'endpoint must be a URL', invalid: 'endpoint' };
  }
  const problem = webPushEndpointProblem(url, allowedHosts);
  if (problem) return { error: problem, invalid: 'endpoint' };
  return { endpoint: url.toString(), keys: { p256dh: p256dh.toString('base64url'), auth: auth.toString('base64url') } };
}

/** The canonical token string stored for a subscription. */
export function webPushToken(subscription: WebPushSubscription): string {
  return JSON.stringify({ endpoint: subscription.endpoint, keys: { p256dh: subscription.keys.p256dh, auth: subscription.keys.auth } });
}
