import type { SQL } from 'drizzle-orm';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';

/** A Drizzle handle on either PGlite or PostgreSQL; a transaction handle has the same type. */
export type Db = PgDatabase<PgQueryResultHKT>;

/** The database port: one SQL dialect, two engines (embedded PGlite, production PostgreSQL). */
export interface Database {
  readonly kind: 'pglite' | 'postgres';
  readonly db: Db;
  /**
   * Runs ONE statement outside any transaction (a read, or a write that is atomic on its own, such as
   * the chat send's CTE) as a named prepared statement with a generic plan: PostgreSQL parses and
   * plans it once per pooled connection instead of on every call (PGlite simply runs it). For hot
   * paths written for generic plans only; the statement's text must depend on its shape, never on
   * values (values are parameters), or every call would prepare a new statement.
   */
  queryPrepared<T extends Record<string, unknown>>(query: SQL): Promise<T[]>;
  /** Applies pending migrations; safe to call from several processes at once. */
  migrate(): Promise<void>;
  /** Resolves when the database answers a trivial query. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** Runs `work` in one transaction (commit on return, rollback on throw). */
export function inTransaction<T>(database: Database, work: (tx: Db) => Promise<T>): Promise<T> {
  return database.db.transaction((tx) => work(tx as unknown as Db));
}
