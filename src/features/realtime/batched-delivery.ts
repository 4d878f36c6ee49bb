import type { ServerEvent } from './realtime-delivery.js';
import type { ConnectionRegistry } from './connection-registry.js';
import type { InstanceChannel, RemoteBatch } from './instance-channel.js';
import { frameOf, type EventLog, type LogEntry, type PresenceStore } from './realtime.ports.js';

interface Pending {
  userIds: string[];
  /** The event's JSON text without `seq`. */
  body: string;
  /** Logged and sequenced; an ephemeral event goes out as it is, without `seq`. */
  durable: boolean;
  conversationId: string | undefined;
  /** Logged (and delivered) only once per key: see LogEntry.onceKey. */
  onceKey: string | undefined;
  done: () => void;
  fail: (err: unknown) => void;
}

const MAX_BATCHES_IN_FLIGHT = 4;

/**
 * Per-user sequenced delivery. Everything asked for while one batch is being logged goes out in the
 * next (one Redis round trip per batch, not per event; none for a batch of ephemeral events only).
 * Each batch is delivered, in the order it was asked for, to this instance's connections directly
 * and to other instances over the instance channel.
 */
export class BatchedDelivery {
  private queue: Pending[] = [];
  private scheduled = false;
  private inFlight = 0;
  /** Resolves when the newest started batch was delivered (batches deliver strictly in order). */
  private delivered: Promise<void> = Promise.resolve();

  constructor(
    private readonly log: EventLog,
    private readonly presence: PresenceStore,
    private readonly channel: InstanceChannel,
    private readonly registry: ConnectionRegistry,
    /** Whether this process is a live instance (joined the channel); a worker is not, and always publishes. */
    private readonly isInstance: () => boolean,
  ) {}

  /**
   * Queues `event` for each user (once per user). A `durable` event takes the next seq of each
   * user's sequence and is logged for catch-up; an ephemeral one (typing, presence) takes no seq and
   * is not logged, so seqs stay contiguous. `conversationId` limits it to subscribed connections.
   * Resolves once it is logged and published. A durable event with `onceKey` goes out only if no
   * delivery with that key was logged before (an event's after-commit run and its backstop job).
   */
  enqueue(userIds: readonly string[], event: ServerEvent, durable: boolean, conversationId?: string, onceKey?: string): Promise<void> {
    const unique = [...new Set(userIds)];
    if (unique.length === 0) return Promise.resolve();
    const body = JSON.stringify(event);
    return new Promise<void>((done, fail) => {
      this.queue.push({ userIds: unique, body, durable, conversationId, onceKey, done, fail });
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

  /** Resolves once everything queued so far (and queued meanwhile) was delivered. */
  async drain(): Promise<void> {
    while (this.inFlight > 0 || this.queue.length > 0 || this.scheduled) {
      if (!this.scheduled && this.inFlight === 0) this.pump();
      await this.delivered;
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }

  /** Delivers another instance's batch to this instance's connections of its recipients. */
  deliverRemote(batch: RemoteBatch): void {
    this.registry.sendBatch((deliver) => {
      for (const [body, conversationId, targets] of batch) {
        for (const [userId, seq] of targets) {
          if (!this.registry.hasUser(userId)) continue;
          const frame = seq === null ? body : frameOf(body, seq);
          deliver({ userId, seq: seq ?? undefined, frame, conversationId: conversationId ?? undefined });
        }
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
      const logged: LogEntry[] = batch
        .filter((p) => p.durable)
        .flatMap((p) => p.userIds.map((userId) => ({ userId, body: p.body, onceKey: p.onceKey })));
      const appended = this.log.append(logged);
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

  private async deliverBatch(batch: Pending[], appended: Promise<Array<{ seq: number; frame: string }>>): Promise<void> {
    let results: Array<{ seq: number; frame: string }>;
    try {
      results = await appended;
    } catch (err) {
      for (const p of batch) p.fail(err);
      return;
    }
    // For other instances each event travels once with its recipients' seqs (null: ephemeral):
    // [body, conversation, [[user, seq], ...]].
    const remote: RemoteBatch = [];
    this.registry.sendBatch((deliver) => {
      let i = 0;
      for (const p of batch) {
        const targets: Array<[string, number | null]> = [];
        for (const userId of p.userIds) {
          if (p.durable) {
            const r = results[i++]!;
            // Already delivered under its once key (this is the backstop run): nothing to send.
            if (r.seq === 0) continue;
            targets.push([userId, r.seq]);
            deliver({ userId, seq: r.seq, frame: r.frame, conversationId: p.conversationId });
          } else {
            targets.push([userId, null]);
            deliver({ userId, frame: p.body, conversationId: p.conversationId });
          }
        }
        if (targets.length > 0) remote.push([p.body, p.conversationId ?? null, targets]);
      }
    });
    // Alone (one process, or the only live instance): nobody else to tell.
    let alone: boolean;
    try {
      alone = this.isInstance() && (await this.presence.liveInstanceCount()) <= 1;
    } catch {
      // Cannot tell: publish (a message nobody receives is harmless, a missed one is not).
      alone = false;
    }
    if (alone) {
      for (const p of batch) p.done();
      return;
    }
    // Issued in batch order; callers resolve once it is published.
    this.channel.publishBatch(remote).then(
      () => batch.forEach((p) => p.done()),
      (err: unknown) => batch.forEach((p) => p.fail(err)),
    );
  }
}
