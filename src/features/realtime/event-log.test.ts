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
      { userId: u, body: body(1), durable: true },
      { userId: v, body: body(1), durable: true },
      { userId: u, body: body(2), durable: false },
      { userId: u, body: body(3), durable: true },
    ]);
    const [s1, t1, s2, s3] = out.map((o) => o.seq) as [number, number, number, number];
    expect([s2 - s1, s3 - s1]).toEqual([1, 2]);
    expect(t1).toBeGreaterThan(0);
    expect(out[0]!.frame).toBe(`{"event":"message.new","n":1,"seq":${s1}}`);
    expect(await log.latest(u)).toBe(s3);
    // Ephemeral events take a seq but are not replayed.
    expect(await log.since(u, s1 - 1)).toEqual({ resyncRequired: false, latest: s3, frames: [out[0]!.frame, out[3]!.frame] });
    expect(await log.since(u, s3)).toEqual({ resyncRequired: false, latest: s3, frames: [] });
  });

  it('when the log is over its size, asks for a resync from before what it still holds', async () => {
    const log = make(3);
    const u = randomUUID();
    const out = await log.append([1, 2, 3, 4, 5].map((n) => ({ userId: u, body: body(n), durable: true })));
    const seqs = out.map((o) => o.seq);
    expect((await log.since(u, seqs[0]!)).resyncRequired).toBe(true);
    expect(await log.since(u, seqs[1]!)).toEqual({ resyncRequired: false, latest: seqs[4], frames: out.slice(2).map((o) => o.frame) });
  });

  it('when since is ahead of the log or the user is unknown, asks for a resync', async () => {
    const log = make(3);
    const u = randomUUID();
    const [only] = await log.append([{ userId: u, body: body(1), durable: true }]);
    expect((await log.since(u, only!.seq + 5)).resyncRequired).toBe(true);
    expect((await log.since(randomUUID(), 0)).resyncRequired).toBe(true);
    expect((await log.since(u, 0)).resyncRequired).toBe(true);
  });
});
