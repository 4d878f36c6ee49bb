import type { DomainEventName, DomainEvents } from './domain-events.js';
import type { EventBus } from './event-bus.js';

/**
 * The events a use case owes while its transaction is open. A use case that spans features (blocking
 * ends the friendship and the partnership in the blocker's transaction) hands one of these to each
 * feature's `...In(tx, events, ...)` method; each queues its own events here with `publish`, and the
 * use case calls `flush()` once its transaction has committed. A transaction that rolls back
 * publishes nothing, because `flush` is never reached.
 */
export class PublishAfterCommit {
  private readonly queued: Array<() => void> = [];

  constructor(private readonly bus: EventBus) {}

  /** Queues the event; it reaches the bus, in queue order, at `flush()`. */
  publish<N extends DomainEventName>(name: N, payload: DomainEvents[N]): void {
    this.queued.push(() => this.bus.publish(name, payload));
  }

  /** Publishes what was queued (call after the commit; a second call publishes nothing again). */
  flush(): void {
    for (const publish of this.queued.splice(0)) publish();
  }
}
