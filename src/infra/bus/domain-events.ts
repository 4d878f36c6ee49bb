/**
 * The catalogue of domain events. Each feature adds its own events to this interface from its
 * `<feature>.events.ts` file through declaration merging, so publishers and subscribers are
 * type-checked against one definition without a central list to edit.
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface DomainEvents {}

export type DomainEventName = keyof DomainEvents;
