import type { Redis } from 'ioredis';
import type { PubSub, PubSubHandler } from './pubsub.js';

/**
 * Redis PUBLISH/SUBSCRIBE. Publishing uses the shared connection; receiving needs a connection of
 * its own (a subscribed Redis connection can run nothing else). Channel names get `prefix` (ioredis'
 * keyPrefix applies to keys, not to channels), so deployments sharing a Redis stay apart.
 */
export class RedisPubSub implements PubSub {
  private subscriber: Redis | undefined;
  private readonly handlers = new Map<string, Set<PubSubHandler>>();

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  async publish(channel: string, message: string): Promise<void> {
    await this.redis.publish(this.prefix + channel, message);
  }

  private connection(): Redis {
    if (!this.subscriber) {
      // No ready check: its INFO, sent after the TCP connect, is refused once a SUBSCRIBE issued
      // meanwhile went out, and ioredis then drops every subscription of the connection. Unlike the
      // shared connection (fail fast), it queues SUBSCRIBEs until connected and has no command
      // timeout: it only waits for messages, and re-subscribes by itself after a reconnect.
      const sub = this.redis.duplicate({
        keyPrefix: '',
        maxRetriesPerRequest: null,
        enableReadyCheck: false,
        enableOfflineQueue: true,
        commandTimeout: undefined,
      });
      sub.on('error', () => undefined);
      sub.on('message', (channel: string, message: string) => {
        const handlers = this.handlers.get(channel);
        if (!handlers) return;
        for (const handler of handlers) handler(message);
      });
      this.subscriber = sub;
    }
    return this.subscriber;
  }

  async subscribe(channel: string, handler: PubSubHandler): Promise<() => Promise<void>> {
    const full = this.prefix + channel;
    let set = this.handlers.get(full);
    if (!set) {
      set = new Set();
      this.handlers.set(full, set);
      await this.connection().subscribe(full);
    }
    set.add(handler);
    return async () => {
      set.delete(handler);
      if (set.size === 0 && this.handlers.get(full) === set) {
        this.handlers.delete(full);
        await this.subscriber?.unsubscribe(full).catch(() => undefined);
      }
    };
  }

  async close(): Promise<void> {
    this.handlers.clear();
    const sub = this.subscriber;
    this.subscriber = undefined;
    // Nothing is pending on a subscriber connection; disconnect also ends a connection that never came up.
    sub?.disconnect();
  }
}
