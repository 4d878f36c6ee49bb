import type { RedisFallbacks } from '../redis/redis-fallback.js';
import type { RateLimiter, RateLimitVerdict } from './rate-limiter.js';

/**
 * The shared Redis limiter with an in-process stand-in: when Redis fails or times out, each call is
 * answered by the process's own counters, so limits (login's included) still hold per instance
 * while Redis is away, and requests are never refused or stalled for want of Redis.
 */
export class FailOpenRateLimiter implements RateLimiter {
  constructor(
    private readonly primary: RateLimiter,
    private readonly fallback: RateLimiter,
    private readonly fallbacks: RedisFallbacks,
  ) {}

  hit(key: string, limit: number, windowSeconds: number): Promise<RateLimitVerdict> {
    return this.either((l) => l.hit(key, limit, windowSeconds));
  }

  peek(key: string, limit: number, windowSeconds: number): Promise<RateLimitVerdict> {
    return this.either((l) => l.peek(key, limit, windowSeconds));
  }

  refund(key: string): Promise<void> {
    return this.either((l) => l.refund(key));
  }

  reset(key: string): Promise<void> {
    return this.either((l) => l.reset(key));
  }

  private async either<T>(call: (limiter: RateLimiter) => Promise<T>): Promise<T> {
    try {
      return await call(this.primary);
    } catch (err) {
      this.fallbacks.note('rate_limiter', err);
      return call(this.fallback);
    }
  }
}
