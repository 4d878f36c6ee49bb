import { sql } from 'drizzle-orm';
import type { AppContext } from '../src/context.js';
import type { DomainEventName, DomainEvents } from '../src/infra/bus/domain-events.js';
import { subscriberQueue } from '../src/infra/bus/outbox-event-bus.js';
import { JOBS_SCHEMA } from '../src/infra/jobs/job-engine.js';
import { queryRows } from '../src/infra/db/rows.js';

/**
 * Redelivers events to a durable subscriber as pg-boss would after a worker died between its
 * handler's commit and the job's completion (the job expires and runs again): each COMPLETED job of
 * `events.<subscriber>` for `event` (whose payload contains `payloadContains`, if given) is put
 * back to `retry`, due now, with its id — the event id — unchanged (pg-boss counts the attempt when
 * it fetches the job); then every job is drained.
 * Returns how many jobs ran again (a test asserts it is not 0: a redelivery that ran nothing
 * proves nothing).
 */
export async function redeliver<N extends DomainEventName>(
  ctx: AppContext,
  subscriber: string,
  event: N,
  payloadContains: Partial<DomainEvents[N]> = {},
): Promise<number> {
  await ctx.bus.drain();
  const rows = await queryRows<{ id: string }>(
    ctx.database.db,
    sql`update ${sql.raw(JOBS_SCHEMA)}.job
      set state = 'retry', start_after = now() - interval '1 second', completed_on = null, output = null
      where name = ${subscriberQueue(subscriber)} and state = 'completed'
        and data->>'event' = ${event} and data->'payload' @> ${JSON.stringify(payloadContains)}::jsonb
      returning id::text as id`,
  );
  await ctx.bus.drain();
  return rows.length;
}

/** The states of the jobs of `events.<subscriber>` for `event` (after a drain). */
export async function jobStates(ctx: AppContext, subscriber: string, event: DomainEventName): Promise<Array<{ state: string; retryCount: number }>> {
  const rows = await queryRows<{ state: string; retry_count: number }>(
    ctx.database.db,
    sql`select state::text as state, retry_count from ${sql.raw(JOBS_SCHEMA)}.job
      where name = ${subscriberQueue(subscriber)} and data->>'event' = ${event} order by created_on`,
  );
  return rows.map((r) => ({ state: r.state, retryCount: Number(r.retry_count) }));
}

/**
 * Makes every job of `events.<subscriber>` waiting for its retry due now (instead of after its
 * backoff) and drains: a test of a failed handler's retry need not wait seconds.
 */
export async function retryNow(ctx: AppContext, subscriber: string): Promise<void> {
  await ctx.database.db.execute(
    sql`update ${sql.raw(JOBS_SCHEMA)}.job set start_after = now() - interval '1 second' where name = ${subscriberQueue(subscriber)} and state = 'retry'`,
  );
  await ctx.bus.drain();
}
