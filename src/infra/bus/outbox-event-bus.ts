import { randomUUID } from 'node:crypto';
import { afterCommit, type Db } from '../db/database.js';
import type { JobEngine, NewJob, RunningJob } from '../jobs/job-engine.js';
import type { DomainEventName, DomainEvents } from './domain-events.js';
import type { EventBus, EventBusLogger, EventHandler, LiveHandler, Subscriber, SubscriberOptions } from './event-bus.js';

/** A subscriber's job: the event and its payload. The job id is the event id, repeated here for its dead-letter copy. */
export interface EventJobData {
  event: DomainEventName;
  eventId: string;
  payload: unknown;
}

interface SubscriberEntry {
  queue: string;
  options: SubscriberOptions;
  handlers: Map<string, Array<EventHandler<never>>>;
}

/** The queue of a subscriber. */
export function subscriberQueue(name: string): string {
  return `events.${name}`;
}

/** The EventBus port on the job engine (pg-boss): see {@link EventBus}. */
export class OutboxEventBus implements EventBus {
  private readonly subscribers = new Map<string, SubscriberEntry>();
  private readonly live = new Map<string, Set<LiveHandler<never>>>();
  private readonly running = new Set<Promise<void>>();

  constructor(
    private readonly jobs: JobEngine,
    private readonly logger: EventBusLogger,
    private readonly consuming: boolean,
  ) {}

  subscriber(name: string, options: SubscriberOptions = {}): Subscriber {
    if (this.subscribers.has(name)) throw new Error(`subscriber ${name} is registered twice`);
    const entry: SubscriberEntry = { queue: subscriberQueue(name), options, handlers: new Map() };
    this.subscribers.set(name, entry);
    this.jobs.handle(entry.queue, options.policy ?? {}, (job) => this.runJob(entry, job as RunningJob<EventJobData>));
    return {
      on: (event, handler) => {
        const list = entry.handlers.get(event) ?? [];
        list.push(handler as EventHandler<never>);
        entry.handlers.set(event, list);
      },
    };
  }

  onCommit<N extends DomainEventName>(name: N, handler: LiveHandler<N>): () => void {
    let set = this.live.get(name);
    if (!set) {
      set = new Set();
      this.live.set(name, set);
    }
    set.add(handler as LiveHandler<never>);
    return () => set.delete(handler as LiveHandler<never>);
  }

  async publish<N extends DomainEventName>(db: Db, name: N, payload: DomainEvents[N]): Promise<void> {
    const eventId = randomUUID();
    const jobs: NewJob[] = [];
    const afterCommitRuns: Array<() => Promise<void>> = [];
    for (const entry of this.subscribers.values()) {
      const handlers = entry.handlers.get(name);
      if (!handlers) continue;
      const backstop = entry.options.runAfterCommit?.backstopSeconds;
      jobs.push({ queue: entry.queue, id: eventId, data: { event: name, eventId, payload } satisfies EventJobData, startAfterSeconds: backstop });
      if (backstop !== undefined) afterCommitRuns.push(() => this.runHandlers(handlers, payload, eventId, 0));
    }
    await this.jobs.enqueue(db, jobs);
    const live = this.live.get(name);
    if (!live && afterCommitRuns.length === 0 && (!this.consuming || jobs.length === 0)) return;
    afterCommit(db, () => {
      for (const handler of live ?? []) this.track(() => (handler as LiveHandler<N>)(payload), name);
      for (const run of afterCommitRuns) this.track(run, name);
      if (this.consuming) for (const job of jobs) if (job.startAfterSeconds === undefined) this.jobs.wake(job.queue);
    });
  }

  async drain(): Promise<void> {
    for (;;) {
      while (this.running.size > 0) await Promise.allSettled([...this.running]);
      if (this.consuming) await this.jobs.drain();
      if (this.running.size === 0) return;
    }
  }

  private async runJob(entry: SubscriberEntry, job: RunningJob<EventJobData>): Promise<void> {
    const handlers = entry.handlers.get(job.data.event);
    // A job of an event this version no longer handles (a rolling deploy): nothing to do.
    if (!handlers) return;
    await this.runHandlers(handlers, job.data.payload, job.id, job.retryCount);
  }

  private async runHandlers(handlers: ReadonlyArray<EventHandler<never>>, payload: unknown, eventId: string, retryCount: number): Promise<void> {
    for (const handler of handlers) await (handler as EventHandler<DomainEventName>)(payload as never, { eventId, retryCount });
  }

  /** A live run: its failure is logged and never reaches the publisher (the job, if any, is the retry). */
  private track(run: () => Promise<void> | void, event: string): void {
    const done = Promise.resolve()
      .then(run)
      .catch((err: unknown) => this.logger.error({ err, event }, 'after-commit event handler failed'))
      .finally(() => this.running.delete(done));
    this.running.add(done);
  }
}
