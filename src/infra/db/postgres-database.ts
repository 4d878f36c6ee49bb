import { createHash } from 'node:crypto';
import pg from 'pg';
import { PgDialect } from 'drizzle-orm/pg-core';
import { sql, type SQL } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/node-postgres';
import { migrate } from 'drizzle-orm/node-postgres/migrator';
import { DEFAULT_DATABASE_TIMEOUTS, maintenanceSettings, type Database, type DatabaseTimeouts, type Db, type PreparedQuery } from './database.js';
import { migrationsFolder } from './migrations-folder.js';

/** Any constant works; every Tribe process agrees on it so only one migrates at a time. */
const MIGRATION_LOCK_KEY = 727_115_001;

export interface PostgresOptions {
  url: string;
  poolSize: number;
  /** Default: {@link DEFAULT_DATABASE_TIMEOUTS}. */
  timeouts?: DatabaseTimeouts;
}

/** More distinct prepared shapes than this means values leaked into the text: stop naming them. */
const MAX_PREPARED_SHAPES = 200;

/**
 * Names statements by a hash of their text, so each pooled connection prepares a shape once and
 * reuses its plan (node-postgres keeps the prepared statements per connection).
 */
export class PreparedStatements {
  private readonly dialect = new PgDialect({ casing: 'snake_case' });
  private readonly names = new Map<string, string>();

  /** The query config for `pool.query`: named when the shape is known or new, unnamed past the cap. */
  toQuery(query: SQL): pg.QueryConfig {
    const { sql: text, params } = this.dialect.sqlToQuery(query);
    let name = this.names.get(text);
    if (name === undefined && this.names.size < MAX_PREPARED_SHAPES) {
      name = `tribe_${createHash('sha1').update(text).digest('hex').slice(0, 24)}`;
      this.names.set(text, name);
    }
    return name === undefined ? { text, values: params } : { name, text, values: params };
  }
}

/**
 * Settings shared by both pools. Every session starts with the request budget (startup parameters,
 * so no round trip is added): statement, lock and idle-in-transaction timeouts; waiting for a
 * connection (a free pooled one, or a new one to connect) is bounded by the acquire timeout.
 */
function poolConfig(url: string, max: number, timeouts: DatabaseTimeouts): pg.PoolConfig {
  return {
    connectionString: url,
    max,
    idleTimeoutMillis: 30_000,
    connectionTimeoutMillis: timeouts.poolAcquireMs,
    statement_timeout: timeouts.statementMs,
    lock_timeout: timeouts.lockMs,
    idle_in_transaction_session_timeout: timeouts.idleInTransactionMs,
    // A peer that vanished without a FIN (network partition) is noticed by TCP keepalive.
    keepAlive: true,
  };
}

/**
 * The pool of `queryPrepared`: half the size of the main pool, and its sessions always use the
 * generic plan of a prepared statement. Left to choose, PostgreSQL keeps re-planning a statement
 * whose LIMIT is a parameter (a generic plan's estimate assumes 10% of the rows, so it always looks
 * dearer than a custom one) — about 1 ms of planning for a 0.5 ms feed page. Only statements written
 * for it run here (feed pages, the chat send); every other query keeps custom plans on the main pool.
 */
export function hotReadPoolConfig(url: string, poolSize: number, timeouts: DatabaseTimeouts = DEFAULT_DATABASE_TIMEOUTS): pg.PoolConfig {
  return { ...poolConfig(url, Math.max(2, Math.ceil(poolSize / 2)), timeouts), options: '-c plan_cache_mode=force_generic_plan' };
}

/** Readiness probe: a real table, bounded on the server by its own statement timeout (one round trip). */
export function readinessQuery(budgetMs: number): string {
  const ms = Math.max(1, Math.trunc(budgetMs));
  // One simple-protocol string runs as one implicit transaction, so SET LOCAL ends with it.
  return `set local statement_timeout = ${ms}; set local lock_timeout = ${ms}; select 1 from users limit 1`;
}

/**
 * Production PostgreSQL through `pg` pools: the main one (`poolSize` connections) and the hot-path one
 * of `queryPrepared` (half as many), so a process opens at most 1.5 × poolSize connections.
 */
export function openPostgresDatabase(options: PostgresOptions): Database & { pool: pg.Pool; hotPool: pg.Pool } {
  const timeouts = options.timeouts ?? DEFAULT_DATABASE_TIMEOUTS;
  const pool = new pg.Pool(poolConfig(options.url, options.poolSize, timeouts));
  const hotPool = new pg.Pool(hotReadPoolConfig(options.url, options.poolSize, timeouts));
  // An idle client losing its connection must not crash the process; the pool replaces it.
  pool.on('error', () => undefined);
  hotPool.on('error', () => undefined);
  // A checked-out client whose connection the server ends between two statements (the
  // idle-in-transaction timeout, an admin shutdown) emits 'error' while the pool listens only to
  // idle clients: an uncaught exception that ended the process. With a listener of its own, its next
  // statement fails instead ("not queryable": a 503) and the pool drops it on release.
  for (const each of [pool, hotPool]) each.on('connect', (client) => client.on('error', () => undefined));
  const db = drizzle({ client: pool, casing: 'snake_case' }) as unknown as Db;
  const prepared = new PreparedStatements();
  return {
    kind: 'postgres',
    url: options.url,
    db,
    pool,
    hotPool,
    timeouts,
    async queryPrepared<T extends Record<string, unknown>>(query: SQL): Promise<T[]> {
      const result = await hotPool.query<T>(prepared.toQuery(query));
      return result.rows;
    },
    async preparedTransaction(work) {
      const client = await hotPool.connect();
      let broken = false;
      try {
        await client.query('begin');
        const tx = drizzle({ client, casing: 'snake_case' }) as unknown as Db;
        const run: PreparedQuery = async <T extends Record<string, unknown>>(query: SQL) => (await client.query<T>(prepared.toQuery(query))).rows;
        const result = await work(tx, run);
        await client.query('commit');
        return result;
      } catch (err) {
        // A failed rollback leaves the session in an unknown state: do not pool it.
        await client.query('rollback').catch(() => {
          broken = true;
        });
        throw err;
      } finally {
        client.release(broken);
      }
    },
    async runSql(text, values) {
      const result = await pool.query<Record<string, unknown>>(text, values);
      // A script of several statements answers one result per statement: the last one's rows.
      const last = Array.isArray(result) ? (result.at(-1) as pg.QueryResult<Record<string, unknown>> | undefined) : result;
      return { rows: last?.rows ?? [] };
    },
    async maintenanceTransaction(work) {
      return db.transaction(async (tx) => {
        for (const statement of maintenanceSettings(timeouts, 'local')) await tx.execute(sql.raw(statement));
        return work(tx as unknown as Db);
      });
    },
    async migrate() {
      const client = await pool.connect();
      let broken = false;
      try {
        // Migrations (and the wait for another process's migration lock) get the maintenance
        // budget for this session only; RESET gives the pooled connection back its request budget.
        for (const statement of maintenanceSettings(timeouts, 'session')) await client.query(statement);
        await client.query('select pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
        try {
          await migrate(drizzle({ client, casing: 'snake_case' }), { migrationsFolder: migrationsFolder() });
        } finally {
          await client.query('select pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]);
        }
        await client.query('reset statement_timeout; reset lock_timeout');
      } catch (err) {
        broken = true; // the session may still hold the maintenance budget: do not pool it
        throw err;
      } finally {
        client.release(broken);
      }
    },
    async ping(budgetMs = 1_000) {
      await pool.query(readinessQuery(budgetMs));
    },
    async close() {
      await Promise.all([pool.end(), hotPool.end()]);
    },
  };
}
