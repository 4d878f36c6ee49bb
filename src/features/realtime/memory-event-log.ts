import { frameOf, type EventLog, type LogEntry, type MissedEvents } from './realtime.ports.js';

interface UserLog {
  seq: number;
  /** The seq before the first event of this sequence: `since` 0 means "from here". */
  start: number;
  /** Every event with seq ≤ floor is no longer available. */
  floor: number;
  frames: Array<{ seq: number; at: number; frame: string }>;
  touchedAt: number;
}

/**
 * The event log of a single process: per user the newest `maxEvents` frames younger than `ttlMs`,
 * and the sequence (seq, start, floor) for `metaTtlMs` after the user's last event (like the Redis
 * log's counter); at most `maxUsers` users (the least recently active are forgotten, and their
 * clients are told to resync).
 */
export class MemoryEventLog implements EventLog {
  private readonly users = new Map<string, UserLog>();

  constructor(
    private readonly maxEvents: number,
    private readonly ttlMs: number,
    private readonly maxUsers = 100_000,
    private readonly now: () => number = Date.now,
    /** How long an idle user's sequence is remembered (its frames expire after `ttlMs` anyway). */
    private readonly metaTtlMs = 30 * 24 * 3600_000,
  ) {}

  /** Once keys used, with when they expire (insertion order = expiry order: one TTL for all). */
  private readonly onceKeys = new Map<string, number>();

  /** True for the first entries with `key` (all of one delivery), false after: see LogEntry.onceKey. */
  private claimOnce(key: string, now: number, decided: Map<string, boolean>): boolean {
    const known = decided.get(key);
    if (known !== undefined) return known;
    for (const [old, until] of this.onceKeys) {
      if (until > now) break;
      this.onceKeys.delete(old);
    }
    const fresh = !this.onceKeys.has(key);
    if (fresh) this.onceKeys.set(key, now + this.ttlMs);
    decided.set(key, fresh);
    return fresh;
  }

  private logOf(userId: string, create: boolean): UserLog | undefined {
    let log = this.users.get(userId);
    const now = this.now();
    if (log && now - log.touchedAt > this.metaTtlMs) {
      this.users.delete(userId);
      log = undefined;
    }
    if (!log && create) {
      const base = Math.max(now, 1);
      log = { seq: base, start: base, floor: base, frames: [], touchedAt: now };
      if (this.users.size >= this.maxUsers) {
        const oldest = this.users.keys().next().value;
        if (oldest !== undefined) this.users.delete(oldest);
      }
    }
    if (log && create) {
      // Map order = least recently active first.
      this.users.delete(userId);
      this.users.set(userId, log);
      log.touchedAt = now;
    }
    return log;
  }

  async append(entries: readonly LogEntry[]): Promise<Array<{ seq: number; frame: string }>> {
    const now = this.now();
    const decided = new Map<string, boolean>();
    return entries.map((entry) => {
      if (entry.onceKey !== undefined && !this.claimOnce(entry.onceKey, now, decided)) return { seq: 0, frame: '' };
      const log = this.logOf(entry.userId, true)!;
      log.seq += 1;
      const frame = frameOf(entry.body, log.seq);
      log.frames.push({ seq: log.seq, at: now, frame });
      this.prune(log, now);
      return { seq: log.seq, frame };
    });
  }

  private prune(log: UserLog, now: number): void {
    let drop = 0;
    while (
      drop < log.frames.length &&
      (log.frames.length - drop > this.maxEvents || now - log.frames[drop]!.at > this.ttlMs)
    ) {
      drop += 1;
    }
    if (drop > 0) {
      log.floor = log.frames[drop - 1]!.seq;
      log.frames.splice(0, drop);
    }
  }

  async since(userId: string, since: number): Promise<MissedEvents> {
    const log = this.logOf(userId, false);
    // No sequence: nothing was ever sent (or so long ago that it is forgotten). Only a client that
    // saw nothing yet is up to date; a seq from a forgotten sequence must resync.
    if (!log) return { resyncRequired: since !== 0, latest: 0, frames: [] };
    this.prune(log, this.now());
    const from = since === 0 ? log.start : since;
    if (from < log.floor || from > log.seq) return { resyncRequired: true, latest: log.seq, frames: [] };
    return { resyncRequired: false, latest: log.seq, frames: log.frames.filter((f) => f.seq > from).map((f) => f.frame) };
  }

  async latest(userId: string): Promise<number> {
    return this.logOf(userId, false)?.seq ?? 0;
  }

  async close(): Promise<void> {
    this.users.clear();
  }
}
