/**
 * `npm run bench:writes`: what the write paths cost on the production adapters (PostgreSQL + Redis),
 * measured from outside so the same script measures any version of the server (issue 17: before and
 * after the transactional outbox). It runs the server of BENCH_SERVER_DIR (default: this checkout) as
 * production runs it — `node --import tsx src/main.ts` plus one `src/worker.ts` — seeds only through
 * the HTTP API, and drives three write classes closed loop (BENCH_CONNECTIONS connections, each
 * sending its next request when the previous one answered) for BENCH_SECONDS each:
 *
 *   send  POST /api/v1/conversations/:id/messages, a direct message between friends, a fresh
 *         client_message_id each;
 *   like  POST then DELETE /api/v1/posts/:id/like (a user per connection, a friend's post);
 *   post  POST /api/v1/posts, a JSON text post visible to friends.
 *
 * Per class: requests/s, p50/p99 latency, non-2xx and errors, and the CPU milliseconds per request
 * of the parties (server + worker + PostgreSQL + Redis, from /proc, scripts/bench-cpu.ts) during the
 * load; the load generator (autocannon, scripts/bench-writes-load.ts, a child process) is shown but
 * not counted. Where the server has a job queue (pgboss.job), it waits after each class until the
 * queue holds nothing created, retrying or active, and reports how long that took, the jobs created
 * per request, and the parties' CPU per request over load and drain together.
 *
 * Env: DATABASE_URL (default postgres://postgres@127.0.0.1:5432/postgres: the server; the database
 * BENCH_DB, default tribe_writes_bench, is dropped and recreated, and dropped after unless
 * BENCH_KEEP_DB=1), REDIS_URL (default redis://127.0.0.1:6379; keys under a fresh prefix, deleted
 * after), BENCH_SERVER_DIR, BENCH_SECONDS (15), BENCH_WARMUP_SECONDS (3, per class, not measured),
 * BENCH_CONNECTIONS (16), BENCH_USERS (60), BENCH_FRIENDS_EACH (3: user i befriends i+1..i+3, a
 * direct conversation per pair), BENCH_POSTS_EACH (4 seeded posts per user), BENCH_CLASSES
 * (send,like,post), BENCH_SERVER_NODE_ARGS (extra node flags for the server, e.g. "--cpu-prof
 * --cpu-prof-dir=/tmp/prof"), BENCH_LABEL (printed with the results), BENCH_RESULTS_FILE (appends
 * one JSON line per class).
 */
import { spawn, fork, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { appendFileSync, closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import pg from 'pg';
import { cpuPerUnit, cpuSnapshot, type Classifier, type CpuGroups } from './bench-cpu.js';
import type { BenchActor, WriteClass, WriteLoadFigures, WriteLoadRequest } from './bench-writes-load.js';

const env = process.env;
const here = path.dirname(fileURLToPath(import.meta.url));
const SERVER_DIR = path.resolve(env.BENCH_SERVER_DIR ?? path.join(here, '..'));
const SECONDS = Number(env.BENCH_SECONDS ?? 15);
const WARMUP_SECONDS = Number(env.BENCH_WARMUP_SECONDS ?? 3);
const CONNECTIONS = Number(env.BENCH_CONNECTIONS ?? 16);
const USERS = Number(env.BENCH_USERS ?? 60);
const FRIENDS_EACH = Number(env.BENCH_FRIENDS_EACH ?? 3);
const POSTS_EACH = Number(env.BENCH_POSTS_EACH ?? 4);
const CLASSES = (env.BENCH_CLASSES ?? 'send,like,post').split(',').filter(Boolean) as WriteClass[];
const DB_NAME = env.BENCH_DB ?? 'tribe_writes_bench';
const SERVER_NODE_ARGS = (env.BENCH_SERVER_NODE_ARGS ?? '').split(' ').filter(Boolean);
const LABEL = env.BENCH_LABEL ?? path.basename(SERVER_DIR);
const DRAIN_TIMEOUT_MS = 180_000;
const PASSWORD = 'Bench-writes-Pa55word!';
const log = (line = '') => process.stdout.write(`${line}\n`);
const load = () => os.loadavg().map((l) => l.toFixed(2)).join(' / ');

for (const c of CLASSES) if (!['send', 'like', 'post'].includes(c)) throw new Error(`BENCH_CLASSES: unknown class ${c} (send, like, post)`);

function databaseUrlFor(baseUrl: string, database: string): string {
  const url = new URL(baseUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

async function recreateDatabase(baseUrl: string, drop: boolean): Promise<void> {
  const admin = new pg.Client({ connectionString: baseUrl });
  await admin.connect();
  try {
    await admin.query(`drop database if exists "${DB_NAME}" with (force)`);
    if (!drop) await admin.query(`create database "${DB_NAME}"`);
  } finally {
    await admin.end();
  }
}

/** A process of the server's checkout (`node [flags] --import tsx <script>`, cwd = that checkout). */
function startProcess(name: string, script: string, childEnv: NodeJS.ProcessEnv, logFile: string, nodeArgs: string[] = []): ChildProcess {
  const out = openSync(logFile, 'a');
  const child = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', script], { cwd: SERVER_DIR, env: childEnv, stdio: ['ignore', out, out] });
  closeSync(out);
  child.once('exit', (code, signal) => {
    if (!stopping) log(`!! ${name} exited early (code ${code}, signal ${signal})`);
  });
  return child;
}

let stopping = false;

async function stopProcess(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 25_000);
  await exited;
  clearTimeout(timer);
}

async function waitReady(baseUrl: string, child: ChildProcess, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the server exited with ${child.exitCode} before it was ready`);
    const ok = await fetch(`${baseUrl}/readyz`).then((r) => r.ok, () => false);
    if (ok) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`the server was not ready within ${timeoutMs / 1000} s`);
}

/** Runs `fn` over `items` with at most `limit` in flight. */
async function inBatches<T, R>(items: T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array<R>(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await fn(items[i]!, i);
      }
    }),
  );
  return out;
}

class Api {
  constructor(private readonly baseUrl: string) {}

  async call<T>(method: string, route: string, body: unknown, auth: string | undefined, expect: number[]): Promise<T> {
    const res = await fetch(`${this.baseUrl}${route}`, {
      method,
      headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...(auth ? { authorization: auth } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (!expect.includes(res.status)) throw new Error(`${method} ${route} answered ${res.status}: ${text.slice(0, 300)}`);
    return (text ? JSON.parse(text) : undefined) as T;
  }
}

interface SeededUser {
  id: string;
  auth: string;
  posts: string[];
}

/** Users, friendships (request + accept), a direct conversation per friend pair, posts: all through the API. */
async function seed(api: Api): Promise<BenchActor[]> {
  let started = Date.now();
  // argon2 is dear: a few registrations at a time.
  const users: SeededUser[] = await inBatches(
    Array.from({ length: USERS }, (_, i) => i),
    4,
    async (i) => {
      const s = await api.call<{ user: { id: string }; access_token: string }>(
        'POST',
        '/api/v1/auth/register',
        { email: `writes.bench.${i}@example.com`, username: `wbench_${i}`, full_name: `Writes Bench ${i}`, password: PASSWORD, confirm_password: PASSWORD },
        undefined,
        [201],
      );
      const auth = `Bearer ${s.access_token}`;
      // The default audience (friends of friends) would refuse the first request between strangers.
      await api.call('PUT', '/api/v1/settings', { privacy: { who_can_send_friend_requests: 'everyone' } }, auth, [200]);
      return { id: s.user.id, auth, posts: [] };
    },
  );
  log(`  ${USERS} users registered in ${((Date.now() - started) / 1000).toFixed(1)} s`);

  started = Date.now();
  const pairs: Array<[number, number]> = [];
  for (let i = 0; i < USERS; i++) for (let d = 1; d <= FRIENDS_EACH; d++) pairs.push([i, (i + d) % USERS]);
  const friendsOf = new Map<number, number[]>();
  const conversationsOf = new Map<number, string[]>();
  await inBatches(pairs, 8, async ([a, b]) => {
    const request = await api.call<{ id: string }>('POST', '/api/v1/friends/requests', { user_id: users[b]!.id }, users[a]!.auth, [201]);
    await api.call('PUT', `/api/v1/friends/requests/${request.id}/accept`, undefined, users[b]!.auth, [200]);
    const conversation = await api.call<{ id: string }>(
      'POST',
      '/api/v1/conversations',
      { conversation_type: 'direct', participant_ids: [users[b]!.id] },
      users[a]!.auth,
      [200, 201],
    );
    for (const [x, y] of [[a, b], [b, a]] as const) {
      friendsOf.set(x, [...(friendsOf.get(x) ?? []), y]);
      conversationsOf.set(x, [...(conversationsOf.get(x) ?? []), conversation.id]);
    }
  });
  log(`  ${pairs.length} friendships and direct conversations in ${((Date.now() - started) / 1000).toFixed(1)} s`);

  started = Date.now();
  await inBatches(
    users.flatMap((u) => Array.from({ length: POSTS_EACH }, () => u)),
    8,
    async (u) => {
      const post = await api.call<{ id: string }>('POST', '/api/v1/posts', { caption: 'a seeded bench post', visibility: 'friends' }, u.auth, [201]);
      u.posts.push(post.id);
    },
  );
  log(`  ${USERS * POSTS_EACH} posts in ${((Date.now() - started) / 1000).toFixed(1)} s`);

  return users.map((u, i) => ({
    auth: u.auth,
    conversationIds: conversationsOf.get(i) ?? [],
    likeablePostIds: (friendsOf.get(i) ?? []).flatMap((f) => users[f]!.posts),
  }));
}

async function drive(url: string, kind: WriteClass, seconds: number, actors: BenchActor[]): Promise<WriteLoadFigures> {
  const child = fork(path.join(here, 'bench-writes-load.ts'), [], { execArgv: ['--import', 'tsx'] });
  const figures = new Promise<WriteLoadFigures>((resolve, reject) => {
    child.once('message', (m) => resolve(m as WriteLoadFigures));
    child.once('exit', (code) => reject(new Error(`load generator exited with ${code}`)));
  });
  child.send({ url, connections: CONNECTIONS, seconds, kind, actors } satisfies WriteLoadRequest);
  return figures;
}

/** The side effects' jobs: every subscriber queue (events.<subscriber>), not the cron schedules nor the dead letters. */
const EVENT_JOBS = `name like 'events.%' and name not like '%.dead'`;

/** Event jobs still to run (created, retrying or active), or undefined when the server's version has no job queue. */
let hasJobQueue: boolean | undefined;
/** This script's own statements on the bench database (each its own transaction), taken off the database's figures. */
let ownStatements = 0;

async function pendingJobs(db: pg.Pool): Promise<number | undefined> {
  if (hasJobQueue === undefined) {
    const exists = await db.query<{ t: string | null }>(`select to_regclass('pgboss.job')::text as t`);
    hasJobQueue = Boolean(exists.rows[0]?.t);
  }
  if (!hasJobQueue) return undefined;
  ownStatements += 1;
  const r = await db.query<{ n: number }>(`select count(*)::int as n from pgboss.job where ${EVENT_JOBS} and state in ('created', 'retry', 'active')`);
  return r.rows[0]!.n;
}

async function jobsCreatedSince(db: pg.Pool, since: Date): Promise<Record<string, number> | undefined> {
  if ((await pendingJobs(db)) === undefined) return undefined;
  const r = await db.query<{ name: string; n: number }>(
    `select name || case when state = 'completed' then '' else ' (' || state || ')' end as name, count(*)::int as n
     from pgboss.job where ${EVENT_JOBS} and created_on >= $1 group by 1 order by 1`,
    [since],
  );
  return Object.fromEntries(r.rows.map((row) => [row.name, row.n]));
}

/** This database's transactions, statements' row counts and WAL so far (pg_stat_database, pg_stat_wal when present). */
async function databaseCounters(db: pg.Pool): Promise<Record<string, number>> {
  const r = await db.query<Record<string, string>>(
    `select xact_commit, xact_rollback, tup_inserted, tup_updated, tup_deleted, tup_fetched, blks_hit + blks_read as blocks
     from pg_stat_database where datname = current_database()`,
  );
  const wal = await db.query<{ wal_bytes: string }>('select wal_bytes from pg_stat_wal').catch(() => ({ rows: [] as Array<{ wal_bytes: string }> }));
  ownStatements += 2;
  const out = Object.fromEntries(Object.entries(r.rows[0] ?? {}).map(([k, v]) => [k, Number(v)]));
  out.xact_commit! -= ownStatements;
  if (wal.rows[0]) out.wal_bytes = Number(wal.rows[0].wal_bytes);
  return out;
}

/** Per request, what the database did between two counter readings (its statistics lag by up to 0.5 s: read them after a pause). */
function perRequest(before: Record<string, number>, after: Record<string, number>, requests: number): string {
  return Object.keys(after)
    .map((k) => `${k} ${((after[k]! - (before[k] ?? 0)) / Math.max(requests, 1)).toFixed(k === 'wal_bytes' || k === 'blocks' ? 0 : 2)}`)
    .join(', ');
}

/** Waits until no job is created, retrying or active; the milliseconds it took (undefined without a job queue). */
async function drain(db: pg.Pool): Promise<number | undefined> {
  const started = Date.now();
  for (;;) {
    const n = await pendingJobs(db);
    if (n === undefined) return undefined;
    if (n === 0) return Date.now() - started;
    if (Date.now() - started > DRAIN_TIMEOUT_MS) {
      const left = await db.query(`select name, state, count(*)::int as n from pgboss.job where ${EVENT_JOBS} and state in ('created', 'retry', 'active') group by 1, 2`);
      throw new Error(`the queues did not drain within ${DRAIN_TIMEOUT_MS / 1000} s: ${JSON.stringify(left.rows)}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * The CPU ms per request of each party, the parties' sum (server + worker + postgres + redis) and the
 * machine's. The snapshots are per process (`party#pid`): a process that started meanwhile counts
 * whole, one that ended (a pool closing an idle connection) drops out instead of taking its whole
 * life's CPU off its party's sum.
 */
function cpuFigures(before: CpuGroups, after: CpuGroups, requests: number) {
  const perProcess = cpuPerUnit(before, after, requests);
  const per: CpuGroups = {};
  for (const [key, value] of Object.entries(perProcess)) {
    const group = key.split('#')[0]!;
    per[group] = (per[group] ?? 0) + value;
  }
  const party = (name: string) => per[name] ?? 0;
  const parties = party('server') + party('worker') + party('postgres') + party('redis');
  return {
    server: party('server'),
    worker: party('worker'),
    postgres: party('postgres'),
    redis: party('redis'),
    parties,
    loadGenerator: party('load generator'),
    machine: per['*machine'] ?? 0,
  };
}
type CpuFigures = ReturnType<typeof cpuFigures>;

const ms = (n: number) => n.toFixed(2);
const describe = (c: CpuFigures) =>
  `server ${ms(c.server)} + worker ${ms(c.worker)} + postgres ${ms(c.postgres)} + redis ${ms(c.redis)} = ${ms(c.parties)} ms ` +
  `(load generator ${ms(c.loadGenerator)} ms, not counted; whole machine ${ms(c.machine)} ms)`;

async function main(): Promise<void> {
  const baseUrl = env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const redisUrl = env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  const benchUrl = databaseUrlFor(baseUrl, DB_NAME);
  const prefix = `tribe-writes-bench:${randomBytes(4).toString('hex')}:`;
  const port = await freePort();
  const appUrl = `http://127.0.0.1:${port}`;
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'tribe-writes-bench-'));
  const serverEnv: NodeJS.ProcessEnv = {
    PATH: env.PATH,
    HOME: env.HOME,
    NODE_ENV: 'production',
    JWT_SECRET: randomBytes(32).toString('hex'),
    DATABASE_URL: benchUrl,
    REDIS_URL: redisUrl,
    REDIS_KEY_PREFIX: prefix,
    RATE_LIMIT_ENABLED: 'false',
    LOG_LEVEL: 'warn',
    HOST: '127.0.0.1',
    PORT: String(port),
    PUBLIC_URL: appUrl,
    DATA_DIR: dataDir,
  };

  const commit = await new Promise<string>((resolve) => {
    const git = spawn('git', ['-C', SERVER_DIR, 'log', '-1', '--format=%h %s'], { stdio: ['ignore', 'pipe', 'ignore'] });
    let out = '';
    git.stdout.on('data', (d: Buffer) => (out += d.toString()));
    git.on('close', () => resolve(out.trim().slice(0, 100)));
  });
  log(`write paths benchmark — ${new Date().toISOString()} — ${LABEL}`);
  log(`server: ${SERVER_DIR} (${commit})`);
  log(`machine: ${os.cpus()[0]?.model ?? 'cpu'} × ${os.cpus().length}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}; load average ${load()}`);
  log(`${CONNECTIONS} connections closed loop, ${WARMUP_SECONDS} s warm-up + ${SECONDS} s per class; database ${DB_NAME}, Redis prefix ${prefix}`);

  await recreateDatabase(baseUrl, false);
  const db = new pg.Pool({ connectionString: benchUrl, max: 2 });
  let server: ChildProcess | undefined;
  let worker: ChildProcess | undefined;
  const results: string[] = [];
  const logs = { server: path.join(dataDir, 'server.log'), worker: path.join(dataDir, 'worker.log') };
  try {
    server = startProcess('server', 'src/main.ts', serverEnv, logs.server, SERVER_NODE_ARGS);
    await waitReady(appUrl, server);
    // After the server's migrations, so the two never migrate at once.
    worker = startProcess('worker', 'src/worker.ts', serverEnv, logs.worker);
    const api = new Api(appUrl);
    log('seeding through the API ...');
    const actors = await seed(api);
    const drained = await drain(db);
    if (drained !== undefined) log(`  seeding's jobs drained in ${(drained / 1000).toFixed(1)} s`);
    await db.query('vacuum analyze').catch(() => undefined);

    const serverPid = server.pid;
    const workerPid = worker.pid;
    // The load generator reports its own CPU (it exits as it answers, before the last snapshot).
    const partyOf = (pid: number, commandLine: string): string | undefined => {
      if (pid === serverPid) return 'server';
      if (pid === workerPid) return 'worker';
      if (commandLine.startsWith('postgres')) {
        // This database's backends and the server's shared processes (WAL writer, checkpointer); not
        // other databases' client backends (other programs' tests on a shared machine).
        if (commandLine.split(' ').includes(DB_NAME)) return 'postgres';
        return /\d+\.\d+\.\d+\.\d+\(\d+\)|\[local\]|autovacuum worker/.test(commandLine) ? undefined : 'postgres';
      }
      return commandLine.includes('redis-server') ? 'redis' : undefined;
    };
    const perProcess: Classifier = (pid, commandLine) => {
      const party = partyOf(pid, commandLine);
      return party && `${party}#${pid}`;
    };

    for (const kind of CLASSES) {
      log(`\n[${kind}] warm-up ${WARMUP_SECONDS} s ...`);
      if (WARMUP_SECONDS > 0) await drive(appUrl, kind, WARMUP_SECONDS, actors);
      await drain(db);
      const since = (await db.query<{ now: Date }>('select now() as now')).rows[0]!.now;
      await new Promise((r) => setTimeout(r, 1000));
      const countersStart = await databaseCounters(db);
      const cpuStart = cpuSnapshot(perProcess);
      const loadStart = load();
      const f = await drive(appUrl, kind, SECONDS, actors);
      const cpuLoad = cpuSnapshot(perProcess);
      const drainMs = await drain(db);
      const cpuDrained = cpuSnapshot(perProcess);
      await new Promise((r) => setTimeout(r, 1000));
      const countersEnd = await databaseCounters(db);
      const jobs = await jobsCreatedSince(db, since);
      const during = { ...cpuFigures(cpuStart, cpuLoad, f.total), loadGenerator: f.cpuMs / Math.max(f.total, 1) };
      const withDrain = { ...cpuFigures(cpuStart, cpuDrained, f.total), loadGenerator: during.loadGenerator };
      const jobTotal = jobs ? Object.values(jobs).reduce((s, n) => s + n, 0) : undefined;
      log(`  ${f.rps.toFixed(1)} req/s, p50 ${f.p50} ms, p99 ${f.p99} ms, max ${f.max} ms; ${f.total} requests, ${f.non2xx} non-2xx, ${f.errors} errors; statuses ${JSON.stringify(f.statusCodes)}`);
      log(`  load average ${loadStart} → ${load()}`);
      log(`  database per request (load and drain; pg_stat_wal is the whole server's): ${perRequest(countersStart, countersEnd, f.total)}`);
      log(`  CPU per request during the load: ${describe(during)}`);
      if (drainMs !== undefined && jobs && jobTotal !== undefined) {
        log(`  queues drained ${(drainMs / 1000).toFixed(1)} s after the load; ${jobTotal} jobs created (${(jobTotal / Math.max(f.total, 1)).toFixed(2)} per request): ${JSON.stringify(jobs)}`);
        log(`  CPU per request, load + drain: ${describe(withDrain)}`);
      } else log('  no job queue in this version (side effects run in the API process)');
      results.push(
        `| ${LABEL} | ${kind} | ${f.rps.toFixed(0)} | ${f.p50} / ${f.p99} ms | ${f.non2xx} / ${f.errors} | ` +
          `${ms(during.server)} + ${ms(during.worker)} + ${ms(during.postgres)} + ${ms(during.redis)} = **${ms(during.parties)}** | ` +
          `${drainMs === undefined ? '—' : `${ms(withDrain.parties)}`} | ${drainMs === undefined ? '—' : `${(drainMs / 1000).toFixed(1)} s`} | ` +
          `${jobTotal === undefined ? '—' : (jobTotal / Math.max(f.total, 1)).toFixed(2)} |`,
      );
      if (env.BENCH_RESULTS_FILE) {
        appendFileSync(
          env.BENCH_RESULTS_FILE,
          `${JSON.stringify({ at: new Date().toISOString(), label: LABEL, commit, kind, connections: CONNECTIONS, seconds: SECONDS, load: loadStart, ...f, cpu: during, cpuWithDrain: drainMs === undefined ? null : withDrain, drainMs: drainMs ?? null, jobs: jobs ?? null })}\n`,
        );
      }
    }
    log('\n| version | class | req/s | p50 / p99 | non-2xx / errors | CPU ms per request during load: server + worker + PostgreSQL + Redis | with the drain | drain | jobs per request |');
    log('|---|---|---|---|---|---|---|---|---|');
    for (const r of results) log(r);
  } finally {
    stopping = true;
    await stopProcess(worker);
    await stopProcess(server);
    await db.end();
    for (const [name, file] of Object.entries(logs)) {
      const lines = (() => {
        try {
          return readFileSync(file, 'utf8').split('\n').filter(Boolean);
        } catch {
          return [];
        }
      })();
      const errors = lines.filter((line) => /"level":(50|60)/.test(line) || !line.startsWith('{'));
      log(`${name} log: ${lines.length} lines, ${errors.length} errors or non-JSON${errors.length ? `; first: ${errors[0]!.slice(0, 400)}` : ''}`);
    }
    if (env.BENCH_KEEP_DB !== '1') await recreateDatabase(baseUrl, true).catch((err: unknown) => log(`could not drop ${DB_NAME}: ${String(err)}`));
    const redis = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      if (keys.length > 0) await redis.unlink(...keys);
      cursor = next;
    } while (cursor !== '0');
    redis.disconnect();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`bench:writes failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
