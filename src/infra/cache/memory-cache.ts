import { TtlLru } from '../../lib/ttl-lru.js';
import type { Cache } from './cache.js';

/** In-process cache for the embedded mode. Values are copied through JSON like the Redis adapter does. */
export class MemoryCache implements Cache {
  private readonly store: TtlLru<string>;

  constructor(maxEntries = 50_000) {
    this.store = new TtlLru<string>(maxEntries);
  }

  async get<T>(key: string): Promise<T | undefined> {
    const raw = this.store.get(key);
    return raw === undefined ? undefined : (JSON.parse(raw) as T);
  }

  async set(key: string, value: unknown, ttlSeconds: number): Promise<void> {
    this.store.set(key, JSON.stringify(value), ttlSeconds * 1000);
  }

  async delete(key: string): Promise<void> {
    this.store.delete(key);
  }
}
