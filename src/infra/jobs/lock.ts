import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';

/** A lease held by one process at a time (e.g. "run tonight's suggestion job"), released or expired. */
export interface LockPort {
  /** Takes the lock for `ttlMs` if nobody holds it; returns a release function, or undefined. */
  tryAcquire(name: string, ttlMs: number): Promise<(() => Promise<void>) | undefined>;
}

/** Process-local locks for the embedded (single-process) mode. */
export class MemoryLock implements LockPort {
  private readonly held = new Map<string, number>();

  constructor(private readonly now: () => number = Date.now) {}

  async tryAcquire(name: string, ttlMs: number): Promise<(() => Promise<void>) | undefined> {
    const until = this.held.get(name);
    if (until !== undefined && until > this.now()) return undefined;
    this.held.set(name, this.now() + ttlMs);
    return async () => void this.held.delete(name);
  }
}

const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end`;

/** Redis `SET NX PX` locks shared by every process; release only deletes our own lease. */
export class RedisLock implements LockPort {
  constructor(private readonly redis: Redis) {}

  async tryAcquire(name: string, ttlMs: number): Promise<(() => Promise<void>) | undefined> {
    const token = randomUUID();
    const ok = await this.redis.set(`lock:${name}`, token, 'PX', ttlMs, 'NX');
    if (ok !== 'OK') return undefined;
    return async () => void (await this.redis.eval(RELEASE, 1, `lock:${name}`, token));
  }
}
