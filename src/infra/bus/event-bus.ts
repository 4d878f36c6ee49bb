import type { DomainEventName, DomainEvents } from './domain-events.js';

export type EventHandler<N extends DomainEventName> = (payload: DomainEvents[N]) => Promise<void> | void;

/**
 * The domain-event bus. Services publish after their transaction commits; subscribers (notifications,
 * feed, realtime, achievements, ...) react. Handlers run in the publishing process, after the
 * publisher's call returns, and one failing handler never affects the publisher or other handlers.
 * Work that must survive a crash or run exactly once is handed to the jobs port by its handler.
 */
export interface EventBus {
  publish<N extends DomainEventName>(name: N, payload: DomainEvents[N]): void;
  subscribe<N extends DomainEventName>(name: N, handler: EventHandler<N>): () => void;
  /** Resolves when every handler started so far has finished (tests and graceful shutdown). */
  drain(): Promise<void>;
}

export interface EventBusLogger {
  error(obj: object, msg: string): void;
}

/** In-process implementation of the EventBus port. */
export class InProcessEventBus implements EventBus {
  private readonly handlers = new Map<string, Set<EventHandler<never>>>();
  private readonly running = new Set<Promise<void>>();

  constructor(private readonly logger: EventBusLogger) {}

  publish<N extends DomainEventName>(name: N, payload: DomainEvents[N]): void {
    const handlers = this.handlers.get(name as string);
    if (!handlers) return;
    for (const handler of handlers) {
      const run = Promise.resolve()
        .then(() => (handler as EventHandler<N>)(payload))
        .catch((err: unknown) => this.logger.error({ err, event: name }, 'domain event handler failed'))
        .finally(() => this.running.delete(run));
      this.running.add(run);
    }
  }

  subscribe<N extends DomainEventName>(name: N, handler: EventHandler<N>): () => void {
    const key = name as string;
    let set = this.handlers.get(key);
    if (!set) {
      set = new Set();
      this.handlers.set(key, set);
    }
    set.add(handler as EventHandler<never>);
    return () => set.delete(handler as EventHandler<never>);
  }

  async drain(): Promise<void> {
    while (this.running.size > 0) {
      await Promise.allSettled([...this.running]);
    }
  }
}
