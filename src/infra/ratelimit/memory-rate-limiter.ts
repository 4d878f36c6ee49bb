import { TtlLru } from '../../lib/ttl-lru.js';
import type { RateLimiter, RateLimitVerdict } from './rate-limiter.js';

/** Process-local fixed-window counters for the embedded mode. */
export class MemoryRateLimiter implements RateLimiter {
  private readonly windows: TtlLru<number>;

  constructor(
    private readonly now: () => number = Date.now,
    maxKeys = 200_000,
  ) {
    this.windows = new TtlLru<number>(maxKeys, now);
  }

  async hit(key: string, limit: number, windowSeconds: number): Promise<RateLimitVerdict> {
    const count = (this.windows.get(key) ?? 0) + 1;
    const ttlMs = this.windows.ttl(key) ?? windowSeconds * 1000;
    this.windows.set(key, count, ttlMs);
    return {
      allowed: count <= limit,
      remaining: Math.max(0, limit - count),
      resetSeconds: Math.max(1, Math.ceil(ttlMs / 1000)),
    };
  }
}
