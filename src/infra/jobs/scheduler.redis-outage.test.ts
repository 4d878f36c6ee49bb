import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OwnRedis } from '../../../test/own-redis.js';
import { systemClock } from '../clock/clock.js';
import { RedisLock } from './lock.js';
import { Scheduler } from './scheduler.js';

let server: OwnRedis;
let redis: Redis;

beforeAll(async () => {
  server = await OwnRedis.start();
  // As context.ts builds it: commands fail after one retry while Redis is away.
  redis = new Redis(server.url, { maxRetriesPerRequest: 2, retryStrategy: () => 100 });
  redis.on('error', () => undefined);
});
afterAll(async () => {
  redis.disconnect();
  await server.stop();
});

const until = async (check: () => boolean, ms: number) => {
  const end = Date.now() + ms;
  while (!check() && Date.now() < end) await new Promise((r) => setTimeout(r, 25));
  return check();
};

describe('issue 15.1: the worker survives a Redis outage and its jobs resume', () => {
  it('a tick whose lock cannot be taken is logged and skipped; runs resume when Redis is back', async () => {
    const errors: string[] = [];
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    let runs = 0;
    const scheduler = new Scheduler(
      new RedisLock(redis),
      systemClock,
      { info: () => undefined, error: (_obj, msg) => void errors.push(msg) },
      50,
    );
    scheduler.register({ name: 'outage-probe', everyMs: 100, run: async () => void runs++ });
    try {
      scheduler.start();
      expect(await until(() => runs >= 2, 5000)).toBe(true);

      await server.stop();
      expect(await until(() => errors.includes('scheduler tick failed'), 8000)).toBe(true);
      const runsDuringOutage = runs;
      await new Promise((r) => setTimeout(r, 300));
      expect(unhandled).toEqual([]);

      await server.start();
      expect(await until(() => runs >= runsDuringOutage + 2, 10_000)).toBe(true);
      expect(unhandled).toEqual([]);
    } finally {
      await scheduler.stop();
      process.off('unhandledRejection', onUnhandled);
    }
  });
});
