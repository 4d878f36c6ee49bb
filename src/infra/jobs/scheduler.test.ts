import { Redis } from 'ioredis';
import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { FakeClock } from '../clock/clock.js';
import { MemoryLock, RedisLock, type LockPort } from './lock.js';
import { Scheduler } from './scheduler.js';

const quiet = { info: () => undefined, error: () => undefined };
const DAY = 24 * 3600 * 1000;

const redisUrl = process.env.REDIS_URL;
const redis = redisUrl ? new Redis(redisUrl, { keyPrefix: `tribe-test:${randomUUID()}:` }) : undefined;
afterAll(async () => {
  await redis?.quit();
});

const locks: Array<[string, () => LockPort]> = [['memory', () => new MemoryLock()]];
if (redis) locks.push(['redis', () => new RedisLock(redis)]);

describe.each(locks)('Scheduler with %s locks', (_name, makeLock) => {
  it('several schedulers sharing a lock run each period of a job exactly once', async () => {
    const lock = makeLock();
    const clock = new FakeClock('2026-03-01T02:00:05Z');
    let runs = 0;
    const job = { name: `nightly-${randomUUID()}`, everyMs: DAY, offsetMs: 2 * 3600 * 1000, run: async () => void runs++ };
    const workers = [1, 2, 3].map(() => new Scheduler(lock, clock, quiet));
    for (const w of workers) w.register(job);
    const results = await Promise.all(workers.map((w) => w.runIfDue(job)));
    expect(results.filter(Boolean)).toHaveLength(1);
    expect(runs).toBe(1);
    clock.advance(3600 * 1000);
    await Promise.all(workers.map((w) => w.runIfDue(job)));
    expect(runs).toBe(1);
    clock.set('2026-03-02T02:00:01Z');
    await Promise.all(workers.map((w) => w.runIfDue(job)));
    expect(runs).toBe(2);
  });

  it('a failing run is logged and does not stop later periods', async () => {
    const errors: unknown[] = [];
    const clock = new FakeClock('2026-03-01T00:00:00Z');
    const scheduler = new Scheduler(makeLock(), clock, { info: () => undefined, error: (o) => void errors.push(o) });
    let calls = 0;
    const job = {
      name: `flaky-${randomUUID()}`,
      everyMs: 60_000,
      run: async () => {
        calls++;
        if (calls === 1) throw new Error('boom');
      },
    };
    scheduler.register(job);
    await scheduler.runIfDue(job);
    clock.advance(60_000);
    await scheduler.runIfDue(job);
    expect(calls).toBe(2);
    expect(errors).toHaveLength(1);
  });
});

describe('Scheduler', () => {
  it('refuses to register one name twice, and runNow runs on demand', async () => {
    const scheduler = new Scheduler(new MemoryLock(), new FakeClock(), quiet);
    let ran = false;
    scheduler.register({ name: 'x', everyMs: DAY, run: async () => void (ran = true) });
    expect(() => scheduler.register({ name: 'x', everyMs: DAY, run: async () => undefined })).toThrow(/twice/);
    await scheduler.runNow('x');
    expect(ran).toBe(true);
    await expect(scheduler.runNow('y')).rejects.toThrow(/no job/);
  });
});
