import { sql } from 'drizzle-orm';
import type { Database, Db } from './database.js';
import { queryRows } from './rows.js';

/**
 * Names one delivery of an event to one durable subscriber: the idempotency key of its effect.
 * Services called by event handlers take it as an optional parameter and claim it inside the
 * transaction of their effect (docs/ARCHITECTURE.md, "Durable side effects: idempotent handlers").
 */
export interface EventReceipt {
  /** The subscriber's name, as given to `bus.subscriber`. */
  subscriber: string;
  /** `meta.eventId` of the handler's run. */
  eventId: string;
}

/** How long receipts are kept: longer than any retry can come (pg-boss keeps failed and dead-lettered jobs, which `npm run jobs` can retry, 14 days). */
export const EVENT_RECEIPT_KEEP_DAYS = 30;

const TRIM_BATCH = 10_000;

/**
 * Claims `receipt` inside the caller's transaction `tx`: true if this is the first time (the caller
 * applies its effect, and the receipt commits or rolls back with it), false if the effect was
 * already applied (the caller skips it). A concurrent run of the same event waits on the other's
 * uncommitted row and then gets false. No receipt (a call that is not an event's): always true.
 */
export async function claimReceipt(tx: Db, receipt: EventReceipt | undefined): Promise<boolean> {
  if (!receipt) return true;
  const rows = await queryRows(
    tx,
    sql`insert into event_receipts (subscriber, event_id) values (${receipt.subscriber}, ${receipt.eventId}::uuid)
      on conflict (subscriber, event_id) do nothing returning event_id`,
  );
  return rows.length > 0;
}

/** Whether the receipt exists (for an external effect, checked before it). */
export async function hasReceipt(db: Db, receipt: EventReceipt): Promise<boolean> {
  const rows = await queryRows(
    db,
    sql`select 1 as found from event_receipts where subscriber = ${receipt.subscriber} and event_id = ${receipt.eventId}::uuid`,
  );
  return rows.length > 0;
}

/**
 * Runs an external effect (a mail) at most once per receipt as far as the database can tell: skipped
 * if the receipt exists, else run and then recorded. The effect is repeated only if the process
 * dies (or the database fails) between the effect and the receipt, so the effect should carry the
 * receipt's event id (a mail's Message-ID) for its receiver to drop the duplicate.
 */
export async function onceExternally(db: Db, receipt: EventReceipt, effect: () => Promise<void>): Promise<void> {
  if (await hasReceipt(db, receipt)) return;
  await effect();
  await claimReceipt(db, receipt);
}

/** Deletes receipts handled before `before`, in batches; returns how many. */
export async function trimReceipts(database: Database, before: Date): Promise<number> {
  let total = 0;
  for (;;) {
    const rows = await queryRows(
      database.db,
      sql`delete from event_receipts where (subscriber, event_id) in (
          select subscriber, event_id from event_receipts where handled_at < ${before.toISOString()}::timestamptz limit ${TRIM_BATCH})
        returning 1 as gone`,
    );
    total += rows.length;
    if (rows.length < TRIM_BATCH) return total;
  }
}
