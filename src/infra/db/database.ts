import type { SQL } from 'drizzle-orm';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';

/** A Drizzle handle on either PGlite or PostgreSQL; a transaction handle has the same type. */
export type Db = PgDatabase<PgQueryResultHKT>;

/**
 * How long database work may take (milliseconds; 0 = no limit). Request work gets the first four;
 * maintenance work (migrations, the nightly friend-suggestion refresh) gets `maintenanceMs` as its
 * statement and lock budget instead (docs/reliability.md, "Database").
 */
export interface DatabaseTimeouts {
  /** A statement running longer is cancelled (PostgreSQL statement_timeout, SQLSTATE 57014). */
  statementMs: number;
  /** A statement waiting longer for a lock is cancelled (lock_timeout, 55P03). */
  lockMs: number;
  /** A session idle inside an open transaction longer is ended (idle_in_transaction_session_timeout, 25P03). */
  idleInTransactionMs: number;
  /** Waiting longer for a pooled connection (or, on PGlite, for the one connection) fails the query. */
  poolAcquireMs: number;
  /** Statement and lock budget of migrations and long maintenance jobs. */
  maintenanceMs: number;
}

/** The defaults of DB_STATEMENT_TIMEOUT_MS, DB_LOCK_TIMEOUT_MS, ... (src/config/config.ts). */
export const DEFAULT_DATABASE_TIMEOUTS: DatabaseTimeouts = {
  statementMs: 5_000,
  lockMs: 2_000,
  idleInTransactionMs: 10_000,
  poolAcquireMs: 2_000,
  maintenanceMs: 600_000,
};

/** Runs one statement as a named prepared statement with a generic plan (see Database.queryPrepared). */
export type PreparedQuery = <T extends Record<string, unknown>>(query: SQL) => Promise<T[]>;

/** Whose budget a transaction runs under: a request's (the default) or maintenance work's. */
export type DatabaseBudget = 'request' | 'maintenance';

/** The database port: one SQL dialect, two engines (embedded PGlite, production PostgreSQL). */
export interface Database {
  readonly kind: 'pglite' | 'postgres';
  /** PostgreSQL: the connection URL (the job engine opens its own pool on the same database). */
  readonly url?: string;
  readonly db: Db;
  readonly timeouts: DatabaseTimeouts;
  /**
   * Runs ONE statement outside any transaction (a read, or a write that is atomic on its own, such as
   * the chat send's CTE) as a named prepared statement with a generic plan: PostgreSQL parses and
   * plans it once per pooled connection instead of on every call (PGlite simply runs it). For hot
   * paths written for generic plans only; the statement's text must depend on its shape, never on
   * values (values are parameters), or every call would prepare a new statement.
   */
  queryPrepared<T extends Record<string, unknown>>(query: SQL): Promise<T[]>;
  /**
   * One transaction on the connections of `queryPrepared`: `prepared` runs a statement of it the way
   * `queryPrepared` does (named, generic plan), every other statement goes through `tx`. For a hot
   * write that must commit with its outbox jobs (the chat send). Use {@link inPreparedTransaction}.
   */
  preparedTransaction<T>(work: (tx: Db, prepared: PreparedQuery) => Promise<T>): Promise<T>;
  /**
   * Raw SQL text under the request budget, for the job engine's executor on the embedded database:
   * with values, one statement with `$n` parameters; without, a script of one or more statements.
   */
  runSql(text: string, values?: unknown[]): Promise<{ rows: Array<Record<string, unknown>> }>;
  /** Applies pending migrations; safe to call from several processes at once. */
  migrate(): Promise<void>;
  /**
   * Runs `work` in one transaction with the maintenance budget (statement and lock timeouts of
   * `timeouts.maintenanceMs`, set with SET LOCAL), for jobs that may legitimately run long.
   */
  maintenanceTransaction<T>(work: (tx: Db) => Promise<T>): Promise<T>;
  /**
   * Readiness: resolves when a query on a real table (users) answers within `budgetMs`, bounded on
   * the server too (SET LOCAL statement_timeout), so a hung or locked database answers "not ready" fast.
   */
  ping(budgetMs?: number): Promise<void>;
  close(): Promise<void>;
}

/**
 * Runs `work` in one transaction (commit on return, rollback on throw), under a request's timeouts
 * unless `budget` is 'maintenance' (see {@link Database.maintenanceTransaction}).
 */
export async function inTransaction<T>(database: Database, work: (tx: Db) => Promise<T>, budget: DatabaseBudget = 'request'): Promise<T> {
  const committed: Array<() => void> = [];
  const run = (tx: Db) => {
    commitCallbacks.set(tx, committed);
    return work(tx);
  };
  const result = budget === 'maintenance' ? await database.maintenanceTransaction(run) : await database.db.transaction((tx) => run(tx as unknown as Db));
  for (const callback of committed) callback();
  return result;
}

/**
 * {@link inTransaction} on the hot-path connections (Database.preparedTransaction): `prepared` runs
 * the transaction's hot statement as a named prepared statement; `afterCommit` works as in any transaction.
 */
export async function inPreparedTransaction<T>(database: Database, work: (tx: Db, prepared: PreparedQuery) => Promise<T>): Promise<T> {
  const committed: Array<() => void> = [];
  const result = await database.preparedTransaction((tx, prepared) => {
    commitCallbacks.set(tx, committed);
    return work(tx, prepared);
  });
  for (const callback of committed) callback();
  return result;
}

/** The callbacks each open transaction (of {@link inTransaction}) runs once it has committed. */
const commitCallbacks = new WeakMap<Db, Array<() => void>>();

/**
 * Runs `callback` once the transaction that `db` is a handle of has committed — never if it rolls
 * back — or at once when `db` is no transaction (a single statement, committed on its own).
 */
export function afterCommit(db: Db, callback: () => void): void {
  const queued = commitCallbacks.get(db);
  if (queued) queued.push(callback);
  else callback();
}

/** The SET statements that give a transaction (`local`) or a session the maintenance budget. */
export function maintenanceSettings(timeouts: DatabaseTimeouts, scope: 'local' | 'session'): string[] {
  const ms = Math.max(0, Math.trunc(timeouts.maintenanceMs));
  const set = scope === 'local' ? 'set local' : 'set';
  return [`${set} statement_timeout = ${ms}`, `${set} lock_timeout = ${ms}`];
}
