import { TtlLru } from '../../lib/ttl-lru.js';
import { peekVerdictOf, verdictOf, type RateLimiter, type RateLimitVerdict } from './rate-limiter.js';

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
    return verdictOf(count, limit, ttlMs);
  }

  async peek(key: string, limit: number, windowSeconds: number): Promise<RateLimitVerdict> {
    const count = this.windows.get(key) ?? 0;
    const ttlMs = this.windows.ttl(key) ?? windowSeconds * 1000;
    return peekVerdictOf(count, limit, ttlMs);
  }

  async refund(key: string): Promise<void> {
    const count = this.windows.get(key);
    const ttlMs = this.windows.ttl(key);
    if (count !== undefined && count > 0 && ttlMs !== undefined) this.windows.set(key, count - 1, ttlMs);
  }

  async reset(key: string): Promise<void> {
    this.windows.delete(key);
  }
}
