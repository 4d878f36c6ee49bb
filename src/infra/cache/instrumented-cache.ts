import type { Cache } from './cache.js';

/** Where cache reads are counted (infra/metrics/metrics.ts Metrics). */
export interface CacheLookupCounter {
  countCacheLookup(keyspace: string, hit: boolean): void;
}

/** Key spaces are the keys' fixed prefixes (`auth-state:<user id>` → `auth-state`); anything else is `other`. */
export function keyspaceOf(key: string): string {
  const prefix = /^([a-z][a-z0-9-]{0,39}):/.exec(key)?.[1];
  return prefix ?? 'other';
}

/**
 * A cache that counts each read as a hit or a miss by key space (never the key itself: it holds ids)
 * and otherwise is the cache it wraps. Outermost, so a read the fail-open cache answered with nothing
 * while Redis was away counts as the miss it is to the caller.
 */
export class InstrumentedCache implements Cache {
  constructor(
    private readonly inner: Cache,
    private readonly counter: CacheLookupCounter,
  ) {}

  async get<T>(key: string): Promise<T | undefined> {
    const value = await this.inner.get<T>(key);
    this.counter.countCacheLookup(keyspaceOf(key), value !== undefined);
    return value;
  }

  set(key: string, value: unknown, ttlSeconds: number): Promise<void> {
    return this.inner.set(key, value, ttlSeconds);
  }

  delete(key: string): Promise<void> {
    return this.inner.delete(key);
  }
}
