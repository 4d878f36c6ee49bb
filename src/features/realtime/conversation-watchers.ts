import type { BackgroundWork } from './background-work.js';
import type { ConnectionRegistry, RealtimeConnection } from './connection-registry.js';
import type { PresenceStore } from './realtime.ports.js';

/** What subscribe, typing and blocks need from the chat feature (its ConversationsService). */
export interface ConversationMembership {
  /** True for a current participant who may follow it live (a direct conversation: no block between the pair). */
  mayFollowLive(conversationId: string, userId: string): Promise<boolean>;
  /** The id of the two users' direct conversation, if they have one. */
  directConversationId(a: string, b: string): Promise<string | undefined>;
  /** Of `candidateIds`, those blocked either way with `userId`: they do not see `userId`'s activity in a shared group or goal. */
  blockedAmong(userId: string, candidateIds: readonly string[]): Promise<Set<string>>;
}

/** The key of one user in one conversation. */
export function watchKey(userId: string, conversationId: string): string {
  return `${userId}|${conversationId}`;
}

function parseWatchKey(key: string): [userId: string, conversationId: string] {
  return key.split('|') as [string, string];
}

/** Conversation-watcher entries expire after a day; this instance re-asserts its own this often. */
const RENEW_EVERY_MS = 30 * 60_000;

/**
 * Conversation subscriptions of this instance's connections. Counts each user's subscribed
 * connections per conversation and reports only the 0↔1 transitions to the shared presence store,
 * so any instance can tell who watches a conversation.
 */
export class ConversationWatchers {
  private readonly watchCounts = new Map<string, number>();
  private renewal: NodeJS.Timeout | undefined;

  constructor(
    private readonly presence: PresenceStore,
    private readonly membership: ConversationMembership,
    private readonly registry: ConnectionRegistry,
    private readonly background: BackgroundWork,
    /** Called when the user's last connection here stopped watching the conversation. */
    private readonly stoppedWatching: (conn: RealtimeConnection, conversationId: string) => Promise<void>,
  ) {}

  /**
   * Users among `userIds` with a connection (here or on any other instance) subscribed to the
   * conversation; the shared store is asked once, and only about users not watching here.
   */
  async watchingAmong(conversationId: string, userIds: readonly string[]): Promise<Set<string>> {
    const watching = new Set<string>();
    const elsewhere: string[] = [];
    for (const userId of userIds) {
      if ((this.watchCounts.get(watchKey(userId, conversationId)) ?? 0) > 0) watching.add(userId);
      else elsewhere.push(userId);
    }
    if (elsewhere.length === 0) return watching;
    const shared = new Set(await this.presence.watchers(conversationId));
    for (const userId of elsewhere) if (shared.has(userId)) watching.add(userId);
    return watching;
  }

  /** Subscribes the connection to a conversation; false when the user may not follow it (not a participant, a block). */
  async subscribe(conn: RealtimeConnection, conversationId: string): Promise<boolean> {
    if (conn.subscriptions.has(conversationId)) return true;
    if (!(await this.membership.mayFollowLive(conversationId, conn.userId))) return false;
    if (conn.subscriptions.has(conversationId)) return true;
    conn.subscriptions.add(conversationId);
    const key = watchKey(conn.userId, conversationId);
    const count = (this.watchCounts.get(key) ?? 0) + 1;
    this.watchCounts.set(key, count);
    if (count === 1) await this.presence.setWatching(conn.userId, conversationId, true);
    return true;
  }

  async unsubscribe(conn: RealtimeConnection, conversationId: string): Promise<void> {
    if (!conn.subscriptions.delete(conversationId)) return;
    const key = watchKey(conn.userId, conversationId);
    const count = (this.watchCounts.get(key) ?? 1) - 1;
    if (count > 0) {
      this.watchCounts.set(key, count);
      return;
    }
    this.watchCounts.delete(key);
    await this.presence.setWatching(conn.userId, conversationId, false);
    await this.stoppedWatching(conn, conversationId);
  }

  /** Unsubscribes this instance's connections of `userIds` from the conversation (in the background). */
  drop(conversationId: string, userIds: string[]): void {
    for (const userId of userIds) {
      for (const conn of this.registry.connectionsOf(userId)) this.background.track(this.unsubscribe(conn, conversationId));
    }
  }

  /** Starts re-asserting this instance's watcher entries before they expire. */
  startRenewal(): void {
    this.renewal = setInterval(() => {
      for (const key of this.watchCounts.keys()) {
        const [userId, conversationId] = parseWatchKey(key);
        this.background.track(this.presence.setWatching(userId, conversationId, true));
      }
    }, RENEW_EVERY_MS);
    this.renewal.unref();
  }

  stopRenewal(): void {
    if (this.renewal) clearInterval(this.renewal);
  }

  /** Removes every watcher entry of this instance from the presence store (shutdown). */
  async forgetAll(): Promise<void> {
    for (const key of this.watchCounts.keys()) {
      const [userId, conversationId] = parseWatchKey(key);
      await this.presence.setWatching(userId, conversationId, false).catch(() => undefined);
    }
    this.watchCounts.clear();
  }
}
