import type { Redis } from 'ioredis';
import type { PresenceStore } from './realtime.ports.js';

const INSTANCES = 'rt:instances';
const usersKey = (instanceId: string) => `rt:inst:${instanceId}:users`;
const watchKey = (conversationId: string) => `rt:watch:${conversationId}`;

/**
 * Presence in Redis. Each instance keeps a set of its online users (`rt:inst:<id>:users`, expiring
 * `ttlMs` after the instance's last heartbeat) and registers itself in the `rt:instances` sorted
 * set (score = expiry). A user is online when any live instance's set holds them, so a crashed
 * instance's users drop out when its entries expire. Conversation watchers are `user|instance`
 * members of `rt:watch:<conversation>`, filtered by live instances when read.
 */
export class RedisPresenceStore implements PresenceStore {
  private live: { at: number; ids: string[] } | undefined;

  constructor(
    private readonly redis: Redis,
    private readonly instanceId: string,
    private readonly ttlMs: number,
  ) {}

  private async liveInstances(): Promise<string[]> {
    const now = Date.now();
    // A short local cache: presence reads happen per event, instances change rarely.
    if (this.live && now - this.live.at < 1000) return this.live.ids;
    const ids = await this.redis.zrangebyscore(INSTANCES, now, '+inf');
    if (!ids.includes(this.instanceId)) ids.push(this.instanceId);
    this.live = { at: now, ids };
    return ids;
  }

  async liveInstanceCount(): Promise<number> {
    return (await this.liveInstances()).length;
  }

  refreshInstances(): void {
    this.live = undefined;
  }

  async setLocal(userId: string, online: boolean): Promise<void> {
    const key = usersKey(this.instanceId);
    if (online) {
      await this.redis.multi().sadd(key, userId).pexpire(key, this.ttlMs).exec();
    } else {
      await this.redis.srem(key, userId);
    }
  }

  async onlineAmong(userIds: readonly string[]): Promise<Set<string>> {
    const result = new Set<string>();
    if (userIds.length === 0) return result;
    const instances = await this.liveInstances();
    const replies = await Promise.all(instances.map((id) => this.redis.smismember(usersKey(id), ...userIds)));
    for (const flags of replies) flags.forEach((flag, i) => flag === 1 && result.add(userIds[i]!));
    return result;
  }

  async setWatching(userId: string, conversationId: string, watching: boolean): Promise<void> {
    const key = watchKey(conversationId);
    const member = `${userId}|${this.instanceId}`;
    if (watching) await this.redis.multi().sadd(key, member).pexpire(key, 24 * 3600_000).exec();
    else await this.redis.srem(key, member);
  }

  async watchers(conversationId: string): Promise<string[]> {
    const [members, instances] = await Promise.all([this.redis.smembers(watchKey(conversationId)), this.liveInstances()]);
    const live = new Set(instances);
    const users = new Set<string>();
    const stale: string[] = [];
    for (const member of members) {
      const [userId, instance] = member.split('|') as [string, string];
      if (live.has(instance)) users.add(userId);
      else stale.push(member);
    }
    if (stale.length > 0) await this.redis.srem(watchKey(conversationId), ...stale);
    return [...users];
  }

  async heartbeat(): Promise<void> {
    await this.redis
      .multi()
      .zadd(INSTANCES, Date.now() + this.ttlMs, this.instanceId)
      .zremrangebyscore(INSTANCES, '-inf', Date.now() - this.ttlMs)
      .pexpire(usersKey(this.instanceId), this.ttlMs)
      .exec();
  }

  async close(): Promise<void> {
    await this.redis.multi().zrem(INSTANCES, this.instanceId).del(usersKey(this.instanceId)).exec();
  }
}
