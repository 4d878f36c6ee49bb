import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { MemoryRateLimiter } from './memory-rate-limiter.js';
import type { RateLimiter } from './rate-limiter.js';
import { RedisRateLimiter } from './redis-rate-limiter.js';

const redisUrl = process.env.REDIS_URL;
const prefix = `tribe-test:${randomUUID()}:`;
const redis = redisUrl ? new Redis(redisUrl, { keyPrefix: prefix }) : undefined;
afterAll(async () => {
  if (!redis) return;
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length > 0) await redis.unlink(...keys.map((k) => k.slice(prefix.length)));
  redis.disconnect();
});

const adapters: Array<[string, () => RateLimiter]> = [['MemoryRateLimiter', () => new MemoryRateLimiter()]];
if (redis) adapters.push(['RedisRateLimiter', () => new RedisRateLimiter(redis)]);

describe.each(adapters)('%s', (_name, make) => {
  it('hit counts within a fixed window and refuses past the limit', async () => {
    const limiter = make();
    const key = `hit:${randomUUID()}`;
    const verdicts = [];
    for (let i = 0; i < 4; i++) verdicts.push(await limiter.hit(key, 3, 60));
    expect(verdicts.map((v) => [v.allowed, v.count, v.remaining])).toEqual([
      [true, 1, 2],
      [true, 2, 1],
      [true, 3, 0],
      [false, 4, 0],
    ]);
    expect(verdicts[3]!.resetSeconds).toBeGreaterThan(55);
    expect(verdicts[3]!.resetSeconds).toBeLessThanOrEqual(60);
  });

  it('peek reads without counting; allowed while one more hit would be', async () => {
    const limiter = make();
    const key = `peek:${randomUUID()}`;
    expect(await limiter.peek(key, 2, 60)).toMatchObject({ allowed: true, count: 0, remaining: 2, resetSeconds: 60 });
    await limiter.hit(key, 2, 60);
    expect(await limiter.peek(key, 2, 60)).toMatchObject({ allowed: true, count: 1, remaining: 1 });
    await limiter.hit(key, 2, 60);
    expect(await limiter.peek(key, 2, 60)).toMatchObject({ allowed: false, count: 2, remaining: 0 });
    expect(await limiter.peek(key, 2, 60)).toMatchObject({ count: 2 });
  });

  it('refund takes one hit back, never below zero and never creating a window', async () => {
    const limiter = make();
    const key = `refund:${randomUUID()}`;
    await limiter.refund(key);
    expect((await limiter.peek(key, 5, 60)).count).toBe(0);
    await limiter.hit(key, 5, 60);
    await limiter.hit(key, 5, 60);
    await limiter.refund(key);
    expect((await limiter.peek(key, 5, 60)).count).toBe(1);
    await limiter.refund(key);
    await limiter.refund(key);
    expect((await limiter.peek(key, 5, 60)).count).toBe(0);
    expect((await limiter.hit(key, 5, 60)).count).toBe(1);
  });

  it('reset forgets the window', async () => {
    const limiter = make();
    const key = `reset:${randomUUID()}`;
    for (let i = 0; i < 3; i++) await limiter.hit(key, 2, 60);
    await limiter.reset(key);
    expect(await limiter.hit(key, 2, 60)).toMatchObject({ allowed: true, count: 1 });
  });
});

describe('MemoryRateLimiter windows', () => {
  it('a window ends after its length and the next hit starts a new one', async () => {
    let now = 1_000_000;
    const limiter = new MemoryRateLimiter(() => now);
    await limiter.hit('k', 1, 10);
    expect((await limiter.hit('k', 1, 10)).allowed).toBe(false);
    now += 10_001;
    expect(await limiter.hit('k', 1, 10)).toMatchObject({ allowed: true, count: 1 });
  });
});
