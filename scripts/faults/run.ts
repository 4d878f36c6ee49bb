/**
 * What the scenarios of `npm run test:faults` share: the script's own PostgreSQL cluster and
 * redis-server, the deployment every spawned process uses, a pool for the checks, the people and
 * conversations the first scenario made, and each scenario's result.
 */
import type pg from 'pg';
import type { OwnPostgres } from '../../test/own-postgres.js';
import type { OwnRedis } from '../../test/own-redis.js';
import type { User } from './client.js';
import type { EffectRow } from './effects.js';
import type { Deployment, TribeProcess } from './processes.js';

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export interface Infra {
  cluster: OwnPostgres;
  redis: OwnRedis;
  databaseUrl: string;
  deployment: Deployment;
  /** For the checks (the script's own connections, not the processes'). */
  db: pg.Pool;
}

export interface Run extends Infra {
  /** The API answering between scenarios (replaced when one is killed). */
  api: TribeProcess;
  workers: TribeProcess[];
  /** The hub (friends with everyone else) and the others, from scenario 1. */
  hub: User;
  others: User[];
  /** The hub's direct conversation with others[0]. */
  conversationId: string;
}

export interface ScenarioResult {
  name: string;
  /** Acknowledged writes by kind. */
  acked: Record<string, number>;
  effects: EffectRow[];
  /** Measured figures, named for the report. */
  figures: Record<string, string | number>;
  /** Broken expectations (empty: the scenario passed). */
  failures: string[];
}

/** The failures of effect rows (missing or duplicated copies). */
export function effectFailures(rows: EffectRow[]): string[] {
  return rows
    .filter((r) => r.missing > 0 || r.duplicates > 0)
    .map((r) => `${r.effect}: ${r.missing} missing, ${r.duplicates} duplicated (${r.wrong.join('; ')})`);
}
