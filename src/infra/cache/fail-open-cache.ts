import type { RedisFallbacks } from '../redis/redis-fallback.js';
import type { Cache } from './cache.js';

/**
 * The Redis cache, failing open: when Redis fails or times out a read is a miss and a write is
 * skipped (callers then read the database), so a Redis outage costs speed, not availability.
 */
export class FailOpenCache implements Cache {
  constructor(
    private readonly primary: Cache,
    private readonly fallbacks: RedisFallbacks,
  ) {}

  async get<T>(key: string): Promise<T | undefined> {
    try {
      return await this.primary.get<T>(key);
    } catch (err) {
      this.fallbacks.note('cache', err);
      return undefined;
    }
  }

  async set(key: string, value: unknown, ttlSeconds: number): Promise<void> {
    try {
      await this.primary.set(key, value, ttlSeconds);
    } catch (err) {
      this.fallbacks.note('cache', err);
    }
  }

  async delete(key: string): Promise<void> {
    try {
      await this.primary.delete(key);
    } catch (err) {
      this.fallbacks.note('cache', err);
    }
  }
}
