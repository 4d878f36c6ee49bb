/**
 * Scenario 3: two workers, each running the cron schedules: every period of a schedule must fire
 * exactly once across both. Counts the runs of the every-minute queues (`cron.goal-reminders`,
 * `cron.push-delivery`) per minute in the job table and its archive, over the whole minutes during
 * which both workers ran.
 */
import { table } from './effects.js';
import { sleep, type Run, type ScenarioResult } from './run.js';

const EVERY_MINUTE = ['cron.goal-reminders', 'cron.push-delivery'];
const MINUTE = 60_000;

export interface CronWindow {
  from: Date;
  workers: string[];
}

/** Marks the moment both workers run (the window opens at the next whole minute). */
export function openCronWindow(run: Run): CronWindow {
  if (run.workers.length < 2) throw new Error('scenario 3 needs two workers');
  return { from: new Date(), workers: run.workers.map((w) => w.name) };
}

/** Waits until the window holds `minutes` whole minutes; returns when they are over. */
export async function waitForWholeMinutes(window: CronWindow, minutes: number): Promise<void> {
  const start = Math.ceil(window.from.getTime() / MINUTE) * MINUTE;
  // A run is created a few seconds into its minute (pg-boss checks the schedules every 30 s): wait past that.
  const end = start + minutes * MINUTE + 35_000;
  if (Date.now() < end) await sleep(end - Date.now());
}

/**
 * Matches runs to minutes: a minute's run is the earliest unmatched one created in it or up to
 * LAG_MS after it (pg-boss hands a due schedule to its send-it queue, polled every few seconds, so
 * a run due at :59 may be created just after the minute). A minute without one missed its run; a
 * run left over is a second run of some period.
 */
const LAG_MS = 10_000;

export async function cronFiredOnce(run: Run, window: CronWindow, until: Date): Promise<ScenarioResult> {
  const first = Math.ceil(window.from.getTime() / MINUTE) * MINUTE;
  const last = Math.floor(until.getTime() / MINUTE) * MINUTE;
  const { rows } = await run.db.query<{ name: string; created: Date; state: string }>(
    `select name, created_on as created, state::text as state
     from (select name, created_on, state from pgboss.job union all select name, created_on, state from pgboss.archive) j
     where name = any($1::text[]) and created_on >= $2 and created_on < $3 order by created_on`,
    [EVERY_MINUTE, new Date(first), new Date(last + LAG_MS)],
  );
  const minutes = Math.max(0, (last - first) / MINUTE);
  const failures: string[] = [];
  if (minutes < 2) failures.push(`only ${minutes} whole minutes with both workers`);
  const perMinute: Array<Array<string | number>> = [];
  const unmatched = new Set(rows);
  for (let m = first; m < last; m += MINUTE) {
    const cells: Array<string | number> = [new Date(m).toISOString().slice(11, 16)];
    for (const name of EVERY_MINUTE) {
      const mine = [...unmatched].filter((r) => r.name === name && r.created.getTime() >= m && r.created.getTime() < m + MINUTE + LAG_MS);
      const match = mine[0];
      if (match) {
        unmatched.delete(match);
        cells.push(`${match.created.toISOString().slice(17, 23)} s`);
        if (match.state !== 'completed') failures.push(`${name} at ${match.created.toISOString()}: ${match.state}`);
      } else {
        cells.push('none');
        failures.push(`${name}: no run for the minute ${new Date(m).toISOString()}`);
      }
    }
    perMinute.push(cells);
  }
  const extra = [...unmatched].filter((r) => r.created.getTime() < last);
  for (const r of extra) failures.push(`${r.name}: a second run at ${r.created.toISOString()}`);
  return {
    name: '3. two workers: each schedule fires once per period',
    acked: {},
    effects: [],
    figures: {
      workers: window.workers.join(', '),
      'whole minutes observed': minutes,
      'runs matched to minutes': `${rows.length - unmatched.size} (expected ${minutes * EVERY_MINUTE.length}), extra runs: ${extra.length}`,
      'run created at (seconds into the minute)': `\n${table(['minute (UTC)', ...EVERY_MINUTE], perMinute)}`,
    },
    failures,
  };
}
