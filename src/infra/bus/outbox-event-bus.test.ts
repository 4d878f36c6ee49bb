import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import '../../features/users/users.events.js';
import { inTransaction, type Database } from '../db/database.js';
import { openPgliteDatabase } from '../db/pglite-database.js';
import { JOBS_SCHEMA, JobEngine, migrateJobSchema, openPgBoss } from '../jobs/job-engine.js';
import type { EventMeta } from './event-bus.js';
import { OutboxEventBus } from './outbox-event-bus.js';

const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };
const registered = (userId: string) => ({ userId, email: `${userId}@example.com`, username: userId, fullName: userId });

let database: Database;
let engine: JobEngine;
let bus: OutboxEventBus;
const seen: Array<{ who: string; userId: string; meta?: EventMeta }> = [];
let failuresLeft = 0;

async function jobsOf(queue: string): Promise<Array<{ id: string; state: string }>> {
  const { rows } = await database.runSql(`select id::text, state from ${JOBS_SCHEMA}.job where name = $1 order by created_on`, [queue]);
  return rows as Array<{ id: string; state: string }>;
}

beforeAll(async () => {
  database = await openPgliteDatabase();
  await database.runSql('create table writes (id text primary key)');
  await migrateJobSchema(database);
  engine = new JobEngine(openPgBoss({ database, poolSize: 1, consume: true }), {
    consume: true,
    cron: false,
    pollingSeconds: 0.5,
    batchSize: 10,
    stopTimeoutMs: 1_000,
    logger: quiet,
  });
  bus = new OutboxEventBus(engine, quiet, true);
  bus.subscriber('mailer').on('user.registered', (e, meta) => void seen.push({ who: 'mailer', userId: e.userId, meta }));
  bus.subscriber('flaky', { policy: { retryLimit: 1, retryDelaySeconds: 1, retryBackoff: false } }).on('user.registered', (e, meta) => {
    if (failuresLeft > 0) {
      failuresLeft -= 1;
      throw new Error('flaky handler failed');
    }
    seen.push({ who: 'flaky', userId: e.userId, meta });
  });
  bus.subscriber('sockets', { runAfterCommit: { backstopSeconds: 1 } }).on('user.registered', (e, meta) => void seen.push({ who: 'sockets', userId: e.userId, meta }));
  bus.onCommit('user.registered', (e) => void seen.push({ who: 'live', userId: e.userId }));
  await engine.start();
});

afterAll(async () => {
  await engine.stop();
  await database.close();
});

const runsOf = (userId: string, who?: string) => seen.filter((s) => s.userId === userId && (who === undefined || s.who === who));

describe('the outbox event bus on pg-boss', () => {
  it('a committed write gets one job per subscriber, in its transaction; live handlers run after the commit', async () => {
    await inTransaction(database, async (tx) => {
      await tx.execute(sql`insert into writes values ('u1')`);
      await bus.publish(tx, 'user.registered', registered('u1'));
      // Nothing has run while the transaction is open.
      expect(runsOf('u1')).toEqual([]);
    });
    await bus.drain();
    expect(runsOf('u1', 'mailer')).toHaveLength(1);
    expect(runsOf('u1', 'flaky')).toHaveLength(1);
    expect(runsOf('u1', 'live')).toHaveLength(1);
    const eventId = runsOf('u1', 'mailer')[0]!.meta!.eventId;
    // Every subscriber's job carries the event id: the handlers' idempotency key.
    expect(runsOf('u1', 'flaky')[0]!.meta!.eventId).toBe(eventId);
    expect((await jobsOf('events.mailer')).find((j) => j.id === eventId)?.state).toBe('completed');
  });

  it('a rolled-back write leaves no job and runs nothing', async () => {
    await expect(
      inTransaction(database, async (tx) => {
        await tx.execute(sql`insert into writes values ('u2')`);
        await bus.publish(tx, 'user.registered', registered('u2'));
        throw new Error('the write fails after publishing');
      }),
    ).rejects.toThrow('the write fails');
    await bus.drain();
    expect(runsOf('u2')).toEqual([]);
    const { rows } = await database.runSql(`select count(*)::int as n from ${JOBS_SCHEMA}.job where data->'payload'->>'userId' = 'u2'`);
    expect(rows[0]!.n).toBe(0);
  });

  it('a failing handler is retried with the same event id; past its retry limit the job is dead-lettered', async () => {
    failuresLeft = 1;
    await inTransaction(database, (tx) => bus.publish(tx, 'user.registered', registered('u3')));
    await bus.drain();
    expect(runsOf('u3', 'flaky')).toEqual([]);
    await expect.poll(() => runsOf('u3', 'flaky').length, { timeout: 5_000, interval: 100 }).toBe(1);
    expect(runsOf('u3', 'flaky')[0]!.meta!.retryCount).toBe(1);
    // The other subscribers ran once each, unaffected.
    expect(runsOf('u3', 'mailer')).toHaveLength(1);

    failuresLeft = 2;
    await inTransaction(database, (tx) => bus.publish(tx, 'user.registered', registered('u4')));
    const deadOf = async () => {
      const { rows } = await database.runSql(`select data->>'eventId' as "eventId" from ${JOBS_SCHEMA}.job where name = 'events.flaky.dead' and data->'payload'->>'userId' = 'u4'`);
      return rows.map((r) => r.eventId as string);
    };
    await expect.poll(deadOf, { timeout: 8_000, interval: 200 }).toHaveLength(1);
    const eventId = (await deadOf())[0]!;
    expect(runsOf('u4', 'flaky')).toEqual([]);
    // The original stays in its queue as failed, under the event id (npm run jobs retries it from there).
    expect((await jobsOf('events.flaky')).find((j) => j.id === eventId)?.state).toBe('failed');
    failuresLeft = 0;

    // What `npm run jobs` shows: the failure with its error, and the dead copy waiting.
    const report = await engine.report();
    const flaky = report.find((q) => q.name === 'events.flaky')!;
    expect(flaky).toMatchObject({ deadLetter: 'events.flaky.dead', failed: 1 });
    expect(flaky.lastErrors).toEqual([expect.objectContaining({ jobId: eventId, message: 'flaky handler failed' })]);
    expect(report.find((q) => q.name === 'events.flaky.dead')!.pending).toBe(1);

    // Retrying the dead copy runs the original again (same event id) and removes the copy.
    const { rows } = await database.runSql(`select id::text from ${JOBS_SCHEMA}.job where name = 'events.flaky.dead'`);
    expect(await engine.retryFailed('events.flaky.dead', rows[0]!.id as string)).toEqual({ queue: 'events.flaky', id: eventId });
    await bus.drain();
    expect(runsOf('u4', 'flaky')).toEqual([expect.objectContaining({ meta: { eventId, retryCount: 2 } })]);
    expect(await jobsOf('events.flaky.dead')).toEqual([]);
    expect(await engine.retryFailed('events.flaky', eventId)).toBeUndefined();
  });

  it('a runAfterCommit subscriber runs at once after the commit, and again from its delayed job with the same id', async () => {
    await inTransaction(database, (tx) => bus.publish(tx, 'user.registered', registered('u5')));
    await bus.drain();
    expect(runsOf('u5', 'sockets')).toHaveLength(1);
    await expect.poll(() => runsOf('u5', 'sockets').length, { timeout: 5_000, interval: 100 }).toBe(2);
    const [first, second] = runsOf('u5', 'sockets');
    expect(second!.meta!.eventId).toBe(first!.meta!.eventId);
  });

  it('publishing through the root handle (no write of its own) enqueues at once', async () => {
    await bus.publish(database.db, 'user.registered', registered('u6'));
    await bus.drain();
    expect(runsOf('u6', 'mailer')).toHaveLength(1);
  });
});
