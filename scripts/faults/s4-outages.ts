/**
 * Scenario 4: the script's own PostgreSQL restarted in immediate mode (a crash: `pg_ctl stop -m
 * immediate`, down for a few seconds, `pg_ctl start`) and then its redis-server killed and started
 * again on the same port (no AOF: its data is gone, as after a crash of a Redis without
 * persistence), each under a steady load of chat messages (the ledger), conversation reads and
 * catch-up reads. While a dependency is away the API must answer fast (503, or a fallback), never
 * hang past its budgets, come back by itself within 10 s, and lose no acknowledged write; the
 * workers must survive and deliver what was acknowledged.
 */
import path from 'node:path';
import { call, Ledger, must, ok } from './client.js';
import { Effects } from './effects.js';
import { expireActiveJobsNow, queueTrouble, waitForDrain } from './jobs-state.js';
import { outageFigures, runLoad, type OutageFigures, type Probe } from './load.js';
import { effectFailures, sleep, type Run, type ScenarioResult } from './run.js';

const DOWN_MS = 3000;
const RECOVERY_BUDGET_MS = 10_000;

interface CatchUp {
  events: Array<{ event: string; seq: number; message?: { id: string } }>;
  latest_seq: number;
  resync_required: boolean;
}

export async function dependencyRestarts(run: Run): Promise<ScenarioResult[]> {
  const since = new Date();
  const ledger = new Ledger();
  const recipient = run.others[0]!;
  const base = run.api.base;
  let n = 0;
  const message = (phase: string): Probe => ({
    kind: 'message',
    send: async () => {
      const key = `s4-${phase}-${n++}`;
      const r = await call<{ id: string }>(base, 'POST', `/api/v1/conversations/${run.conversationId}/messages`, run.hub.token, { content: key, client_message_id: key }, 20_000);
      ledger.record('message', key, r.status);
      return r;
    },
  });
  const probes = (phase: string): Probe[] => [
    message(phase),
    message(phase),
    { kind: 'read', send: () => call(base, 'GET', '/api/v1/conversations', run.hub.token, undefined, 20_000) },
    { kind: 'catch-up', send: () => call(base, 'GET', '/api/v1/realtime/events?since=0', recipient.token, undefined, 20_000) },
  ];

  const fault = async (phase: string, down: () => Promise<void>, up: () => Promise<void>) => {
    const load = runLoad(probes(phase));
    await sleep(1500);
    const downAt = performance.now();
    await down();
    await sleep(DOWN_MS);
    await up();
    const upAt = performance.now();
    // Until every kind answered 2xx again (or the budget is over), then a little more.
    while (performance.now() - upAt < RECOVERY_BUDGET_MS + 5000) {
      const f = outageFigures(load.answers, downAt, upAt, ['message', 'read', 'catch-up']);
      if (Object.values(f.recoveryMs).every((ms) => ms !== null)) break;
      await sleep(200);
    }
    await sleep(1000);
    await load.stop();
    return { figures: outageFigures(load.answers, downAt, upAt, ['message', 'read', 'catch-up']), downMs: upAt - downAt };
  };

  const pg = await fault(
    'pg',
    () => run.cluster.stop('immediate'),
    () => run.cluster.start(),
  );
  const seqBeforeRedis = (await must<CatchUp>(base, 'GET', '/api/v1/realtime/events?since=0', recipient.token)).latest_seq;
  const ackedBeforeRedis = new Set(ledger.acked('message').map((e) => e.key));
  const redis = await fault(
    'redis',
    () => run.redis.stop(),
    () => run.redis.start(),
  );

  // A job whose completion was being recorded when PostgreSQL went away stays `active` (its worker
  // moved on) until pg-boss expires it: 300 s, found by a maintenance run every 120 s. The drill
  // counts those jobs, then passes their expiry as scenario 2 does.
  let drain = await waitForDrain(run.db, 20_000);
  const { rows: stuck } = await run.db.query<{ id: string; name: string }>(
    `select id::text, name from pgboss.job where state = 'active' and name like 'events.%' and started_on < now() - interval '15 seconds'`,
  );
  if (stuck.length > 0) {
    await expireActiveJobsNow(run.db, run.databaseUrl, stuck.map((j) => j.id));
    drain = await waitForDrain(run.db, 30_000);
  }
  const fx = new Effects(run.db, path.join(run.deployment.dataDir, 'mail'));
  const { rows: sent } = await run.db.query<{ id: string; key: string }>(
    `select id, client_message_id as key from messages where sender_id = $1 and client_message_id like 's4-%'`,
    [run.hub.id],
  );
  for (const e of ledger.acked('message')) {
    fx.owe('acknowledged message stored', e.key, 1, async () => sent.filter((m) => m.key === e.key).length);
    const id = sent.find((m) => m.key === e.key)?.id;
    if (id) fx.owe('its push_outbox row', e.key, 1, fx.rows('push_outbox', `user_id = $1 and payload->'data'->>'message_id' = $2`, [recipient.id, id]));
  }
  const effects = await fx.verify();
  // Redis restarted without its data: the catch-up log is gone, so a client that was at
  // seqBeforeRedis must be told to resync, never handed a log that silently lacks messages.
  const after = await call<CatchUp>(base, 'GET', `/api/v1/realtime/events?since=${seqBeforeRedis}`, recipient.token);
  const trouble = await queueTrouble(run.db, since);

  const judge = (f: OutageFigures, name: string): string[] => {
    const out: string[] = [];
    if (f.lost > 0) out.push(`${name}: ${f.lost} answers neither 2xx nor 503`);
    for (const [kind, ms] of Object.entries(f.recoveryMs)) if (ms === null || ms > RECOVERY_BUDGET_MS) out.push(`${name}: ${kind} not recovered within 10 s (${ms} ms)`);
    // The budgets: pool acquire 2 s + statement 5 s (PostgreSQL), a command 200 ms (Redis).
    if (f.slowestDuringMs > 7500) out.push(`${name}: an answer took ${f.slowestDuringMs} ms while it was down`);
    return out;
  };
  const failures = [...judge(pg.figures, 'PostgreSQL'), ...judge(redis.figures, 'Redis'), ...effectFailures(effects)];
  if (!drain.drained) failures.push(`queues not drained: ${drain.open.join(', ')}`);
  for (const w of run.workers) if (!w.alive) failures.push(`${w.name} died during the outages`);
  if (trouble.failed + trouble.dead > 0) failures.push(`jobs failed for good: ${trouble.errors.join(' | ')}`);
  const lostFromLog = ok(after) && !after.body.resync_required && [...ackedBeforeRedis].length > 0 && after.body.latest_seq < seqBeforeRedis;
  if (lostFromLog) failures.push(`after the Redis restart the catch-up since=${seqBeforeRedis} answered resync_required false with latest_seq ${after.body.latest_seq}`);

  const figures = (f: OutageFigures, downMs: number) => ({
    'down for (s)': (downMs / 1000).toFixed(1),
    'answers while down': JSON.stringify(f.during),
    'first 503 after the fault (ms)': f.first503Ms ?? 'none',
    'slowest answer while down (ms)': f.slowestDuringMs,
    'lost (not 2xx/503)': f.lost,
    'recovery after it returned (ms)': JSON.stringify(f.recoveryMs),
  });
  const acked = ledger.summary();
  return [
    {
      name: '4a. PostgreSQL restarted (pg_ctl stop -m immediate, 3 s down, start)',
      acked,
      effects,
      figures: {
        ...figures(pg.figures, pg.downMs),
        'jobs left active by the outages (completion lost; retried only at their expiry, passed by the drill)':
          stuck.length === 0 ? 0 : `${stuck.length} (${[...new Set(stuck.map((j) => j.name))].join(', ')})`,
      },
      failures: failures.filter((f) => !f.startsWith('Redis')),
    },
    {
      name: '4b. Redis killed and restarted on its port (no AOF)',
      acked: {},
      effects: [],
      figures: {
        ...figures(redis.figures, redis.downMs),
        'catch-up since the last seq before the restart': ok(after)
          ? `resync_required ${after.body.resync_required}, latest_seq ${after.body.latest_seq} (was ${seqBeforeRedis})`
          : `${after.status}`,
      },
      failures: failures.filter((f) => f.startsWith('Redis') || f.startsWith('after the Redis')),
    },
  ];
}
