/**
 * Reading and steering the job engine's tables (pg-boss, schema `pgboss`) from outside the
 * processes: whether the event queues have drained, what failed, and the drill's stand-in for the
 * passing of a killed job's expiry.
 */
import PgBoss from 'pg-boss';
import type pg from 'pg';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Jobs of the subscriber queues (`events.<name>`, not their dead letters) still to run. */
const OPEN = `select count(*)::int as n from pgboss.job
  where name like 'events.%' and name not like '%.dead' and state in ('created', 'retry', 'active')`;

export interface QueueTrouble {
  /** Jobs out of retries. */
  failed: number;
  /** Copies in the dead-letter queues. */
  dead: number;
  /** Jobs that failed at least once and ran again (retry_count > 0). */
  retried: number;
  errors: string[];
}

export interface Drain {
  ms: number;
  drained: boolean;
  /** What was still open when the wait gave up (queue, state, count). */
  open: string[];
}

/**
 * Until no event job is waiting, retrying or running (twice in a row), or `timeoutMs`: the jobs
 * still open then (a handler failing again and again) are reported, not thrown, so the checks
 * still run and name what is missing.
 */
export async function waitForDrain(db: pg.Pool, timeoutMs = 60_000): Promise<Drain> {
  const started = Date.now();
  let quiet = 0;
  for (;;) {
    const n = await db.query<{ n: number }>(OPEN).then((r) => Number(r.rows[0]?.n ?? 0), () => -1);
    quiet = n === 0 ? quiet + 1 : 0;
    if (quiet >= 2) return { ms: Date.now() - started, drained: true, open: [] };
    if (Date.now() - started > timeoutMs) {
      const { rows } = await db.query<{ name: string; state: string; n: number }>(
        `select name, state::text as state, count(*)::int as n from pgboss.job
         where name like 'events.%' and name not like '%.dead' and state in ('created','retry','active') group by 1, 2`,
      );
      return { ms: Date.now() - started, drained: false, open: rows.map((r) => `${r.name} ${r.state} ×${r.n}`) };
    }
    await sleep(250);
  }
}

/** Failures and retries of the event queues since `since`. */
export async function queueTrouble(db: pg.Pool, since: Date): Promise<QueueTrouble> {
  const all = `(select name, state::text as state, retry_count, created_on, output from pgboss.job
                union all select name, state::text, retry_count, created_on, output from pgboss.archive) j`;
  const { rows } = await db.query<{ failed: number; dead: number; retried: number }>(
    `select count(*) filter (where state = 'failed' and name not like '%.dead')::int as failed,
            count(*) filter (where name like '%.dead')::int as dead,
            count(*) filter (where retry_count > 0 and name not like '%.dead')::int as retried
     from ${all} where name like 'events.%' and created_on >= $1`,
    [since],
  );
  const errors = await db.query<{ name: string; message: string | null }>(
    `select name, output->>'message' as message from ${all}
     where name like 'events.%' and created_on >= $1 and output ? 'message' order by created_on desc limit 8`,
    [since],
  );
  const r = rows[0] ?? { failed: 0, dead: 0, retried: 0 };
  return { ...r, errors: errors.rows.map((e) => `${e.name}: ${e.message}`) };
}

/**
 * pg-boss retries a job whose worker died only once its `expire_in` (our queues: 300 s) has passed
 * since it started, at the next maintenance run (every 120 s, once across the cluster). The drill
 * cannot wait those 5–7 minutes: it moves the jobs' start back past their expiry and runs pg-boss's
 * own maintenance once — what the cluster would do by itself later. Returns the jobs moved.
 */
export async function expireActiveJobsNow(db: pg.Pool, connectionString: string, ids: string[]): Promise<number> {
  const moved = await db.query(
    `update pgboss.job set started_on = now() - expire_in - interval '1 second' where state = 'active' and id = any($1::uuid[])`,
    [ids],
  );
  // Let this maintenance run now whatever the last one's time.
  await db.query(`update pgboss.version set maintained_on = null`);
  const boss = new PgBoss({ connectionString, schema: 'pgboss', migrate: false, supervise: true, schedule: false, maintenanceIntervalSeconds: 1, max: 1 });
  boss.on('error', () => undefined);
  const done = new Promise<void>((resolve) => boss.once('maintenance', () => resolve()));
  await boss.start();
  await Promise.race([done, sleep(10_000)]);
  await boss.stop({ graceful: false, close: true, wait: true });
  return moved.rowCount ?? 0;
}
