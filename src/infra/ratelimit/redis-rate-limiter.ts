import type { Redis } from 'ioredis';
import { peekVerdictOf, verdictOf, type RateLimiter, type RateLimitVerdict } from './rate-limiter.js';

// Increment and set the window's expiry atomically; returns [count, milliseconds left].
const HIT_SCRIPT = `
local count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[1]); ttl = tonumber(ARGV[1]) end
return {count, ttl}
`;

// The window's count and milliseconds left, read together; [0, window] when there is none.
const PEEK_SCRIPT = `
local count = tonumber(redis.call('GET', KEYS[1]) or '0')
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then ttl = tonumber(ARGV[1]) end
return {count, ttl}
`;

// One hit back, never below zero and never creating a key (DECR keeps the expiry).
const REFUND_SCRIPT = `
local count = tonumber(redis.call('GET', KEYS[1]) or '0')
if count > 0 then return redis.call('DECR', KEYS[1]) end
return 0
`;

/** Fixed-window counters in Redis, shared by every API instance. */
export class RedisRateLimiter implements RateLimiter {
  constructor(private readonly redis: Redis) {}

  async hit(key: string, limit: number, windowSeconds: number): Promise<RateLimitVerdict> {
    const [count, ttlMs] = (await this.redis.eval(HIT_SCRIPT, 1, `rl:${key}`, windowSeconds * 1000)) as [number, number];
    return verdictOf(count, limit, ttlMs);
  }

  async peek(key: string, limit: number, windowSeconds: number): Promise<RateLimitVerdict> {
    const [count, ttlMs] = (await this.redis.eval(PEEK_SCRIPT, 1, `rl:${key}`, windowSeconds * 1000)) as [number, number];
    return peekVerdictOf(count, limit, ttlMs);
  }

  async refund(key: string): Promise<void> {
    await this.redis.eval(REFUND_SCRIPT, 1, `rl:${key}`);
  }

  async reset(key: string): Promise<void> {
    await this.redis.del(`rl:${key}`);
  }
}
