import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inTransaction, type Database } from '../db/database.js';
import { openPgliteDatabase } from '../db/pglite-database.js';
import { JOBS_SCHEMA, JobEngine, migrateJobSchema, openPgBoss } from './job-engine.js';

const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };

let database: Database;
let engine: JobEngine;
let ran = 0;

beforeAll(async () => {
  database = await openPgliteDatabase();
  await migrateJobSchema(database);
  // A polling interval far longer than the test: only the engine's own wake-ups can move the queue.
  engine = new JobEngine(openPgBoss({ database, poolSize: 1, consume: true }), {
    consume: true,
    cron: false,
    pollingSeconds: 120,
    batchSize: 2,
    stopTimeoutMs: 1_000,
    logger: quiet,
  });
  engine.handle('backlog', {}, async () => {
    ran += 1;
  });
  await engine.start();
});

afterAll(async () => {
  await engine.stop();
  await database.close();
});

describe('the job engine', () => {
  it('works off a backlog without waiting a polling interval between full batches', async () => {
    const total = 21;
    await inTransaction(database, (tx) => engine.enqueue(tx, Array.from({ length: total }, () => ({ queue: 'backlog', id: randomUUID(), data: {} }))));
    // One wake-up, as after a commit; the other ten batches must follow by themselves.
    engine.wake('backlog');
    const until = Date.now() + 15_000;
    while (ran < total && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(ran).toBe(total);
    const { rows } = await database.runSql(`select count(*)::int as n from ${JOBS_SCHEMA}.job where name = 'backlog' and state = 'completed'`);
    expect(Number(rows[0]!.n)).toBe(total);
  });
});
