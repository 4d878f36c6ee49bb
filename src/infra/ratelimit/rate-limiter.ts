export interface RateLimitVerdict {
  allowed: boolean;
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
  hit(key: string, limit: number, windowSeconds: number): Promise<RateLimitVerdict>;
}
