/**
 * Scenario 2: a worker SIGKILLed in the middle of jobs. The script holds ACCESS EXCLUSIVE locks on
 * `friends_inbox` and `notifications`, so the fan-out of a new post and the notification of a like
 * block inside their jobs; once both jobs are active and waiting, the worker is killed, the locks
 * are released and another worker starts. The killed worker's statements may still finish in
 * their orphaned server sessions; the jobs run again (pg-boss expires them) and each effect must
 * exist exactly once.
 */
import path from 'node:path';
import pg from 'pg';
import { call, Ledger, ok } from './client.js';
import { Effects } from './effects.js';
import { expireActiveJobsNow, queueTrouble, waitForDrain } from './jobs-state.js';
import { TribeProcess } from './processes.js';
import { effectFailures, sleep, type Run, type ScenarioResult } from './run.js';

interface ActiveJob {
  id: string;
  name: string;
  event: string;
  expire: number;
}

export async function workerKilledMidJob(run: Run): Promise<ScenarioResult> {
  const since = new Date();
  const ledger = new Ledger();
  const failures: string[] = [];
  const [worker] = run.workers;
  if (!worker || run.workers.length !== 1) throw new Error('scenario 2 expects exactly one worker running');
  const liker = run.others[2]!;

  const holder = new pg.Client({ connectionString: run.databaseUrl });
  holder.on('error', () => undefined);
  await holder.connect();
  await holder.query('begin');
  await holder.query('lock table friends_inbox, notifications in access exclusive mode');

  const post = await call<{ id: string }>(run.api.base, 'POST', '/api/v1/posts', run.hub.token, { caption: 'posted while the worker dies', visibility: 'friends' });
  ledger.record('post', post.body.id, post.status);
  if (!ok(post)) throw new Error(`post: ${post.status}`);
  const like = await call(run.api.base, 'POST', `/api/v1/posts/${post.body.id}/like`, liker.token);
  ledger.record('like', post.body.id, like.status);

  // Both jobs picked up and blocked on the locks.
  let active: ActiveJob[] = [];
  let waiting = 0;
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    active = (
      await run.db.query<ActiveJob>(
        `select id::text, name, data->>'event' as event, extract(epoch from expire_in)::int as expire from pgboss.job
         where state = 'active' and name like 'events.%' and data->>'event' in ('post.created', 'post.liked') and created_on >= $1`,
        [since],
      )
    ).rows;
    waiting = Number(
      (await run.db.query<{ n: number }>(`select count(*)::int as n from pg_stat_activity where wait_event_type = 'Lock' and datname = current_database()`)).rows[0]?.n ?? 0,
    );
    if (new Set(active.map((j) => j.event)).size === 2 && waiting >= 2) break;
    await sleep(25);
  }
  const killedAt = performance.now();
  await worker.kill();
  if (new Set(active.map((j) => j.event)).size < 2) failures.push(`the jobs were not caught running (active: ${JSON.stringify(active)}, waiting on locks: ${waiting})`);
  await holder.query('rollback');
  await holder.end();
  // What the orphaned sessions of the dead worker did once the locks were gone.
  await sleep(1000);
  const inboxBefore = Number((await run.db.query<{ n: number }>('select count(*)::int as n from friends_inbox where post_id = $1', [post.body.id])).rows[0]?.n ?? 0);

  const next = await TribeProcess.worker(run.deployment);
  run.workers = [next];
  // Expiry: our queues expire a running job after 300 s, found by the next maintenance (120 s).
  const expireSeconds = Math.max(0, ...active.map((j) => j.expire));
  let simulated = false;
  if (expireSeconds > 30) {
    simulated = true;
    await expireActiveJobsNow(run.db, run.databaseUrl, active.map((j) => j.id));
  }
  const drain = await waitForDrain(run.db);
  if (!drain.drained) failures.push(`queues not drained: ${drain.open.join(', ')}`);
  const recovered = (performance.now() - killedAt) / 1000;

  const fx = new Effects(run.db, path.join(run.deployment.dataDir, 'mail'));
  const friends = run.others;
  for (const friend of friends) fx.owe('friends-inbox row', friend.id, 1, fx.rows('friends_inbox', 'user_id = $1 and post_id = $2', [friend.id, post.body.id]));
  if (ok(like)) {
    fx.owe('post_like notification', post.body.id, 1, fx.rows('notifications', `user_id = $1 and notification_type = 'post_like' and related_post_id = $2`, [run.hub.id, post.body.id]));
    fx.owe('its push_outbox row', post.body.id, 1, fx.rows('push_outbox p join notifications n on n.id = p.notification_id', `n.related_post_id = $1 and n.notification_type = 'post_like'`, [post.body.id]));
  }
  const effects = await fx.verify();
  failures.push(...effectFailures(effects));
  const { rows: reruns } = await run.db.query<{ n: number }>(
    `select count(*)::int as n from (select id, retry_count from pgboss.job union all select id, retry_count from pgboss.archive) j where id = any($1::uuid[]) and retry_count > 0`,
    [active.map((j) => j.id)],
  );
  const trouble = await queueTrouble(run.db, since);
  if (trouble.failed + trouble.dead > 0) failures.push(`jobs failed for good: ${trouble.errors.join(' | ')}`);
  return {
    name: '2. worker SIGKILLed mid-job (fan-out and like blocked on locks)',
    acked: ledger.summary(),
    effects,
    figures: {
      'jobs running when killed': active.length,
      'jobs run again (retry_count > 0)': Number(reruns[0]?.n ?? 0),
      'inbox rows written by the dead worker’s orphaned session': `${inboxBefore} of ${friends.length}`,
      'job expiry (expire_in)': `${expireSeconds} s${simulated ? ' — passed by the drill (started_on moved back, one pg-boss maintenance run)' : ''}`,
      'effects exactly once (s after the kill)': recovered.toFixed(1),
      duplicates: effects.reduce((s, r) => s + r.duplicates, 0),
    },
    failures,
  };
}
