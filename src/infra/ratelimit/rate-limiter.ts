export interface RateLimitVerdict {
  allowed: boolean;
  /** Hits counted in the current window, this one included (for `peek`, without one). */
  count: number;
  /** Hits left in the current window (0 when refused). */
  remaining: number;
  /** Seconds until the window resets. */
  resetSeconds: number;
}

/**
 * The rate-limit store port: a fixed-window counter per key. Shared across instances when Redis is
 * configured, so N API processes enforce one limit, not N.
 */
export interface RateLimiter {
  /** Counts one hit atomically; allowed while the window's count stays within `limit`. */
  hit(key: string, limit: number, windowSeconds: number): Promise<RateLimitVerdict>;
  /** Reads the window without counting; allowed when one more hit would be. */
  peek(key: string, limit: number, windowSeconds: number): Promise<RateLimitVerdict>;
  /** Takes back one earlier hit (never below zero, window unchanged): a reservation that was not used. */
  refund(key: string): Promise<void>;
  /** Forgets the key's window. */
  reset(key: string): Promise<void>;
}

/** The verdict for a window holding `count` hits with `ttlMs` left; `allowed` if `count` is within `limit`. */
export function verdictOf(count: number, limit: number, ttlMs: number): RateLimitVerdict {
  return {
    allowed: count <= limit,
    count,
    remaining: Math.max(0, limit - count),
    resetSeconds: Math.max(1, Math.ceil(ttlMs / 1000)),
  };
}

/** The verdict `peek` reports for a window holding `count` hits: allowed if one more hit would be. */
export function peekVerdictOf(count: number, limit: number, ttlMs: number): RateLimitVerdict {
  return { ...verdictOf(count, limit, ttlMs), allowed: count < limit };
}
