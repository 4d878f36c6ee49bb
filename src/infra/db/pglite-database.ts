import { mkdirSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import { unaccent } from '@electric-sql/pglite/contrib/unaccent';
import { drizzle } from 'drizzle-orm/pglite';
import { migrate } from 'drizzle-orm/pglite/migrator';
import type { Database, Db } from './database.js';
import { migrationsFolder } from './migrations-folder.js';
import { queryRows } from './rows.js';

export interface PgliteOptions {
  /** Directory of the database files; omit for an in-memory database. */
  dataDir?: string;
  /** A dump made by `dumpDataDir()` to start from (tests start every file from a migrated image). */
  loadDataDir?: Blob | File;
}

/** Embedded PostgreSQL (WASM) for `npm start` and `npm test`: no server needed. */
export async function openPgliteDatabase(options: PgliteOptions = {}): Promise<Database & { client: PGlite }> {
  if (options.dataDir) mkdirSync(options.dataDir, { recursive: true });
  const client = await PGlite.create({
    ...(options.dataDir ? { dataDir: options.dataDir } : {}),
    ...(options.loadDataDir ? { loadDataDir: options.loadDataDir } : {}),
    extensions: { pg_trgm, unaccent },
  });
  const db = drizzle({ client, casing: 'snake_case' }) as unknown as Db;
  return {
    kind: 'pglite',
    db,
    client,
    async queryPrepared(query) {
      // One embedded connection and no plan cache to gain from: run it as any other statement.
      return queryRows(db, query);
    },
    async migrate() {
      // PGlite is single-connection and single-process, so no lock is needed here.
      await migrate(drizzle({ client, casing: 'snake_case' }), { migrationsFolder: migrationsFolder() });
    },
    async ping() {
      await client.query('select 1');
    },
    async close() {
      if (!client.closed) await client.close();
    },
  };
}
