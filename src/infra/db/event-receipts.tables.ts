/**
 * Table of the event bus's idempotent consumers (infrastructure, not a feature: drizzle.config.ts
 * reads src/infra/db/*.tables.ts too). See event-receipts.ts and docs/ARCHITECTURE.md, "Durable side
 * effects: idempotent handlers".
 */
import { index, pgTable, primaryKey, text, timestamp, uuid } from 'drizzle-orm/pg-core';

/**
 * One row per (durable subscriber, event) whose effect has been applied: written in the same
 * transaction as the effect, so a redelivered job (a retry, a job that ran again after its worker
 * died) finds the receipt and skips. Rows older than the retention are deleted by a daily job.
 */
export const eventReceipts = pgTable(
  'event_receipts',
  {
    /** The subscriber's name (`bus.subscriber(name)`), e.g. 'notifications'. */
    subscriber: text().notNull(),
    /** The event's id (`meta.eventId`: its job's id, the same on every retry). */
    eventId: uuid().notNull(),
    handledAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ name: 'event_receipts_pkey', columns: [t.subscriber, t.eventId] }),
    // The retention job deletes by age.
    index('idx_event_receipts_handled_at').on(t.handledAt),
  ],
);
