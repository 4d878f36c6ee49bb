import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dependencyFailure } from '../dependency-failure.js';
import { DatabaseAcquireTimeoutError } from './connection-gate.js';
import { DEFAULT_DATABASE_TIMEOUTS, inTransaction, type Database } from './database.js';
import { openPgliteDatabase } from './pglite-database.js';
import { queryRows } from './rows.js';

let database: Database;
beforeAll(async () => {
  // Request work may wait 300 + 200 ms for the one connection; maintenance work 5 s.
  database = await openPgliteDatabase({ timeouts: { ...DEFAULT_DATABASE_TIMEOUTS, poolAcquireMs: 300, statementMs: 200, maintenanceMs: 5_000 } });
});
afterAll(async () => database?.close());

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('issue 15.3: PGlite gets a request budget for its one connection', () => {
  it('work queued behind a transaction that holds the connection too long fails fast (a 503) and never runs later', async () => {
    await database.db.execute(sql`create table if not exists budget_probe (n int)`);
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const holder = inTransaction(database, async (tx) => {
      await tx.execute(sql`select 1`);
      await held; // e.g. a slow call made while the transaction is open
    });
    let maintenance: Promise<Array<{ ok: number }>>;
    try {
      const started = Date.now();
      const waiter = await database.db.execute(sql`insert into budget_probe values (1)`).catch((e: unknown) => e);
      expect(Date.now() - started).toBeLessThan(1500);
      // Drizzle wraps the gate's error as the cause of its DrizzleQueryError.
      expect((waiter as { cause?: unknown }).cause).toBeInstanceOf(DatabaseAcquireTimeoutError);
      expect(dependencyFailure(waiter)).toMatchObject({ dependency: 'database', retryAfterSeconds: 1 });

      // Maintenance work waits longer and gets its turn once the holder is done.
      maintenance = inTransaction(database, (tx) => queryRows<{ ok: number }>(tx, sql`select 1 as ok`), 'maintenance');
      await sleep(700);
    } finally {
      release();
      await holder;
    }
    expect(await maintenance).toEqual([{ ok: 1 }]);
    await sleep(100);
    // The timed-out insert was dropped from the queue: it never ran.
    expect(await queryRows(database.db, sql`select count(*)::int as n from budget_probe`)).toEqual([{ n: 0 }]);
  });
});
