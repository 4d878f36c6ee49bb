import type { Redis } from 'ioredis';
import type { Cache } from './cache.js';

/** Redis-backed cache; the client's keyPrefix namespaces the keys. */
export class RedisCache implements Cache {
  constructor(private readonly redis: Redis) {}

  async get<T>(key: string): Promise<T | undefined> {
    const raw = await this.redis.get(`cache:${key}`);
    return raw === null ? undefined : (JSON.parse(raw) as T);
  }

  async set(key: string, value: unknown, ttlSeconds: number): Promise<void> {
    await this.redis.set(`cache:${key}`, JSON.stringify(value), 'EX', ttlSeconds);
  }

  async delete(key: string): Promise<void> {
    await this.redis.del(`cache:${key}`);
  }
}
