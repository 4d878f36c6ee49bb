import type { BackgroundWork } from './background-work.js';
import type { BatchedDelivery } from './batched-delivery.js';
import type { RealtimePeople } from './realtime.people.js';
import type { PresenceStore } from './realtime.ports.js';
import type { PresenceStatus } from './realtime.vocabulary.js';

/**
 * Who is online through this instance: counts each user's connections that count as online and
 * reports only the 0↔1 transitions to the shared presence store. Going online or offline
 * everywhere sends `presence.update` to the user's friends; going offline also stamps last seen.
 */
export class PresenceTracker {
  private readonly onlineCounts = new Map<string, number>();

  constructor(
    private readonly presence: PresenceStore,
    private readonly people: RealtimePeople,
    private readonly delivery: BatchedDelivery,
    private readonly background: BackgroundWork,
    private readonly now: () => Date,
  ) {}

  /** True while the user has a connection counting as online here or on any other instance. */
  async isOnline(userId: string): Promise<boolean> {
    if ((this.onlineCounts.get(userId) ?? 0) > 0) return true;
    return (await this.presence.onlineAmong([userId])).has(userId);
  }

  /** One more (+1) or one fewer (-1) connection of the user counts as online on this instance. */
  async count(userId: string, delta: 1 | -1): Promise<void> {
    const before = this.onlineCounts.get(userId) ?? 0;
    const after = Math.max(0, before + delta);
    if (after === 0) this.onlineCounts.delete(userId);
    else this.onlineCounts.set(userId, after);
    if (before === 0 && after === 1) {
      const elsewhere = (await this.presence.onlineAmong([userId])).has(userId);
      await this.presence.setLocal(userId, true);
      if (!elsewhere) this.background.track(this.announce(userId, 'online'));
    } else if (before > 0 && after === 0) {
      await this.presence.setLocal(userId, false);
      const elsewhere = (await this.presence.onlineAmong([userId])).has(userId);
      if (!elsewhere && (this.onlineCounts.get(userId) ?? 0) === 0) {
        await this.people.touchLastSeen(userId);
        this.background.track(this.announce(userId, 'offline'));
      }
    }
  }

  /** `presence.update` to the user's friends, only when the user shows their online status. */
  private async announce(userId: string, status: PresenceStatus): Promise<void> {
    const profile = await this.people.profile(userId);
    if (!profile?.showsOnlineStatus) return;
    const friends = await this.people.friendIds(userId);
    await this.delivery.enqueue(
      friends,
      { event: 'presence.update', user_id: userId, status, last_seen_at: this.now().toISOString() },
      false,
    );
  }
}
