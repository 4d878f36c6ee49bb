import { mkdirSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import { unaccent } from '@electric-sql/pglite/contrib/unaccent';
import { drizzle } from 'drizzle-orm/pglite';
import { migrate } from 'drizzle-orm/pglite/migrator';
import { ConnectionGate } from './connection-gate.js';
import { DEFAULT_DATABASE_TIMEOUTS, type Database, type DatabaseTimeouts, type Db } from './database.js';
import { migrationsFolder } from './migrations-folder.js';
import { queryRows } from './rows.js';

export interface PgliteOptions {
  /** Directory of the database files; omit for an in-memory database. */
  dataDir?: string;
  /** A dump made by `dumpDataDir()` to start from (tests start every file from a migrated image). */
  loadDataDir?: Blob | File;
  /** Default: {@link DEFAULT_DATABASE_TIMEOUTS}; see {@link gatedClient} for what applies here. */
  timeouts?: DatabaseTimeouts;
}

const GATED = new Set<PropertyKey>(['query', 'exec', 'transaction', 'sql']);

/**
 * PGlite's one connection, seen through `gate`: each query, exec or transaction first waits its turn
 * for at most `waitMs`. PGlite cannot cancel a running statement (statement_timeout and lock_timeout
 * are accepted but never fire in WASM, and a statement blocks the event loop while it runs), so the
 * budget it can keep is the wait: work queued behind a transaction that holds the connection too long
 * fails with DatabaseAcquireTimeoutError (a 503) instead of waiting without end.
 */
function gatedClient(client: PGlite, gate: ConnectionGate, waitMs: number): PGlite {
  return new Proxy(client, {
    get(target, property) {
      // Looked up on every call (tests wrap client.query to count queries); PGlite's private fields need `this` = the client.
      const value: unknown = Reflect.get(target, property, target);
      if (typeof value !== 'function') return value;
      if (!GATED.has(property)) return value.bind(target);
      return (...args: unknown[]) =>
        gate.run(waitMs, () => (Reflect.get(target, property, target) as (...a: unknown[]) => Promise<unknown>).apply(target, args));
    },
  });
}

/** Embedded PostgreSQL (WASM) for `npm start` and `npm test`: no server needed. */
export async function openPgliteDatabase(options: PgliteOptions = {}): Promise<Database & { client: PGlite; gate: ConnectionGate }> {
  if (options.dataDir) mkdirSync(options.dataDir, { recursive: true });
  const client = await PGlite.create({
    ...(options.dataDir ? { dataDir: options.dataDir } : {}),
    ...(options.loadDataDir ? { loadDataDir: options.loadDataDir } : {}),
    extensions: { pg_trgm, unaccent },
  });
  const timeouts = options.timeouts ?? DEFAULT_DATABASE_TIMEOUTS;
  const gate = new ConnectionGate();
  // A request may wait for the connection as long as, on PostgreSQL, for a pooled connection plus a
  // statement's run: here the one connection is both the pool and every lock.
  const requestClient = gatedClient(client, gate, timeouts.poolAcquireMs + timeouts.statementMs);
  const maintenanceClient = gatedClient(client, gate, timeouts.maintenanceMs);
  const db = drizzle({ client: requestClient, casing: 'snake_case' }) as unknown as Db;
  const maintenanceDb = drizzle({ client: maintenanceClient, casing: 'snake_case' }) as unknown as Db;
  return {
    kind: 'pglite',
    db,
    client,
    gate,
    timeouts,
    async queryPrepared(query) {
      // One embedded connection and no plan cache to gain from: run it as any other statement.
      return queryRows(db, query);
    },
    async preparedTransaction(work) {
      // No plan cache to gain from on the one embedded connection: a plain transaction.
      return db.transaction((tx) => work(tx as unknown as Db, (query) => queryRows(tx as unknown as Db, query)));
    },
    async runSql(text, values) {
      if (values && values.length > 0) return requestClient.query<Record<string, unknown>>(text, values);
      const results = await requestClient.exec(text);
      return { rows: (results.at(-1)?.rows ?? []) as Array<Record<string, unknown>> };
    },
    async maintenanceTransaction(work) {
      return maintenanceDb.transaction((tx) => work(tx as unknown as Db));
    },
    async migrate() {
      // PGlite is single-connection and single-process, so no lock is needed here.
      await migrate(drizzle({ client: maintenanceClient, casing: 'snake_case' }), { migrationsFolder: migrationsFolder() });
    },
    async ping() {
      // A real table through the request gate: "not ready" while the connection is held too long.
      await requestClient.query('select 1 from users limit 1');
    },
    async close() {
      if (!client.closed) await client.close();
    },
  };
}
