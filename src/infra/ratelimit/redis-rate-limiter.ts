import type { Redis } from 'ioredis';
import type { RateLimiter, RateLimitVerdict } from './rate-limiter.js';

// Increment and set the window's expiry atomically; returns [count, milliseconds left].
const HIT_SCRIPT = `
local count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[1]); ttl = tonumber(ARGV[1]) end
return {count, ttl}
`;

/** Fixed-window counters in Redis, shared by every API instance. */
export class RedisRateLimiter implements RateLimiter {
  constructor(private readonly redis: Redis) {}

  async hit(key: string, limit: number, windowSeconds: number): Promise<RateLimitVerdict> {
    const [count, ttlMs] = (await this.redis.eval(HIT_SCRIPT, 1, `rl:${key}`, windowSeconds * 1000)) as [
      number,
      number,
    ];
    return {
      allowed: count <= limit,
      remaining: Math.max(0, limit - count),
      resetSeconds: Math.max(1, Math.ceil(ttlMs / 1000)),
    };
  }
}
