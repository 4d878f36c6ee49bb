/**
 * `npm run test:faults`: the durability guarantees of issue 17 shown on real processes. Starts a
 * PostgreSQL cluster (initdb/pg_ctl in a temp directory, a free port) and a redis-server of its own
 * — never the machine's shared ones — and spawns the README's API and worker commands against
 * them, then runs, each with a ledger of the writes acknowledged and a count of what exists after:
 *   1. an API SIGKILLed right after 2xx to a burst of writes, no worker running: every mail,
 *      notification, push-outbox row, inbox row and goal-chat message owed exists exactly once;
 *   2. a worker SIGKILLed mid-job: the jobs run again, their effects exist exactly once;
 *   3. two workers: each every-minute schedule fires once per minute;
 *   6. an instance SIGKILLed right after a send: the catch-up holds every acknowledged message;
 *   5. SIGTERM under load: no request cut off, WebSockets closed 1001;
 *   4. PostgreSQL restarted (immediate) and Redis restarted: 503s fast, recovery within 10 s, no
 *      acknowledged write lost.
 * Prints each scenario's figures and tables; exits 1 if any expectation failed. The logs of the
 * processes stay in the printed directory when something failed (FAULTS_KEEP=1: always).
 * Needs the PostgreSQL server binaries and redis-server; takes about five minutes.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { OwnPostgres } from '../test/own-postgres.js';
import { OwnRedis } from '../test/own-redis.js';
import { effectsTable } from './faults/effects.js';
import { killAll, TribeProcess, type Deployment } from './faults/processes.js';
import { type Infra, type ScenarioResult } from './faults/run.js';
import { apiKilledAfterAck } from './faults/s1-api-killed.js';
import { workerKilledMidJob } from './faults/s2-worker-killed.js';
import { cronFiredOnce, openCronWindow, waitForWholeMinutes } from './faults/s3-cron-once.js';
import { dependencyRestarts } from './faults/s4-outages.js';
import { sigtermUnderLoad } from './faults/s5-sigterm.js';
import { catchUpAfterKill } from './faults/s6-catch-up.js';

const out = (text: string) => process.stdout.write(`${text}\n`);

function print(result: ScenarioResult): void {
  out(`\n## ${result.name}${result.failures.length === 0 ? '  — PASS' : '  — FAIL'}`);
  if (Object.keys(result.acked).length > 0) out(`acknowledged writes: ${JSON.stringify(result.acked)}`);
  for (const [name, value] of Object.entries(result.figures)) out(`  ${name}: ${value}`);
  if (result.effects.length > 0) out(`\n${effectsTable(result.effects)}`);
  for (const failure of result.failures) out(`  FAILED: ${failure}`);
}

async function main(): Promise<number> {
  const started = performance.now();
  const work = mkdtempSync(path.join(os.tmpdir(), 'tribe-faults-'));
  const cluster = await OwnPostgres.start();
  const redis = await OwnRedis.start();
  const results: ScenarioResult[] = [];
  let db: pg.Pool | undefined;
  try {
    const databaseUrl = await cluster.createDatabase('tribe_faults');
    // The cluster runs with synchronous_commit off (a test cluster); an immediate shutdown would
    // then drop the last commits, acknowledged or not. The application's database commits durably.
    const admin = new pg.Client({ connectionString: cluster.url() });
    await admin.connect();
    await admin.query('alter database tribe_faults set synchronous_commit = on');
    const { rows } = await admin.query<{ v: string }>("select current_setting('server_version') as v");
    await admin.end();
    db = new pg.Pool({ connectionString: databaseUrl, max: 3 });
    db.on('error', () => undefined);
    const deployment: Deployment = {
      databaseUrl,
      redisUrl: redis.url,
      redisKeyPrefix: `tribe-faults:${randomUUID()}:`,
      jwtSecret: randomBytes(32).toString('hex'),
      dataDir: path.join(work, 'data'),
      logDir: work,
    };
    out(`test:faults — node ${process.version}, PostgreSQL ${rows[0]?.v} on port ${cluster.port}, redis on port ${redis.port}; logs in ${work}`);
    const infra: Infra = { cluster, redis, databaseUrl, deployment, db };

    const s1 = await apiKilledAfterAck(infra);
    results.push(s1.result);
    print(s1.result);
    const run = s1.run;

    const s2 = await workerKilledMidJob(run);
    results.push(s2);
    print(s2);

    run.workers.push(await TribeProcess.worker(deployment));
    const window = openCronWindow(run);

    const s6 = await catchUpAfterKill(run);
    results.push(s6);
    print(s6);

    const s5 = await sigtermUnderLoad(run);
    results.push(s5);
    print(s5);

    out('\n(waiting for two whole minutes with both workers…)');
    await waitForWholeMinutes(window, 2);
    const s3 = await cronFiredOnce(run, window, new Date());
    results.push(s3);
    print(s3);

    for (const result of await dependencyRestarts(run)) {
      results.push(result);
      print(result);
    }
  } catch (err) {
    results.push({ name: 'the script itself', acked: {}, effects: [], figures: {}, failures: [err instanceof Error ? (err.stack ?? err.message) : String(err)] });
    out(`\nFAILED: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  } finally {
    await killAll();
    await db?.end().catch(() => undefined);
    await redis.stop();
    await cluster.destroy();
  }
  const failed = results.filter((r) => r.failures.length > 0);
  out(`\n${results.length - failed.length} of ${results.length} scenarios passed in ${((performance.now() - started) / 1000).toFixed(0)} s`);
  if (failed.length === 0 && process.env.FAULTS_KEEP !== '1') rmSync(work, { recursive: true, force: true });
  else out(`process logs kept in ${work}`);
  return failed.length === 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`test:faults failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
