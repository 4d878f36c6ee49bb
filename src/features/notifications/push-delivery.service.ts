import type { Clock } from '../../infra/clock/clock.js';
import { afterCommit, inTransaction, type Database, type Db } from '../../infra/db/database.js';
import { claimReceipt, type EventReceipt } from '../../infra/db/event-receipts.js';
import type { PushMessage, PushOutcome, PushSender } from '../../infra/push/push-sender.js';
import { PREFERENCE_COLUMNS, type PreferenceKey } from './notifications.catalog.js';
import { PushOutboxRepo, type ClaimedPush, type EnqueueItem, type ProviderChoice } from './push-outbox.repo.js';

/** The configured senders; a provider without one records its pushes and logs them ("would have sent"). */
export interface PushSenders {
  fcm?: PushSender | undefined;
  webpush?: PushSender | undefined;
}

export interface PushDeliveryLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface PushDeliveryOptions {
  batchSize: number;
  /** Sends in flight at once within a batch. */
  concurrency: number;
  /** Attempts before a push that keeps failing transiently is given up. */
  maxAttempts: number;
  /** First retry delay; doubles per attempt up to maxBackoffMs. */
  baseBackoffMs: number;
  maxBackoffMs: number;
  /** How long a claimed row stays invisible to other senders while this one sends it. */
  leaseMs: number;
  /** Batches one run may take (keeps a run bounded; the next run continues). */
  maxBatchesPerRun: number;
  /** Run a delivery pass in this process right after enqueueing (low latency). */
  kickOnEnqueue: boolean;
}

export const DEFAULT_PUSH_DELIVERY: PushDeliveryOptions = {
  batchSize: 50,
  concurrency: 8,
  maxAttempts: 8,
  baseBackoffMs: 15_000,
  maxBackoffMs: 30 * 60_000,
  leaseMs: 2 * 60_000,
  maxBatchesPerRun: 20,
  kickOnEnqueue: true,
};

/** Where each push's outcome in a pass is counted (the metrics); by default nowhere. */
export interface PushOutcomeCounter {
  countPushDelivery(provider: string, outcome: 'sent' | 'retried' | 'failed' | 'token_invalid' | 'skipped'): void;
}

const NOT_COUNTED: PushOutcomeCounter = { countPushDelivery: () => undefined };

export interface DeliveryStats {
  sent: number;
  retried: number;
  failed: number;
  deactivated: number;
  skipped: number;
}

/**
 * Durable push delivery over `push_outbox`. Enqueueing writes one row per device; a delivery pass
 * claims due rows (at most one sender per row, across processes), re-checks the token and the
 * user's preferences, sends through the provider's sender and records the outcome: sent (and
 * `notifications.push_sent`), retried later with exponential backoff (5xx, 429, timeouts, network),
 * token deactivated (unregistered), or failed. Passes run from the scheduler and, in-process,
 * right after an enqueue.
 */
export class PushDeliveryService {
  private readonly repo: PushOutboxRepo;
  private readonly options: PushDeliveryOptions;
  private running: Promise<void> | undefined;
  private again = false;
  private closed = false;

  constructor(
    private readonly database: Database,
    private readonly clock: Clock,
    private readonly logger: PushDeliveryLogger,
    private readonly senders: PushSenders,
    options: Partial<PushDeliveryOptions> = {},
    private readonly outcomes: PushOutcomeCounter = NOT_COUNTED,
  ) {
    this.repo = new PushOutboxRepo(database.db);
    this.options = { ...DEFAULT_PUSH_DELIVERY, ...options };
  }

  get providers(): ProviderChoice {
    return { mobile: this.senders.fcm ? 'fcm' : 'log', web: this.senders.webpush ? 'webpush' : 'log' };
  }

  /**
   * Queues pushes for users' active devices (see PushOutboxRepo.enqueue) and starts a pass: through
   * `tx` when given (the rows commit with the caller's transaction, the pass starts after the commit).
   */
  async enqueue(items: EnqueueItem[], preference: PreferenceKey, actorId: string | null, tx?: Db): Promise<number> {
    const queued = await (tx ? new PushOutboxRepo(tx) : this.repo).enqueue(items, preference, actorId, this.providers, this.clock.now());
    if (queued > 0 && this.options.kickOnEnqueue) afterCommit(tx ?? this.database.db, () => this.kick());
    return queued;
  }

  /**
   * `enqueue` once per `receipt` (an event's handler): the rows commit with the receipt in one
   * transaction, so a retried job queues no second push (returns 0).
   */
  async enqueueOnce(items: EnqueueItem[], preference: PreferenceKey, actorId: string | null, receipt: EventReceipt): Promise<number> {
    if (items.length === 0) return 0;
    return inTransaction(this.database, async (tx) => ((await claimReceipt(tx, receipt)) ? this.enqueue(items, preference, actorId, tx) : 0));
  }

  /** Starts a delivery pass in this process soon; passes never overlap within a process. */
  kick(): void {
    if (this.closed) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = (async () => {
      do {
        this.again = false;
        await this.deliverDue().catch((err: unknown) => this.logger.error({ err }, 'push delivery pass failed'));
      } while (this.again && !this.closed);
    })().finally(() => {
      this.running = undefined;
    });
  }

  /** Stops kicking and waits for a pass in progress (graceful shutdown). */
  async close(): Promise<void> {
    this.closed = true;
    await this.running;
  }

  /** One delivery pass: claims and sends due pushes, batch after batch, until none is due or the run's bound. */
  async deliverDue(): Promise<DeliveryStats> {
    const stats: DeliveryStats = { sent: 0, retried: 0, failed: 0, deactivated: 0, skipped: 0 };
    for (let batch = 0; batch < this.options.maxBatchesPerRun; batch++) {
      const now = this.clock.now();
      const claimed = await this.repo.claim(now, new Date(now.getTime() + this.options.leaseMs), this.options.batchSize);
      if (claimed.length === 0) break;
      for (let i = 0; i < claimed.length; i += this.options.concurrency) {
        await Promise.all(claimed.slice(i, i + this.options.concurrency).map((row) => this.deliver(row, stats)));
      }
      if (claimed.length < this.options.batchSize) break;
    }
    return stats;
  }

  private async deliver(row: ClaimedPush, stats: DeliveryStats): Promise<void> {
    try {
      const skip = await this.skipReason(row);
      if (skip) {
        stats.skipped++;
        this.outcomes.countPushDelivery(row.provider, 'skipped');
        await this.repo.markFailed(row.id, row.attempts, `skipped: ${skip}`);
        return;
      }
      const outcome = await this.send(row);
      await this.record(row, outcome, stats);
    } catch (err) {
      // A database error after claiming: the lease expires and another pass retries the row.
      this.logger.error({ err, outboxId: row.id }, 'push delivery of one row failed');
    }
  }

  /** Why this push must not go out any more (checked at send time), or undefined. */
  private async skipReason(row: ClaimedPush): Promise<string | undefined> {
    const token = row.token;
    if (!token) return 'token removed';
    if (!token.active) return 'token inactive';
    if (token.ownerId !== row.userId) return 'token now belongs to another account';
    const prefs = row.preferences;
    if (prefs && prefs.push_enabled === false) return 'push disabled by the user';
    if (prefs && prefs[PREFERENCE_COLUMNS[row.payload.preference]] === false) return `${row.payload.preference} disabled by the user`;
    if (row.payload.kind === 'notification' && (!row.notificationId || !(await this.repo.notificationExists(row.notificationId)))) {
      return 'notification deleted';
    }
    return undefined;
  }

  private async send(row: ClaimedPush): Promise<PushOutcome> {
    const p = row.payload;
    const message: PushMessage = {
      title: p.title,
      body: p.body,
      data: p.data,
      imageUrl: p.image_url,
      ttlSeconds: p.ttl_seconds,
      collapseKey: p.collapse_key,
      urgency: p.urgency,
    };
    if (row.provider === 'log') {
      this.logger.info(
        { push: { outboxId: row.id, userId: row.userId, deviceType: row.token?.deviceType, title: p.title, body: p.body, data: p.data } },
        'push not configured: would have sent',
      );
      return { kind: 'sent' };
    }
    const sender = this.senders[row.provider];
    if (!sender) return { kind: 'failed', reason: `${row.provider} is not configured in this process` };
    // token is non-null here: skipReason checked it.
    return sender.send(row.token?.value ?? '', message);
  }

  private async record(row: ClaimedPush, outcome: PushOutcome, stats: DeliveryStats): Promise<void> {
    const now = this.clock.now();
    switch (outcome.kind) {
      case 'sent':
        stats.sent++;
        this.outcomes.countPushDelivery(row.provider, 'sent');
        await this.repo.markSent(row.id, row.attempts, now);
        if (row.notificationId && row.provider !== 'log') await this.repo.markNotificationPushed(row.notificationId, now);
        return;
      case 'token_invalid':
        stats.deactivated++;
        this.outcomes.countPushDelivery(row.provider, 'token_invalid');
        if (row.pushTokenId) await this.repo.deactivateToken(row.pushTokenId, now);
        await this.repo.markFailed(row.id, row.attempts, outcome.reason);
        this.logger.info({ outboxId: row.id, pushTokenId: row.pushTokenId, reason: outcome.reason }, 'push token deactivated');
        return;
      case 'failed':
        stats.failed++;
        this.outcomes.countPushDelivery(row.provider, 'failed');
        await this.repo.markFailed(row.id, row.attempts, outcome.reason);
        this.logger.warn({ outboxId: row.id, provider: row.provider, reason: outcome.reason }, 'push failed');
        return;
      case 'retry': {
        if (row.attempts >= this.options.maxAttempts) {
          stats.failed++;
          this.outcomes.countPushDelivery(row.provider, 'failed');
          await this.repo.markFailed(row.id, row.attempts, `gave up after ${row.attempts} attempts: ${outcome.reason}`);
          this.logger.warn({ outboxId: row.id, provider: row.provider, reason: outcome.reason }, 'push given up');
          return;
        }
        stats.retried++;
        this.outcomes.countPushDelivery(row.provider, 'retried');
        const backoff = Math.min(this.options.maxBackoffMs, this.options.baseBackoffMs * 2 ** (row.attempts - 1));
        const jittered = backoff + Math.floor(Math.random() * backoff * 0.1);
        const delay = Math.max(jittered, Math.min(outcome.retryAfterMs ?? 0, this.options.maxBackoffMs * 2));
        await this.repo.reschedule(row.id, row.attempts, new Date(now.getTime() + delay), outcome.reason);
        return;
      }
    }
  }
}
