import type { PubSub, PubSubHandler } from './pubsub.js';

/** In-process PubSub (one process = every instance there is): handlers run on a later tick. */
export class MemoryPubSub implements PubSub {
  private readonly channels = new Map<string, Set<PubSubHandler>>();

  async publish(channel: string, message: string): Promise<void> {
    const handlers = this.channels.get(channel);
    if (!handlers) return;
    for (const handler of [...handlers]) queueMicrotask(() => handler(message));
  }

  async subscribe(channel: string, handler: PubSubHandler): Promise<() => Promise<void>> {
    let set = this.channels.get(channel);
    if (!set) {
      set = new Set();
      this.channels.set(channel, set);
    }
    const own = (message: string) => handler(message);
    set.add(own);
    return async () => {
      set.delete(own);
    };
  }

  async close(): Promise<void> {
    this.channels.clear();
  }
}
