/**
 * The push port: one sender per provider (FCM HTTP v1 for android/ios tokens, Web Push for
 * browser subscriptions). Senders never log or return the device token or subscription secrets.
 */
export type PushProvider = 'fcm' | 'webpush';

export interface PushMessage {
  title: string;
  body: string;
  /** String key/values handed to the app (FCM `data`, the Web Push JSON payload's `data`). */
  data: Record<string, string>;
  imageUrl?: string | null;
  /** How long the push service keeps an undelivered push. */
  ttlSeconds: number;
  /** Replaces an undelivered push with the same key (FCM collapse_key / apns-collapse-id / Web Push Topic). */
  collapseKey?: string | null;
  urgency: 'normal' | 'high';
}

/** What happened to one push; `reason` is safe to store and log (no token, no secrets). */
export type PushOutcome =
  | { kind: 'sent' }
  /** Transient (5xx, 429, timeout, network): try again later. */
  | { kind: 'retry'; reason: string; retryAfterMs?: number }
  /** The token/subscription is gone for good (FCM UNREGISTERED, Web Push 404/410): deactivate it. */
  | { kind: 'token_invalid'; reason: string }
  /** Permanent failure of this push (bad request, payload too large, credentials refused). */
  | { kind: 'failed'; reason: string };

export interface PushSender {
  readonly provider: PushProvider;
  send(token: string, message: PushMessage): Promise<PushOutcome>;
}

/** Seconds of a Retry-After header (delta-seconds or HTTP date) as milliseconds, if present. */
export function retryAfterMs(header: string | null, now: number = Date.now()): number | undefined {
  if (!header) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** Network failures and timeouts of fetch are transient. */
export function networkFailure(err: unknown): PushOutcome {
  const name = err instanceof Error ? err.name : '';
  const reason = name === 'TimeoutError' || name === 'AbortError' ? 'timeout' : `network error: ${err instanceof Error ? err.message : String(err)}`;
  return { kind: 'retry', reason: reason.slice(0, 200) };
}
