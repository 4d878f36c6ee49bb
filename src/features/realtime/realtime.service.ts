import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { PubSub } from '../../infra/pubsub/pubsub.js';
import type { RealtimeDelivery, ServerEvent } from './realtime-delivery.js';
import { frameOf, type EventLog, type LogEntry, type MissedEvents, type PresenceStore } from './realtime.ports.js';

/** A user as typing and presence events show them. */
export interface UserCard {
  id: string;
  username: string;
  full_name: string;
  profile_image_url: string | null;
}

/** What the gateway needs from the users and friends features. */
export interface RealtimePeople {
  /** The user's card and whether they show their online status; undefined for an unknown account. */
  profile(userId: string): Promise<{ card: UserCard; showsOnlineStatus: boolean } | undefined>;
  friendIds(userId: string): Promise<string[]>;
  touchLastSeen(userId: string): Promise<void>;
}

/** Membership check for subscribe and typing (the chat feature's ConversationsService). */
export interface ConversationMembership {
  isParticipant(conversationId: string, userId: string): Promise<boolean>;
}

/** One open, authenticated WebSocket as the service sees it (the gateway implements it). */
export interface RealtimeConnection {
  readonly userId: string;
  /** Conversations this connection subscribed to. */
  readonly subscriptions: Set<string>;
  /** Whether it counts toward the user being online (a client may report itself `offline`). */
  countsOnline: boolean;
  /** Sends one frame (the gateway enforces the outbound buffer limit). */
  send(frame: string): void;
  /** Closes the socket with an application close code. */
  close(code: number, reason: string): void;
  /** Holds writes until uncork(): a batch's frames to one socket leave in one system call. */
  cork?(): void;
  uncork?(): void;
}

export interface RealtimeOptions {
  instanceId?: string;
  typingTimeoutMs: number;
  heartbeatMs: number;
  now: () => Date;
}

interface Delivery {
  userId: string;
  seq: number;
  frame: string;
  /** Only to connections subscribed to this conversation (typing). */
  conversationId?: string | undefined;
}

/** Control messages between instances. */
interface ControlMessage {
  unwatch?: { conversationId: string; userIds: string[] };
  kick?: { userId: string; code: number; reason: string };
}

/** What one instance publishes to the others per batch: [event body, conversation filter, [[user, seq], ...]][]. */
type RemoteBatch = Array<[string, string | null, Array<[string, number]>]>;

interface Pending {
  entries: LogEntry[];
  conversationId: string | undefined;
  done: () => void;
  fail: (err: unknown) => void;
}

interface ConnectionState {
  /** While catching up: live frames wait here (seq, frame, conversation) until the missed ones are out. */
  buffer?: Delivery[];
}

const DELIVER_CHANNEL = 'rt:deliver';
const MAX_BATCHES_IN_FLIGHT = 4;
const HELLO = '"hello"';

/**
 * The realtime gateway's core: per-user sequenced delivery (logged for catch-up), local connection
 * registry, presence and typing. Deliveries are batched: everything asked for while one batch is
 * being logged goes out in the next (one Redis round trip per batch, not per event). Each batch is
 * delivered to this instance's connections directly and to other instances over the pub/sub port.
 */
export class RealtimeService implements RealtimeDelivery {
  readonly instanceId: string;
  private readonly connections = new Map<string, Set<RealtimeConnection>>();
  private readonly states = new WeakMap<RealtimeConnection, ConnectionState>();
  private readonly onlineCounts = new Map<string, number>();
  private readonly watchCounts = new Map<string, number>();
  private readonly typingTimers = new Map<string, NodeJS.Timeout>();
  private queue: Pending[] = [];
  private scheduled = false;
  private inFlight = 0;
  /** Resolves when the newest started batch was delivered (batches deliver strictly in order). */
  private delivered: Promise<void> = Promise.resolve();
  private leaveChannel: (() => Promise<void>) | undefined;
  private heartbeat: NodeJS.Timeout | undefined;
  private joined: Promise<void> | undefined;
  private stopped = false;
  private rewatch: NodeJS.Timeout | undefined;
  private readonly background = new Set<Promise<unknown>>();

  constructor(
    private readonly log: EventLog,
    private readonly presence: PresenceStore,
    private readonly pubsub: PubSub,
    private readonly people: RealtimePeople,
    private readonly membership: ConversationMembership,
    private readonly logger: Logger,
    private readonly options: RealtimeOptions,
  ) {
    this.instanceId = options.instanceId ?? randomUUID();
  }

  /**
   * Starts the presence heartbeat and joins the cross-instance delivery channel; resolves once
   * joined and announced. With Redis down the joining finishes when it is back (callers should not
   * wait for ever: readiness reports Redis meanwhile).
   */
  start(): Promise<void> {
    if (this.joined) return this.joined;
    const joined = (async () => {
      const leave = await this.pubsub.subscribe(DELIVER_CHANNEL, (message) => this.receiveRemote(message));
      if (this.stopped) return void (await leave());
      this.leaveChannel = leave;
      await this.presence.heartbeat();
      // Other instances skip publishing while they believe they are alone: tell them we exist.
      await this.pubsub.publish(DELIVER_CHANNEL, `${this.instanceId}\n${HELLO}`);
    })();
    this.joined = joined;
    this.track(joined);
    this.heartbeat = setInterval(() => this.track(this.presence.heartbeat()), Math.min(10_000, this.options.heartbeatMs));
    this.heartbeat.unref();
    // Conversation-watcher entries expire after a day; re-assert this instance's every half hour.
    this.rewatch = setInterval(() => {
      for (const key of this.watchCounts.keys()) {
        const [userId, conversationId] = key.split('|') as [string, string];
        this.track(this.presence.setWatching(userId, conversationId, true));
      }
    }, 30 * 60_000);
    this.rewatch.unref();
    return joined;
  }

  /** Stops timers, forgets this instance's presence entries and leaves the channel. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.heartbeat) clearInterval(this.heartbeat);
    if (this.rewatch) clearInterval(this.rewatch);
    for (const timer of this.typingTimers.values()) clearTimeout(timer);
    this.typingTimers.clear();
    await this.drainDeliveries();
    await Promise.race([Promise.allSettled([...this.background]), new Promise((resolve) => setTimeout(resolve, 2000).unref())]);
    await this.leaveChannel?.().catch(() => undefined);
    this.leaveChannel = undefined;
    for (const key of this.watchCounts.keys()) {
      const [userId, conversationId] = key.split('|') as [string, string];
      await this.presence.setWatching(userId, conversationId, false).catch(() => undefined);
    }
    this.watchCounts.clear();
    await this.presence.close().catch(() => undefined);
  }

  private track<T>(work: Promise<T>): void {
    const p = work.catch((err: unknown) => this.logger.warn({ err }, 'realtime background work failed'));
    this.background.add(p);
    void p.finally(() => this.background.delete(p));
  }

  // ---- RealtimeDelivery ------------------------------------------------------------------------

  sendToUsers(userIds: readonly string[], event: ServerEvent): Promise<void> {
    return this.enqueue(userIds, event, true);
  }

  async isWatchingConversation(userId: string, conversationId: string): Promise<boolean> {
    if ((this.watchCounts.get(`${userId}|${conversationId}`) ?? 0) > 0) return true;
    return (await this.presence.watchers(conversationId)).includes(userId);
  }

  async isOnline(userId: string): Promise<boolean> {
    if ((this.onlineCounts.get(userId) ?? 0) > 0) return true;
    return (await this.presence.onlineAmong([userId])).has(userId);
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

  // ---- delivery ---------------------------------------------------------------------------------

  /** Sends an ephemeral event (takes a seq, not logged); `conversationId` limits it to subscribed connections. */
  sendEphemeral(userIds: readonly string[], event: ServerEvent, conversationId?: string): Promise<void> {
    return this.enqueue(userIds, event, false, conversationId);
  }

  private enqueue(userIds: readonly string[], event: ServerEvent, durable: boolean, conversationId?: string): Promise<void> {
    const unique = [...new Set(userIds)];
    if (unique.length === 0) return Promise.resolve();
    const body = JSON.stringify(event);
    return new Promise<void>((done, fail) => {
      this.queue.push({ entries: unique.map((userId) => ({ userId, body, durable })), conversationId, done, fail });
      if (!this.scheduled) {
        this.scheduled = true;
        // Let the current tick's sends join the batch.
        setImmediate(() => {
          this.scheduled = false;
          this.pump();
        });
      }
    });
  }

  /**
   * Starts batches while fewer than MAX_BATCHES_IN_FLIGHT are pending. Their log calls go out in
   * order on one Redis connection (so seqs are assigned in order) and overlap with the delivery of
   * the previous batch; deliveries and publishes still happen strictly batch after batch.
   */
  private pump(): void {
    while (this.queue.length > 0 && this.inFlight < MAX_BATCHES_IN_FLIGHT) {
      const batch = this.queue;
      this.queue = [];
      this.inFlight += 1;
      const appended = this.log.append(batch.flatMap((p) => p.entries));
      appended.catch(() => undefined);
      const previous = this.delivered;
      this.delivered = previous
        .then(() => this.deliverBatch(batch, appended))
        .finally(() => {
          this.inFlight -= 1;
          this.pump();
        });
    }
  }

  private async drainDeliveries(): Promise<void> {
    while (this.inFlight > 0 || this.queue.length > 0 || this.scheduled) {
      if (!this.scheduled && this.inFlight === 0) this.pump();
      await this.delivered;
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }

  private async deliverBatch(batch: Pending[], appended: Promise<Array<{ seq: number; frame: string }>>): Promise<void> {
    let results: Array<{ seq: number; frame: string }>;
    try {
      results = await appended;
    } catch (err) {
      for (const p of batch) p.fail(err);
      return;
    }
    // For other instances each event travels once with its recipients' seqs: [body, conversation, [[user, seq], ...]].
    const remote: RemoteBatch = [];
    const corked = new Set<RealtimeConnection>();
    let i = 0;
    for (const p of batch) {
      const targets: Array<[string, number]> = [];
      for (const entry of p.entries) {
        const r = results[i++]!;
        targets.push([entry.userId, r.seq]);
        this.deliverLocal({ userId: entry.userId, seq: r.seq, frame: r.frame, conversationId: p.conversationId }, corked);
      }
      remote.push([p.entries[0]!.body, p.conversationId ?? null, targets]);
    }
    for (const conn of corked) conn.uncork?.();
    // Alone (one process, or the only live instance): nobody else to tell.
    let alone: boolean;
    try {
      alone = (await this.presence.liveInstanceCount()) <= 1;
    } catch {
      alone = false;
    }
    if (alone) {
      for (const p of batch) p.done();
      return;
    }
    // The origin goes first, outside the JSON, so an instance skips its own batches without parsing
    // them. Issued in batch order; callers resolve once it is published.
    this.pubsub.publish(DELIVER_CHANNEL, `${this.instanceId}\n${JSON.stringify(remote)}`).then(
      () => batch.forEach((p) => p.done()),
      (err: unknown) => batch.forEach((p) => p.fail(err)),
    );
  }

  private receiveRemote(message: string): void {
    const newline = message.indexOf('\n');
    const origin = message.slice(0, newline);
    if (newline < 0 || origin === this.instanceId) return;
    if (message.length === newline + 1 + HELLO.length && message.endsWith(HELLO)) {
      this.presence.refreshInstances();
      return;
    }
    try {
      const payload = JSON.parse(message.slice(newline + 1)) as RemoteBatch | ControlMessage;
      if (!Array.isArray(payload)) {
        if (payload.unwatch) this.dropSubscriptions(payload.unwatch.conversationId, payload.unwatch.userIds);
        if (payload.kick) this.closeLocal(payload.kick.userId, payload.kick.code, payload.kick.reason);
        return;
      }
      const corked = new Set<RealtimeConnection>();
      for (const [body, conversationId, targets] of payload) {
        for (const [userId, seq] of targets) {
          if (!this.connections.has(userId)) continue;
          this.deliverLocal({ userId, seq, frame: frameOf(body, seq), conversationId: conversationId ?? undefined }, corked);
        }
      }
      for (const conn of corked) conn.uncork?.();
    } catch (err) {
      this.logger.warn({ err }, 'malformed realtime batch from another instance');
    }
  }

  private deliverLocal(d: Delivery, corked?: Set<RealtimeConnection>): void {
    const conns = this.connections.get(d.userId);
    if (!conns) return;
    for (const conn of conns) {
      if (d.conversationId && !conn.subscriptions.has(d.conversationId)) continue;
      const state = this.states.get(conn);
      if (state?.buffer) {
        state.buffer.push(d);
        continue;
      }
      if (corked && conn.cork && !corked.has(conn)) {
        conn.cork();
        corked.add(conn);
      }
      conn.send(d.frame);
    }
  }

  // ---- connections --------------------------------------------------------------------------------

  /**
   * Adds an authenticated connection. With `since`, the missed events are sent first (or a
   * `resync_required` frame), then whatever arrived meanwhile, without duplicates.
   */
  async connect(conn: RealtimeConnection, since: number | undefined): Promise<void> {
    // Live frames wait until `connected` (and the missed events) went out.
    const state: ConnectionState = { buffer: [] };
    this.states.set(conn, state);
    let set = this.connections.get(conn.userId);
    if (!set) this.connections.set(conn.userId, (set = new Set()));
    set.add(conn);
    try {
      // Presence first: once a client sees `connected`, every instance sees it online.
      if (conn.countsOnline) await this.countOnline(conn.userId, +1);
      const sent = new Set<number>();
      let floor = 0;
      if (since === undefined) {
        conn.send(JSON.stringify({ event: 'connected', user_id: conn.userId, seq: await this.log.latest(conn.userId) }));
      } else {
        const missed = await this.log.since(conn.userId, since);
        conn.send(JSON.stringify({ event: 'connected', user_id: conn.userId, seq: missed.latest }));
        if (missed.resyncRequired) {
          conn.send(JSON.stringify({ event: 'resync_required', since, latest_seq: missed.latest }));
          floor = missed.latest;
        } else {
          for (const frame of missed.frames) {
            conn.send(frame);
            sent.add(seqOf(frame));
          }
        }
      }
      for (const d of state.buffer ?? []) if (d.seq > floor && !sent.has(d.seq)) conn.send(d.frame);
    } finally {
      delete state.buffer;
    }
  }

  /** Removes a closed connection: its subscriptions, typing state and presence. */
  async disconnect(conn: RealtimeConnection): Promise<void> {
    const set = this.connections.get(conn.userId);
    if (!set?.delete(conn)) return;
    if (set.size === 0) this.connections.delete(conn.userId);
    for (const conversationId of [...conn.subscriptions]) await this.unsubscribe_(conn, conversationId);
    if (conn.countsOnline) await this.countOnline(conn.userId, -1);
  }

  /** A client reported its status: `offline` (e.g. app in background) stops counting this connection. */
  async setStatus(conn: RealtimeConnection, status: 'online' | 'offline'): Promise<void> {
    const counts = status === 'online';
    if (conn.countsOnline === counts) return;
    conn.countsOnline = counts;
    await this.countOnline(conn.userId, counts ? +1 : -1);
  }

  /** Subscribes the connection to a conversation; false when the user is not a participant. */
  async subscribe(conn: RealtimeConnection, conversationId: string): Promise<boolean> {
    if (conn.subscriptions.has(conversationId)) return true;
    if (!(await this.membership.isParticipant(conversationId, conn.userId))) return false;
    if (conn.subscriptions.has(conversationId)) return true;
    conn.subscriptions.add(conversationId);
    const key = `${conn.userId}|${conversationId}`;
    const count = (this.watchCounts.get(key) ?? 0) + 1;
    this.watchCounts.set(key, count);
    if (count === 1) await this.presence.setWatching(conn.userId, conversationId, true);
    return true;
  }

  async unsubscribe(conn: RealtimeConnection, conversationId: string): Promise<void> {
    await this.unsubscribe_(conn, conversationId);
  }

  private async unsubscribe_(conn: RealtimeConnection, conversationId: string): Promise<void> {
    if (!conn.subscriptions.delete(conversationId)) return;
    const key = `${conn.userId}|${conversationId}`;
    const count = (this.watchCounts.get(key) ?? 1) - 1;
    if (count > 0) {
      this.watchCounts.set(key, count);
      return;
    }
    this.watchCounts.delete(key);
    await this.presence.setWatching(conn.userId, conversationId, false);
    if (this.typingTimers.has(key)) await this.typing(conn, conversationId, false);
  }

  /** Stops the subscriptions of users removed from a conversation, on every instance. */
  async forgetWatchers(conversationId: string, userIds: string[]): Promise<void> {
    if (userIds.length === 0) return;
    this.dropSubscriptions(conversationId, userIds);
    await this.pubsub.publish(DELIVER_CHANNEL, `${this.instanceId}\n${JSON.stringify({ unwatch: { conversationId, userIds } })}`);
  }

  /**
   * Closes every socket of the user on every instance (password changed, account deactivated: the
   * tokens they were opened with no longer hold).
   */
  async disconnectUser(userId: string, code: number, reason: string): Promise<void> {
    this.closeLocal(userId, code, reason);
    await this.pubsub.publish(DELIVER_CHANNEL, `${this.instanceId}\n${JSON.stringify({ kick: { userId, code, reason } })}`);
  }

  private closeLocal(userId: string, code: number, reason: string): void {
    for (const conn of [...(this.connections.get(userId) ?? [])]) conn.close(code, reason);
  }

  private dropSubscriptions(conversationId: string, userIds: string[]): void {
    for (const userId of userIds) {
      for (const conn of this.connections.get(userId) ?? []) this.track(this.unsubscribe_(conn, conversationId));
    }
  }

  /**
   * Relays typing to the conversation's other subscribers. A `true` that is not renewed within the
   * typing timeout is followed by a `false`. Returns false when the user is not a participant.
   */
  async typing(conn: RealtimeConnection, conversationId: string, isTyping: boolean): Promise<boolean> {
    if (!conn.subscriptions.has(conversationId) && !(await this.membership.isParticipant(conversationId, conn.userId))) {
      return false;
    }
    const key = `${conn.userId}|${conversationId}`;
    const timer = this.typingTimers.get(key);
    if (timer) clearTimeout(timer);
    this.typingTimers.delete(key);
    if (isTyping) {
      const expire = setTimeout(() => {
        this.typingTimers.delete(key);
        this.track(this.relayTyping(conn.userId, conversationId, false));
      }, this.options.typingTimeoutMs);
      expire.unref();
      this.typingTimers.set(key, expire);
    }
    await this.relayTyping(conn.userId, conversationId, isTyping);
    return true;
  }

  private async relayTyping(userId: string, conversationId: string, isTyping: boolean): Promise<void> {
    const [profile, watchers] = await Promise.all([this.people.profile(userId), this.presence.watchers(conversationId)]);
    if (!profile) return;
    const { id, username, full_name } = profile.card;
    const others = watchers.filter((w) => w !== userId);
    await this.sendEphemeral(
      others,
      { event: 'typing', conversation_id: conversationId, user: { id, username, full_name }, is_typing: isTyping },
      conversationId,
    );
  }

  private async countOnline(userId: string, delta: 1 | -1): Promise<void> {
    const before = this.onlineCounts.get(userId) ?? 0;
    const after = Math.max(0, before + delta);
    if (after === 0) this.onlineCounts.delete(userId);
    else this.onlineCounts.set(userId, after);
    if (before === 0 && after === 1) {
      const elsewhere = (await this.presence.onlineAmong([userId])).has(userId);
      await this.presence.setLocal(userId, true);
      if (!elsewhere) this.track(this.announcePresence(userId, 'online'));
    } else if (before > 0 && after === 0) {
      await this.presence.setLocal(userId, false);
      const elsewhere = (await this.presence.onlineAmong([userId])).has(userId);
      if (!elsewhere && (this.onlineCounts.get(userId) ?? 0) === 0) {
        await this.people.touchLastSeen(userId);
        this.track(this.announcePresence(userId, 'offline'));
      }
    }
  }

  /** `presence.update` to the user's friends, only when the user shows their online status. */
  private async announcePresence(userId: string, status: 'online' | 'offline'): Promise<void> {
    const profile = await this.people.profile(userId);
    if (!profile?.showsOnlineStatus) return;
    const friends = await this.people.friendIds(userId);
    await this.sendEphemeral(friends, {
      event: 'presence.update',
      user_id: userId,
      status,
      last_seen_at: this.options.now().toISOString(),
    });
  }

  /** Open connections of one user on this instance. */
  localConnectionsOf(userId: string): number {
    return this.connections.get(userId)?.size ?? 0;
  }

  /** Number of open connections on this instance (metrics, benchmarks). */
  get localConnections(): number {
    let n = 0;
    for (const set of this.connections.values()) n += set.size;
    return n;
  }
}

function seqOf(frame: string): number {
  return Number(/"seq":(\d+)}$/.exec(frame)?.[1] ?? 0);
}
