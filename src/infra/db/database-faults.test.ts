import { sql } from 'drizzle-orm';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeUser, type TestUser } from '../../../test/factories.js';
import { createTestApp, type TestApp } from '../../../test/harness.js';
import { OwnPostgres } from '../../../test/own-postgres.js';
import { loadConfig } from '../../config/config.js';
import { dependencyFailure } from '../dependency-failure.js';
import { inTransaction } from './database.js';
import { openPostgresDatabase } from './postgres-database.js';
import { queryRows } from './rows.js';

// Faults injected into a PostgreSQL cluster this file starts itself (never the machine's shared one).
// Budgets are small so that each test takes a few seconds.
const BUDGET = {
  DB_STATEMENT_TIMEOUT_MS: '1500',
  DB_LOCK_TIMEOUT_MS: '500',
  DB_IDLE_IN_TRANSACTION_TIMEOUT_MS: '1000',
  DB_POOL_ACQUIRE_TIMEOUT_MS: '1000',
  DB_MAINTENANCE_TIMEOUT_MS: '60000',
};
const POOL_SIZE = 4;

let cluster: OwnPostgres;
let databaseUrl: string;
let t: TestApp;
let u: TestUser;
let pool: pg.Pool;

beforeAll(async () => {
  cluster = await OwnPostgres.start();
  databaseUrl = await cluster.createDatabase('tribe');
  // The budgets as the app reads them from the environment, on a database of the own cluster.
  const { dbTimeouts } = loadConfig({ ...BUDGET, DATABASE_URL: databaseUrl });
  const database = openPostgresDatabase({ url: databaseUrl, poolSize: POOL_SIZE, timeouts: dbTimeouts });
  await database.migrate();
  pool = database.pool;
  t = await createTestApp({ env: BUDGET, overrides: { database } });
  u = await makeUser(t.ctx);
});
afterAll(async () => {
  try {
    await t?.close();
  } finally {
    await cluster?.destroy();
  }
});

async function timed(method: 'GET' | 'PUT', url: string, payload?: object) {
  const started = Date.now();
  const res = await t.app.inject({ method, url, payload, headers: url.startsWith('/api') ? u.auth : {} });
  return { status: res.statusCode, code: res.json<{ error?: { code: string } }>().error?.code, retryAfter: res.headers['retry-after'], ms: Date.now() - started };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('issue 15.3: database timeouts', () => {
  it('sessions carry the configured budgets; migrations and maintenance transactions get the larger one and give it back', async () => {
    const settings = sql`select current_setting('statement_timeout') as statement, current_setting('lock_timeout') as lock,
      current_setting('idle_in_transaction_session_timeout') as idle`;
    expect(await queryRows(t.ctx.database.db, settings)).toEqual([{ statement: '1500ms', lock: '500ms', idle: '1s' }]);
    // A maintenance transaction may run past the request budget ...
    const slow = await inTransaction(t.ctx.database, (tx) => queryRows<{ ok: number }>(tx, sql`select 1 as ok from pg_sleep(2)`), 'maintenance');
    expect(slow).toEqual([{ ok: 1 }]);
    // ... a request may not, and neither session kept the maintenance budget.
    await t.ctx.database.migrate();
    for (let i = 0; i < POOL_SIZE; i++) {
      expect(await queryRows(t.ctx.database.db, settings)).toEqual([{ statement: '1500ms', lock: '500ms', idle: '1s' }]);
    }
    const started = Date.now();
    const err = await t.ctx.database.db.execute(sql`select pg_sleep(5)`).catch((e: unknown) => e);
    expect(Date.now() - started).toBeLessThan(3000);
    expect(dependencyFailure(err)).toMatchObject({ dependency: 'database', reason: expect.stringContaining('57014') });
  });

  it('a transaction left idle past its budget is ended by the server (25P03), freeing its connection', async () => {
    const err = await inTransaction(t.ctx.database, async (tx) => {
      await tx.execute(sql`select 1`);
      await sleep(1600);
      await tx.execute(sql`select 1`);
    }).catch((e: unknown) => e);
    expect(dependencyFailure(err)?.dependency).toBe('database');
    expect((await timed('GET', '/api/v1/users/me')).status).toBe(200);
  });

  it('a table lock held past the budget: every request ends 503 + Retry-After within the budget, the pool is not exhausted afterwards', async () => {
    const holder = new pg.Client({ connectionString: databaseUrl });
    await holder.connect();
    try {
      await holder.query('begin');
      await holder.query('lock table users in access exclusive mode');
      const lockedAt = Date.now();
      // Five times the pool: some wait on the lock, the rest for a connection.
      const answers = await Promise.all(
        Array.from({ length: POOL_SIZE * 5 }, (_, i) =>
          i % 2 ? timed('PUT', '/api/v1/users/me', { bio: `locked ${i}` }) : timed('GET', '/api/v1/users/me'),
        ),
      );
      for (const answer of answers) {
        expect(answer).toMatchObject({ status: 503, code: 'service_unavailable' });
        expect(Number(answer.retryAfter)).toBeGreaterThan(0);
      }
      // Lock budget (0.5 s) plus the wait for a connection (at most 1 s) per request, with slack for a loaded machine.
      expect(Math.max(...answers.map((a) => a.ms))).toBeLessThan(4000);
      expect(Date.now() - lockedAt).toBeLessThan(4500);
    } finally {
      await holder.query('rollback').catch(() => undefined);
      await holder.end();
    }
    const after = await Promise.all(Array.from({ length: POOL_SIZE * 2 }, () => timed('GET', '/api/v1/users/me')));
    expect(after.map((a) => a.status)).toEqual(after.map(() => 200));
    expect(pool.totalCount).toBeLessThanOrEqual(POOL_SIZE);
    expect(pool.waitingCount).toBe(0);
  });
});

describe('issue 15.4: a database outage answers 503, not 500', () => {
  it('PostgreSQL stopped: 503 service_unavailable with Retry-After at once, /readyz 503 fast; started again: 200 within seconds', async () => {
    expect((await timed('GET', '/api/v1/users/me')).status).toBe(200);
    expect((await timed('GET', '/readyz')).status).toBe(200);

    // Requests keep coming while the server goes down and comes back: none may be a 500.
    const statuses: number[] = [];
    let load = true;
    const background = (async () => {
      while (load) {
        statuses.push((await timed('GET', '/api/v1/users/me')).status);
        await sleep(20);
      }
    })();
    await cluster.stop('fast');
    const down = await timed('PUT', '/api/v1/users/me', { bio: 'while down' });
    expect(down).toMatchObject({ status: 503, code: 'service_unavailable', retryAfter: '5' });
    expect(down.ms).toBeLessThan(1500);
    const read = await timed('GET', '/api/v1/users/me');
    expect(read).toMatchObject({ status: 503, code: 'service_unavailable' });
    const ready = await t.app.inject({ method: 'GET', url: '/readyz' });
    expect(ready.statusCode).toBe(503);
    expect(ready.json().checks.database).toBe('unavailable');

    await cluster.start();
    const startedAt = Date.now();
    let back = await timed('GET', '/api/v1/users/me');
    while (back.status !== 200 && Date.now() - startedAt < 10_000) {
      await sleep(50);
      back = await timed('GET', '/api/v1/users/me');
    }
    expect(back.status).toBe(200);
    expect(Date.now() - startedAt).toBeLessThan(5000);
    load = false;
    await background;
    expect((await timed('PUT', '/api/v1/users/me', { bio: 'after' })).status).toBe(200);
    expect((await timed('GET', '/readyz')).status).toBe(200);
    expect(statuses.filter((s) => s !== 200 && s !== 503)).toEqual([]);
    expect(statuses).toContain(503);
  });

  it('/readyz answers within its bound while the users table is locked', async () => {
    const holder = new pg.Client({ connectionString: databaseUrl });
    await holder.connect();
    try {
      await holder.query('begin');
      await holder.query('lock table users in access exclusive mode');
      const ready = await timed('GET', '/readyz');
      expect(ready.status).toBe(503);
      expect(ready.ms).toBeLessThan(2500);
    } finally {
      await holder.query('rollback').catch(() => undefined);
      await holder.end();
    }
    expect((await timed('GET', '/readyz')).status).toBe(200);
  });
});
