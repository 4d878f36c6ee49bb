import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { PubSub } from '../../infra/pubsub/pubsub.js';
import { BackgroundWork } from './background-work.js';
import { BatchedDelivery } from './batched-delivery.js';
import { sendConnectedAndMissed } from './catch-up.js';
import { ConnectionRegistry, type RealtimeConnection } from './connection-registry.js';
import { ConversationWatchers, type ConversationMembership } from './conversation-watchers.js';
import { InstanceChannel, type ControlMessage } from './instance-channel.js';
import { PresenceTracker } from './presence-tracker.js';
import type { RealtimeDelivery, ServerEvent } from './realtime-delivery.js';
import type { RealtimePeople } from './realtime.people.js';
import type { EventLog, MissedEvents, PresenceStore } from './realtime.ports.js';
import { TypingIndicators } from './typing-indicators.js';
import type { PresenceStatus } from './realtime.vocabulary.js';

export interface RealtimeOptions {
  instanceId?: string;
  typingTimeoutMs: number;
  heartbeatMs: number;
  now: () => Date;
}

/**
 * The realtime gateway's core, composed of: the local connection registry (`ConnectionRegistry`),
 * batched per-user sequenced delivery logged for catch-up (`BatchedDelivery`), the channel to the
 * other instances (`InstanceChannel`), presence (`PresenceTracker`), conversation subscriptions
 * (`ConversationWatchers`) and typing (`TypingIndicators`). The gateway and the other features
 * talk to this class only.
 */
export class RealtimeService implements RealtimeDelivery {
  readonly instanceId: string;
  private readonly background: BackgroundWork;
  private readonly connections = new ConnectionRegistry();
  private readonly channel: InstanceChannel;
  private readonly delivery: BatchedDelivery;
  private readonly online: PresenceTracker;
  private readonly typingIndicators: TypingIndicators;
  private readonly watchers: ConversationWatchers;
  private leaveChannel: (() => Promise<void>) | undefined;
  private heartbeat: NodeJS.Timeout | undefined;
  private joined: Promise<void> | undefined;
  private stopped = false;

  constructor(
    private readonly log: EventLog,
    private readonly presence: PresenceStore,
    pubsub: PubSub,
    people: RealtimePeople,
    private readonly membership: ConversationMembership,
    logger: Logger,
    private readonly options: RealtimeOptions,
  ) {
    this.instanceId = options.instanceId ?? randomUUID();
    this.background = new BackgroundWork(logger);
    this.channel = new InstanceChannel(pubsub, this.instanceId, logger, {
      hello: () => presence.refreshInstances(),
      batch: (batch) => this.delivery.deliverRemote(batch),
      control: (message) => this.receiveControl(message),
    });
    this.delivery = new BatchedDelivery(log, presence, this.channel, this.connections, () => this.joined !== undefined);
    this.online = new PresenceTracker(presence, people, this.delivery, this.background, options.now);
    this.typingIndicators = new TypingIndicators(presence, people, membership, this.delivery, this.background, options.typingTimeoutMs);
    this.watchers = new ConversationWatchers(presence, membership, this.connections, this.background, (conn, conversationId) =>
      this.typingIndicators.stopIfTyping(conn, conversationId),
    );
  }

  /**
   * Starts the presence heartbeat and joins the cross-instance delivery channel; resolves once
   * joined and announced. With Redis down the joining finishes when it is back (callers should not
   * wait for ever: readiness reports Redis meanwhile).
   */
  start(): Promise<void> {
    if (this.joined) return this.joined;
    const joined = (async () => {
      const leave = await this.channel.subscribe();
      if (this.stopped) return void (await leave());
      this.leaveChannel = leave;
      await this.presence.heartbeat();
      // Other instances skip publishing while they believe they are alone: tell them we exist.
      await this.channel.announce();
    })();
    this.joined = joined;
    this.background.track(joined);
    this.heartbeat = setInterval(() => this.background.track(this.presence.heartbeat()), Math.min(10_000, this.options.heartbeatMs));
    this.heartbeat.unref();
    this.watchers.startRenewal();
    return joined;
  }

  /** Stops timers, forgets this instance's presence entries and leaves the channel. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.watchers.stopRenewal();
    this.typingIndicators.clear();
    await this.delivery.drain();
    await this.background.settle(2000);
    await this.leaveChannel?.().catch(() => undefined);
    this.leaveChannel = undefined;
    await this.watchers.forgetAll();
    await this.presence.close().catch(() => undefined);
  }

  // ---- RealtimeDelivery ------------------------------------------------------------------------

  /**
   * Sequences, logs and delivers `event` to each user. With `onceKey` (the domain event's id), a
   * second call with the same key — the event's backstop job after its after-commit run — does nothing.
   */
  sendToUsers(userIds: readonly string[], event: ServerEvent, onceKey?: string): Promise<void> {
    return this.delivery.enqueue(userIds, event, true, undefined, onceKey);
  }

  /** `userIds` without those blocked either way with `actorId` (who must not see the actor's activity). */
  async withoutBlockedWith(actorId: string, userIds: readonly string[]): Promise<string[]> {
    const blocked = await this.membership.blockedAmong(actorId, userIds);
    return blocked.size === 0 ? [...userIds] : userIds.filter((id) => !blocked.has(id));
  }

  watchingAmong(conversationId: string, userIds: readonly string[]): Promise<Set<string>> {
    return this.watchers.watchingAmong(conversationId, userIds);
  }

  isOnline(userId: string): Promise<boolean> {
    return this.online.isOnline(userId);
  }

  /** Users among `userIds` with an open connection on any instance (friends list `is_online`). */
  onlineAmong(userIds: readonly string[]): Promise<Set<string>> {
    return this.presence.onlineAmong(userIds);
  }

  /** Events a client missed since `since` (HTTP catch-up and reconnects). */
  missedEvents(userId: string, since: number): Promise<MissedEvents> {
    return this.log.since(userId, since);
  }

  latestSeq(userId: string): Promise<number> {
    return this.log.latest(userId);
  }

  /** Sends an ephemeral event (no seq, not logged); `conversationId` limits it to subscribed connections. */
  sendEphemeral(userIds: readonly string[], event: ServerEvent, conversationId?: string): Promise<void> {
    return this.delivery.enqueue(userIds, event, false, conversationId);
  }

  // ---- connections --------------------------------------------------------------------------------

  /**
   * Adds an authenticated connection. With `since`, the missed events are sent first (or a
   * `resync_required` frame), then whatever arrived meanwhile, without duplicates.
   */
  async connect(conn: RealtimeConnection, since: number | undefined): Promise<void> {
    // Live frames wait until `connected` (and the missed events) went out.
    const buffered = this.connections.addBuffered(conn);
    try {
      // Presence first: once a client sees `connected`, every instance sees it online.
      if (conn.countsOnline) await this.online.count(conn.userId, +1);
      await sendConnectedAndMissed(conn, since, this.log, buffered);
    } finally {
      this.connections.release(conn);
    }
  }

  /** Removes a closed connection: its subscriptions, typing state and presence. */
  async disconnect(conn: RealtimeConnection): Promise<void> {
    if (!this.connections.remove(conn)) return;
    for (const conversationId of [...conn.subscriptions]) await this.watchers.unsubscribe(conn, conversationId);
    if (conn.countsOnline) await this.online.count(conn.userId, -1);
  }

  /** A client reported its status: `offline` (e.g. app in background) stops counting this connection. */
  async setStatus(conn: RealtimeConnection, status: PresenceStatus): Promise<void> {
    const counts = status === 'online';
    if (conn.countsOnline === counts) return;
    conn.countsOnline = counts;
    await this.online.count(conn.userId, counts ? +1 : -1);
  }

  /** Subscribes the connection to a conversation; false when the user may not follow it (not a participant, a block). */
  subscribe(conn: RealtimeConnection, conversationId: string): Promise<boolean> {
    return this.watchers.subscribe(conn, conversationId);
  }

  async unsubscribe(conn: RealtimeConnection, conversationId: string): Promise<void> {
    await this.watchers.unsubscribe(conn, conversationId);
  }

  /** Stops the subscriptions of users removed from a conversation, on every instance. */
  async forgetWatchers(conversationId: string, userIds: string[]): Promise<void> {
    if (userIds.length === 0) return;
    this.watchers.drop(conversationId, userIds);
    await this.channel.publishControl({ unwatch: { conversationId, userIds } });
  }

  /** One of the two blocked the other: both stop following their direct conversation, on every instance. */
  async forgetDirectWatchers(a: string, b: string): Promise<void> {
    const conversationId = await this.membership.directConversationId(a, b);
    if (conversationId) await this.forgetWatchers(conversationId, [a, b]);
  }

  /**
   * Closes every socket of the user on every instance (password changed, account deactivated: the
   * tokens they were opened with no longer hold).
   */
  async disconnectUser(userId: string, code: number, reason: string): Promise<void> {
    this.connections.closeAll(userId, code, reason);
    await this.channel.publishControl({ kick: { userId, code, reason } });
  }

  /** Closes the user's sockets opened in these sessions, on every instance (the sessions ended). */
  async disconnectSessions(userId: string, sessionIds: string[], code: number, reason: string): Promise<void> {
    this.connections.closeAll(userId, code, reason, sessionIds);
    await this.channel.publishControl({ kick: { userId, code, reason, sessionIds } });
  }

  /**
   * Relays typing to the conversation's other subscribers. A `true` that is not renewed within the
   * typing timeout is followed by a `false`. Returns false when the user may not follow the conversation.
   */
  typing(conn: RealtimeConnection, conversationId: string, isTyping: boolean): Promise<boolean> {
    return this.typingIndicators.typing(conn, conversationId, isTyping);
  }

  /** Open connections of one user on this instance. */
  localConnectionsOf(userId: string): number {
    return this.connections.countOf(userId);
  }

  /** Number of open connections on this instance (metrics, benchmarks). */
  get localConnections(): number {
    return this.connections.size;
  }

  /** Another instance's `unwatch` (users removed from a conversation) or `kick` (close a user's sockets). */
  private receiveControl(message: ControlMessage): void {
    if (message.unwatch) this.watchers.drop(message.unwatch.conversationId, message.unwatch.userIds);
    if (message.kick) {
      const { userId, code, reason, sessionIds } = message.kick;
      this.connections.closeAll(userId, code, reason, Array.isArray(sessionIds) ? sessionIds : undefined);
    }
  }
}
