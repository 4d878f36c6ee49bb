import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { MemoryPubSub } from './memory-pubsub.js';
import type { PubSub } from './pubsub.js';
import { RedisPubSub } from './redis-pubsub.js';

const redisUrl = process.env.REDIS_URL;
const connections: Redis[] = [];
const pubsubs: PubSub[] = [];
afterAll(async () => {
  await Promise.all(pubsubs.map((p) => p.close()));
  for (const c of connections) c.disconnect();
});

function redisPair(): [PubSub, PubSub] {
  const prefix = `tribe-test:${randomUUID()}:`;
  const make = () => {
    const redis = new Redis(redisUrl!);
    connections.push(redis);
    const p = new RedisPubSub(redis, prefix);
    pubsubs.push(p);
    return p;
  };
  return [make(), make()];
}

const received = (p: PubSub, channel: string) => {
  const messages: string[] = [];
  return { messages, ready: p.subscribe(channel, (m) => messages.push(m)) };
};

describe('MemoryPubSub', () => {
  it('delivers to every subscriber of the channel, and nothing after unsubscribe', async () => {
    const p = new MemoryPubSub();
    const a = received(p, 'c');
    const b = received(p, 'c');
    const other = received(p, 'd');
    const stopA = await a.ready;
    await b.ready;
    await other.ready;
    await p.publish('c', 'one');
    await expect.poll(() => b.messages).toEqual(['one']);
    expect(a.messages).toEqual(['one']);
    await stopA();
    await p.publish('c', 'two');
    await expect.poll(() => b.messages).toEqual(['one', 'two']);
    expect(a.messages).toEqual(['one']);
    expect(other.messages).toEqual([]);
  });
});

describe.skipIf(!redisUrl)('RedisPubSub', () => {
  it('carries messages between two connections (instances), in order, within one prefix only', async () => {
    const [one, two] = redisPair();
    const [stranger] = redisPair();
    const atTwo = received(two, 'deliver');
    const atStranger = received(stranger!, 'deliver');
    await atTwo.ready;
    await atStranger.ready;
    for (let i = 0; i < 50; i++) await one.publish('deliver', String(i));
    await expect.poll(() => atTwo.messages.length, { timeout: 5000 }).toBe(50);
    expect(atTwo.messages).toEqual(Array.from({ length: 50 }, (_, i) => String(i)));
    expect(atStranger.messages).toEqual([]);
  });
});

describe.skipIf(!redisUrl)('RedisPubSub subscribing while its connection comes up', () => {
  it('a second channel subscribed during the connection handshake still receives (no subscription lost)', async () => {
    const prefix = `tribe-test:${randomUUID()}:`;
    const publisher = new Redis(redisUrl!);
    connections.push(publisher);
    const lost: number[] = [];
    for (let delayMs = 0; delayMs <= 12; delayMs++) {
      const redis = new Redis(redisUrl!);
      connections.push(redis);
      const p = new RedisPubSub(redis, prefix);
      pubsubs.push(p);
      const first = received(p, `first-${delayMs}`);
      await new Promise((resolve) => setTimeout(resolve, delayMs));
      const second = received(p, `second-${delayMs}`);
      await Promise.race([Promise.all([first.ready, second.ready]), new Promise((resolve) => setTimeout(resolve, 2000))]);
      await publisher.publish(`${prefix}first-${delayMs}`, 'one');
      await publisher.publish(`${prefix}second-${delayMs}`, 'two');
      await new Promise((resolve) => setTimeout(resolve, 50));
      if (first.messages.length !== 1 || second.messages.length !== 1) lost.push(delayMs);
    }
    expect(lost).toEqual([]);
  });
});
