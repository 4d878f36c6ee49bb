import type { PresenceStore } from './realtime.ports.js';

/** Presence of a single process (every connection is local). */
export class MemoryPresenceStore implements PresenceStore {
  private readonly online = new Set<string>();
  private readonly watching = new Map<string, Set<string>>();

  async setLocal(userId: string, online: boolean): Promise<void> {
    if (online) this.online.add(userId);
    else this.online.delete(userId);
  }

  async onlineAmong(userIds: readonly string[]): Promise<Set<string>> {
    return new Set(userIds.filter((id) => this.online.has(id)));
  }

  async setWatching(userId: string, conversationId: string, watching: boolean): Promise<void> {
    let set = this.watching.get(conversationId);
    if (watching) {
      if (!set) this.watching.set(conversationId, (set = new Set()));
      set.add(userId);
    } else if (set) {
      set.delete(userId);
      if (set.size === 0) this.watching.delete(conversationId);
    }
  }

  async watchers(conversationId: string): Promise<string[]> {
    return [...(this.watching.get(conversationId) ?? [])];
  }

  async heartbeat(): Promise<void> {}

  /** The in-process adapters serve one instance: this one. */
  async liveInstanceCount(): Promise<number> {
    return 1;
  }

  refreshInstances(): void {}

  async close(): Promise<void> {
    this.online.clear();
    this.watching.clear();
  }
}
