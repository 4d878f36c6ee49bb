import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { MemoryEventLog } from './memory-event-log.js';
import type { EventLog } from './realtime.ports.js';
import { RedisEventLog } from './redis-event-log.js';

const redisUrl = process.env.REDIS_URL;
const prefix = `tribe-test:${randomUUID()}:`;
const redis = redisUrl ? new Redis(redisUrl, { keyPrefix: prefix }) : undefined;

afterAll(async () => {
  if (!redis) return;
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length > 0) await redis.unlink(...keys.map((k) => k.slice(prefix.length)));
  redis.disconnect();
});

const adapters: Array<[string, (max: number) => EventLog]> = [['memory', (max) => new MemoryEventLog(max, 3600_000)]];
if (redis) adapters.push(['redis', (max) => new RedisEventLog(redis, max, 3600_000)]);

const body = (n: number) => JSON.stringify({ event: 'message.new', n });

describe.each(adapters)('%s event log', (_name, make) => {
  it('assigns each user consecutive seqs and appends seq as the last field', async () => {
    const log = make(10);
    const [u, v] = [randomUUID(), randomUUID()];
    const out = await log.append([
      { userId: u, body: body(1) },
      { userId: v, body: body(1) },
      { userId: u, body: body(2) },
    ]);
    const [s1, t1, s2] = out.map((o) => o.seq) as [number, number, number];
    expect(s2 - s1).toBe(1);
    expect(t1).toBeGreaterThan(0);
    expect(out[0]!.frame).toBe(`{"event":"message.new","n":1,"seq":${s1}}`);
    expect(await log.latest(u)).toBe(s2);
    expect(await log.since(u, s1 - 1)).toEqual({ resyncRequired: false, latest: s2, frames: [out[0]!.frame, out[2]!.frame] });
    expect(await log.since(u, s2)).toEqual({ resyncRequired: false, latest: s2, frames: [] });
  });

  it('when the log is over its size, asks for a resync from before what it still holds', async () => {
    const log = make(3);
    const u = randomUUID();
    const out = await log.append([1, 2, 3, 4, 5].map((n) => ({ userId: u, body: body(n) })));
    const seqs = out.map((o) => o.seq);
    expect((await log.since(u, seqs[0]!)).resyncRequired).toBe(true);
    expect(await log.since(u, seqs[1]!)).toEqual({ resyncRequired: false, latest: seqs[4], frames: out.slice(2).map((o) => o.frame) });
  });

  it('when since is ahead of the log, or from a sequence this log does not know, asks for a resync', async () => {
    const log = make(3);
    const u = randomUUID();
    const [only] = await log.append([{ userId: u, body: body(1) }]);
    expect((await log.since(u, only!.seq + 5)).resyncRequired).toBe(true);
    expect((await log.since(u, only!.seq - 2)).resyncRequired).toBe(true);
    expect(await log.since(randomUUID(), 12345)).toEqual({ resyncRequired: true, latest: 0, frames: [] });
  });
});

describe.each(adapters)('issue 15.16: %s event log, since=0 and first use', (_name, make) => {
  it('a user with no events yet: since=0 is an empty catch-up (no resync), latest 0', async () => {
    const log = make(3);
    const u = randomUUID();
    expect(await log.since(u, 0)).toEqual({ resyncRequired: false, latest: 0, frames: [] });
    expect(await log.latest(u)).toBe(0);
  });

  it('since=0 while the log still holds the whole sequence returns all of it; once events were dropped, it asks for a resync', async () => {
    const log = make(3);
    const u = randomUUID();
    const first = await log.append([1, 2].map((n) => ({ userId: u, body: body(n) })));
    expect(await log.since(u, 0)).toEqual({ resyncRequired: false, latest: first[1]!.seq, frames: first.map((o) => o.frame) });
    const more = await log.append([3, 4].map((n) => ({ userId: u, body: body(n) })));
    // Event 1 is gone (the log keeps 3): a client that saw nothing, or only up to before it, must reload.
    expect(await log.since(u, 0)).toEqual({ resyncRequired: true, latest: more[1]!.seq, frames: [] });
    expect((await log.since(u, first[0]!.seq - 1)).resyncRequired).toBe(true);
    expect((await log.since(u, first[0]!.seq)).resyncRequired).toBe(false);
  });
});

describe('issue 15.16: events older than the retention window still ask for a resync', () => {
  it('memory: since=0 or an old seq after the frames expired → resync; the last seq seen → up to date', async () => {
    let now = 1_000_000;
    const log = new MemoryEventLog(10, 1000, 100, () => now);
    const u = randomUUID();
    const [one] = await log.append([{ userId: u, body: body(1) }]);
    now += 1500;
    expect(await log.since(u, 0)).toEqual({ resyncRequired: true, latest: one!.seq, frames: [] });
    expect(await log.since(u, one!.seq)).toEqual({ resyncRequired: false, latest: one!.seq, frames: [] });
    const [two] = await log.append([{ userId: u, body: body(2) }]);
    expect(two!.seq).toBe(one!.seq + 1);
    expect((await log.since(u, 0)).resyncRequired).toBe(true);
    expect(await log.since(u, one!.seq)).toEqual({ resyncRequired: false, latest: two!.seq, frames: [two!.frame] });
  });

  it.runIf(redis)('redis: since=0 after the log list expired → resync', async () => {
    const log = new RedisEventLog(redis!, 10, 50);
    const u = randomUUID();
    const [one] = await log.append([{ userId: u, body: body(1) }]);
    await new Promise((resolve) => setTimeout(resolve, 120));
    expect(await log.since(u, 0)).toEqual({ resyncRequired: true, latest: one!.seq, frames: [] });
    expect(await log.since(u, one!.seq)).toEqual({ resyncRequired: false, latest: one!.seq, frames: [] });
  });
});
