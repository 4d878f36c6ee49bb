import pg from 'pg';
import { ConnectionGate } from '../db/connection-gate.js';
import type { Database } from '../db/database.js';
import type { DatabasePoolStats } from './metrics.js';

/** What the two database adapters carry beside the port (postgres-database.ts, pglite-database.ts). */
interface PoolCarrier {
  pool?: unknown;
  hotPool?: unknown;
  gate?: unknown;
}

function ofPgPool(name: string, pool: pg.Pool): DatabasePoolStats {
  return { pool: name, total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount };
}

/**
 * Reads the pools behind a database at each scrape: on PostgreSQL the main pool (`pool="main"`) and
 * the hot prepared-read pool (`pool="hot"`); on PGlite its one connection (`pool="embedded"`: total 1,
 * idle 0 or 1, waiting = work queued at its gate). A database of neither kind (a test double) has none.
 */
export function databasePoolStats(database: Database): () => DatabasePoolStats[] {
  const carrier = database as Database & PoolCarrier;
  return () => {
    const stats: DatabasePoolStats[] = [];
    if (carrier.pool instanceof pg.Pool) stats.push(ofPgPool('main', carrier.pool));
    if (carrier.hotPool instanceof pg.Pool) stats.push(ofPgPool('hot', carrier.hotPool));
    if (carrier.gate instanceof ConnectionGate) {
      stats.push({ pool: 'embedded', total: 1, idle: carrier.gate.inUse ? 0 : 1, waiting: carrier.gate.waiting });
    }
    return stats;
  };
}
