/**
 * Ports of the realtime gateway (adapters: memory for one process, Redis for many; context.ts picks).
 */

/**
 * One durable event to record for one user. `body` is the event's JSON object text without `seq`.
 * Ephemeral events (typing, presence) never reach the log: they carry no seq, so the seqs a client
 * sees are exactly those it can catch up on.
 */
export interface LogEntry {
  userId: string;
  body: string;
  /**
   * Logs the entry only if no entry with this key was logged before (within the log's TTL): the
   * same event delivered right after its commit and again by its backstop job is logged once.
   * Entries of one delivery share their key: all of them are logged, or none.
   */
  onceKey?: string;
}

/** What a client that last saw `since` missed. */
export interface MissedEvents {
  /**
   * True when some of what it missed is no longer kept (or `since` is not from this log). Never
   * for `since` 0 ("nothing seen yet") while the user's sequence has lost nothing: a user with no
   * events yet gets an empty catch-up.
   */
  resyncRequired: boolean;
  /** The user's newest seq. */
  latest: number;
  /** Frames (JSON text with `seq`) with seq > since, oldest first; empty when resyncRequired. */
  frames: string[];
}

/**
 * The per-user event sequence and missed-events log. Seqs are assigned atomically and increase by
 * one per logged event, so a client that sees a seq above its last + 1 missed something it can
 * fetch; a user's first seq is one above the wall-clock milliseconds when their sequence
 * (re)started, so a sequence that expired and started again never repeats numbers a client still holds.
 */
export interface EventLog {
  /**
   * Assigns each entry the next seq of its user (in order) and logs it; returns the frames. An entry
   * whose `onceKey` was already used is not logged: its result has seq 0.
   */
  append(entries: readonly LogEntry[]): Promise<Array<{ seq: number; frame: string }>>;
  since(userId: string, since: number): Promise<MissedEvents>;
  latest(userId: string): Promise<number>;
  close(): Promise<void>;
}

/**
 * Who is connected where, shared by all instances. Each instance reports only its own transitions
 * (first connection of a user opened here / last one closed here); an instance that dies stops
 * refreshing its entries and they expire, so a crash cannot leave users online forever.
 */
export interface PresenceStore {
  /** This instance now has (or no longer has) a connection of `userId` counting as online. */
  setLocal(userId: string, online: boolean): Promise<void>;
  /** Users among `userIds` that have a connection on any live instance. */
  onlineAmong(userIds: readonly string[]): Promise<Set<string>>;
  /** This instance now has (or no longer has) a connection of `userId` subscribed to the conversation. */
  setWatching(userId: string, conversationId: string, watching: boolean): Promise<void>;
  /** Users with a connection subscribed to the conversation on any live instance. */
  watchers(conversationId: string): Promise<string[]>;
  /** Keeps this instance's entries alive (called every few seconds). */
  heartbeat(): Promise<void>;
  /** How many instances are alive, this one included (cached briefly). */
  liveInstanceCount(): Promise<number>;
  /** Forgets the cached instance list (another instance just started). */
  refreshInstances(): void;
  /** Removes this instance's entries (graceful shutdown). */
  close(): Promise<void>;
}

/** Builds a frame: the event object's JSON with `seq` appended as its last field. */
export function frameOf(body: string, seq: number): string {
  return body.length > 2 ? `${body.slice(0, -1)},"seq":${seq}}` : `{"seq":${seq}}`;
}
