import type { Db } from '../db/database.js';
import type { QueuePolicy } from '../jobs/job-engine.js';
import type { DomainEventName, DomainEvents } from './domain-events.js';

/** Where a handler's run comes from: `eventId` is the event's idempotency key (the same on every retry). */
export interface EventMeta {
  eventId: string;
  /** Runs of this event's job before this one (0: the first; the after-commit run counts as none). */
  retryCount: number;
}

export type EventHandler<N extends DomainEventName> = (payload: DomainEvents[N], meta: EventMeta) => Promise<void> | void;

export type LiveHandler<N extends DomainEventName> = (payload: DomainEvents[N]) => Promise<void> | void;

export interface SubscriberOptions {
  /** Retries of this subscriber's queue (defaults: see QueuePolicy). */
  policy?: QueuePolicy;
  /**
   * Runs the handlers in the publishing process right after the commit as well (realtime delivery:
   * at once, not at the next poll), and the subscriber's job only `backstopSeconds` later, as the
   * guarantee in case that run never happened (a crash, Redis away). Both runs carry the same
   * eventId, which such handlers must treat as their idempotency key.
   */
  runAfterCommit?: { backstopSeconds: number };
}

/** One subscriber (a feature's reaction to events): one queue, `events.<name>`, with its own retries. */
export interface Subscriber {
  on<N extends DomainEventName>(name: N, handler: EventHandler<N>): void;
}

/**
 * The domain-event bus (transactional outbox). A service publishes inside the transaction of the
 * write the event reports: each durable subscriber of the event gets a job through that same
 * transaction, so the reaction happens — at least once, after any crash — if and only if the write
 * committed. Handlers run as jobs with retries, backoff and a dead-letter queue, and are idempotent
 * per `eventId`. `onCommit` handlers are best-effort and in-process (closing sockets, ...): they run
 * after the commit in the publishing process only.
 */
export interface EventBus {
  /**
   * Records the event through `db`: a transaction handle (the jobs commit or roll back with it; live
   * handlers run once it has committed), or the root handle for an event with no write of its own.
   */
  publish<N extends DomainEventName>(db: Db, name: N, payload: DomainEvents[N]): Promise<void>;
  /** A durable subscriber named `name` (its queue: `events.<name>`); register before the engine starts. */
  subscriber(name: string, options?: SubscriberOptions): Subscriber;
  /** Best-effort, in-process: runs after each commit of a `name` event published in this process. */
  onCommit<N extends DomainEventName>(name: N, handler: LiveHandler<N>): () => void;
  /** Resolves when every handler started so far — live ones and ready jobs, with what they published — has finished (tests, scripts). */
  drain(): Promise<void>;
}

export interface EventBusLogger {
  error(obj: object, msg: string): void;
}
