import type { BackgroundWork } from './background-work.js';
import type { BatchedDelivery } from './batched-delivery.js';
import type { RealtimeConnection } from './connection-registry.js';
import { watchKey, type ConversationMembership } from './conversation-watchers.js';
import type { RealtimePeople } from './realtime.people.js';
import type { PresenceStore } from './realtime.ports.js';

/**
 * Typing indicators: relayed to the conversation's other subscribers (on any instance) as
 * ephemeral `typing` events. A `true` that is not renewed within the typing timeout is followed by
 * a `false`.
 */
export class TypingIndicators {
  /** Expiry timers of the `true`s not yet followed by a `false`, by `user|conversation`. */
  private readonly timers = new Map<string, NodeJS.Timeout>();

  constructor(
    private readonly presence: PresenceStore,
    private readonly people: RealtimePeople,
    private readonly membership: ConversationMembership,
    private readonly delivery: BatchedDelivery,
    private readonly background: BackgroundWork,
    private readonly timeoutMs: number,
  ) {}

  /**
   * Relays typing from the connection's user; false when the user may not follow the conversation
   * (not a participant, a block). A subscription stands for the check: a block drops it at once.
   */
  async typing(conn: RealtimeConnection, conversationId: string, isTyping: boolean): Promise<boolean> {
    if (!conn.subscriptions.has(conversationId) && !(await this.membership.mayFollowLive(conversationId, conn.userId))) {
      return false;
    }
    const key = watchKey(conn.userId, conversationId);
    const timer = this.timers.get(key);
    if (timer) clearTimeout(timer);
    this.timers.delete(key);
    if (isTyping) {
      const expire = setTimeout(() => {
        this.timers.delete(key);
        this.background.track(this.relay(conn.userId, conversationId, false));
      }, this.timeoutMs);
      expire.unref();
      this.timers.set(key, expire);
    }
    await this.relay(conn.userId, conversationId, isTyping);
    return true;
  }

  /** Sends the `false` for a user still shown typing in the conversation (it stopped watching it). */
  async stopIfTyping(conn: RealtimeConnection, conversationId: string): Promise<void> {
    if (this.timers.has(watchKey(conn.userId, conversationId))) await this.typing(conn, conversationId, false);
  }

  /** Cancels every pending expiry (shutdown): no further `false`s are sent. */
  clear(): void {
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
  }

  private async relay(userId: string, conversationId: string, isTyping: boolean): Promise<void> {
    const [profile, watchers] = await Promise.all([this.people.profile(userId), this.presence.watchers(conversationId)]);
    if (!profile) return;
    const { id, username, full_name } = profile.card;
    const watching = watchers.filter((w) => w !== userId);
    // In a group, a block hides each user's typing from the other (docs/security.md, Blocks).
    const blocked = watching.length > 0 ? await this.membership.blockedAmong(userId, watching) : new Set<string>();
    const others = watching.filter((w) => !blocked.has(w));
    await this.delivery.enqueue(
      others,
      { event: 'typing', conversation_id: conversationId, user: { id, username, full_name }, is_typing: isTyping },
      false,
      conversationId,
    );
  }
}
