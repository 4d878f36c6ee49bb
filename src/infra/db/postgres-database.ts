import { createHash } from 'node:crypto';
import pg from 'pg';
import { PgDialect } from 'drizzle-orm/pg-core';
import type { SQL } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/node-postgres';
import { migrate } from 'drizzle-orm/node-postgres/migrator';
import type { Database, Db } from './database.js';
import { migrationsFolder } from './migrations-folder.js';

/** Any constant works; every Tribe process agrees on it so only one migrates at a time. */
const MIGRATION_LOCK_KEY = 727_115_001;

export interface PostgresOptions {
  url: string;
  poolSize: number;
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

/** Settings shared by both pools. */
function poolConfig(url: string, max: number): pg.PoolConfig {
  return { connectionString: url, max, idleTimeoutMillis: 30_000, connectionTimeoutMillis: 5_000 };
}

/**
 * The pool of `queryPrepared`: half the size of the main pool, and its sessions always use the
 * generic plan of a prepared statement. Left to choose, PostgreSQL keeps re-planning a statement
 * whose LIMIT is a parameter (a generic plan's estimate assumes 10% of the rows, so it always looks
 * dearer than a custom one) — about 1 ms of planning for a 0.5 ms feed page. Only statements written
 * for it run here (feed pages, the chat send); every other query keeps custom plans on the main pool.
 */
export function hotReadPoolConfig(url: string, poolSize: number): pg.PoolConfig {
  return { ...poolConfig(url, Math.max(2, Math.ceil(poolSize / 2))), options: '-c plan_cache_mode=force_generic_plan' };
}

/**
 * Production PostgreSQL through `pg` pools: the main one (`poolSize` connections) and the hot-path one
 * of `queryPrepared` (half as many), so a process opens at most 1.5 × poolSize connections.
 */
export function openPostgresDatabase(options: PostgresOptions): Database & { pool: pg.Pool } {
  const pool = new pg.Pool(poolConfig(options.url, options.poolSize));
  const hotPool = new pg.Pool(hotReadPoolConfig(options.url, options.poolSize));
  // An idle client losing its connection must not crash the process; the pool replaces it.
  pool.on('error', () => undefined);
  hotPool.on('error', () => undefined);
  const db = drizzle({ client: pool, casing: 'snake_case' }) as unknown as Db;
  const prepared = new PreparedStatements();
  return {
    kind: 'postgres',
    db,
    pool,
    async queryPrepared<T extends Record<string, unknown>>(query: SQL): Promise<T[]> {
      const result = await hotPool.query<T>(prepared.toQuery(query));
      return result.rows;
    },
    async migrate() {
      const client = await pool.connect();
      try {
        await client.query('select pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
        try {
          await migrate(drizzle({ client, casing: 'snake_case' }), { migrationsFolder: migrationsFolder() });
        } finally {
          await client.query('select pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]);
        }
      } finally {
        client.release();
      }
    },
    async ping() {
      await pool.query('select 1');
    },
    async close() {
      await Promise.all([pool.end(), hotPool.end()]);
    },
  };
}
