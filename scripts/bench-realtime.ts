/**
 * `npm run bench:realtime`: the WebSocket gateway against the production adapters (PostgreSQL +
 * Redis). Three processes: this orchestrator (seeds, signs tokens, prints), the server
 * (scripts/bench-realtime-server.ts: the real app, as main.ts builds it) and the load generator
 * (scripts/bench-realtime-load.ts: the WebSocket clients, the ledger and the HTTP sends).
 *
 * Phases and targets (issue 7):
 *   1. connections: BENCH_CONNECTIONS (10,000) authenticated clients held on one server process,
 *      server RSS ≤ 400 MB (sampled every second for BENCH_HOLD_SECONDS);
 *   2. fan-out: chat `message.sent` domain events published inside the server (what the chat service
 *      publishes after its commit) to BENCH_GROUPS (100) group conversations of BENCH_GROUP_SIZE (10)
 *      connected members for BENCH_FANOUT_SECONDS: ≥ 30,000 deliveries/s, every delivery in the ledger;
 *   3. latency: POST /api/v1/conversations/:id/messages at each of BENCH_RATES (300,1000) messages/s for
 *      BENCH_LATENCY_SECONDS, time from the POST leaving to each other participant's socket receiving
 *      message.new: p50 ≤ 20 ms, p99 ≤ 150 ms; zero lost or duplicated deliveries. A warm-up of
 *      BENCH_WARMUP_SECONDS (3) at BENCH_WARMUP_RATE (200)/s comes first and is not measured.
 *
 * BENCH_CONVERSATIONS=direct seeds BENCH_GROUPS DIRECT conversations of two users instead of the
 * groups (BENCH_GROUP_SIZE is then 2), so every send also decides "may message" (issue 16): the even
 * pairs are friends (the default who_can_send_messages, friends_only, lets them), the odd pairs are
 * not but both set who_can_send_messages to everyone.
 *
 * Env: DATABASE_URL and REDIS_URL (required); BENCH_SERVER_NODE_ARGS (default "--max-old-space-size=256")
 * for the server process; the database BENCH_DB (tribe_rt_bench) is dropped and
 * recreated; Redis keys live under a fresh `tribe-rt-bench:<run>:` prefix and are deleted after.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import pg from 'pg';
import { AccessTokenSigner } from '../src/features/auth/auth.tokens.js';
import { openPostgresDatabase } from '../src/infra/db/postgres-database.js';
import { cpuPerUnit, cpuSnapshot, describeCpu, type Classifier } from './bench-cpu.js';
import { SEEDING_TIMEOUTS } from './bench-world.js';

const env = process.env;
const CONNECTIONS = Number(env.BENCH_CONNECTIONS ?? 10_000);
const GROUPS = Number(env.BENCH_GROUPS ?? 100);
// 'group' (default) or 'direct': what kind of conversation the fan-out and latency phases message.
const CONVERSATIONS = env.BENCH_CONVERSATIONS ?? 'group';
if (CONVERSATIONS !== 'group' && CONVERSATIONS !== 'direct') throw new Error('BENCH_CONVERSATIONS is group or direct');
const DIRECT = CONVERSATIONS === 'direct';
const GROUP_SIZE = DIRECT ? 2 : Number(env.BENCH_GROUP_SIZE ?? 10);
const HOLD_SECONDS = Number(env.BENCH_HOLD_SECONDS ?? 10);
const FANOUT_SECONDS = Number(env.BENCH_FANOUT_SECONDS ?? 10);
// A rate this machine's POST path sustains first, then the target: after an overloaded run the next
// one would measure the backlog it left (vacuum, checkpoint), not the send path.
const RATES = (env.BENCH_RATES ?? '300,1000').split(',').map(Number);
const LATENCY_SECONDS = Number(env.BENCH_LATENCY_SECONDS ?? 10);
const WARMUP_SECONDS = Number(env.BENCH_WARMUP_SECONDS ?? 3);
const WARMUP_RATE = Number(env.BENCH_WARMUP_RATE ?? 200);
const DB_NAME = env.BENCH_DB ?? 'tribe_rt_bench';
// The server's V8 heap is capped as a container deployment would (without a cap V8 grows the old
// space lazily and the RSS holds collectable garbage from the connection storm). '' for defaults.
const SERVER_NODE_ARGS = (env.BENCH_SERVER_NODE_ARGS ?? '--max-old-space-size=256').split(' ').filter(Boolean);
const PHASES = new Set((env.BENCH_PHASES ?? 'connections,fanout,latency').split(','));
const here = path.dirname(fileURLToPath(import.meta.url));
const log = (line = '') => process.stdout.write(`${line}\n`);

const uuidOf = (seed: string) => {
  const h = createHash('md5').update(seed).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
};
const userId = (i: number) => uuidOf(`rt-bench-user-${i}`);
const conversationId = (k: number) => uuidOf(`rt-bench-conv-${k}`);

function databaseUrlFor(baseUrl: string, database: string): string {
  const url = new URL(baseUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

async function prepareDatabase(baseUrl: string, benchUrl: string): Promise<void> {
  const admin = new pg.Client({ connectionString: baseUrl });
  await admin.connect();
  await admin.query(`drop database if exists "${DB_NAME}" with (force)`);
  await admin.query(`create database "${DB_NAME}"`);
  await admin.end();
  const database = openPostgresDatabase({ url: benchUrl, poolSize: 2, timeouts: SEEDING_TIMEOUTS });
  try {
    await database.migrate();
    await database.pool.query(
      `insert into users (id, email, username, password_hash, full_name, is_active, email_verified)
       select md5('rt-bench-user-' || i)::uuid, 'rtbench' || i || '@example.com', 'rtbench_' || i, 'x', 'Bench User ' || i, true, true
       from generate_series(1, $1::int) i`,
      [CONNECTIONS],
    );
    if (DIRECT) await seedDirectPairs(database);
    else {
      await database.pool.query(
        `insert into conversations (id, conversation_type, is_group, name)
         select md5('rt-bench-conv-' || k)::uuid, 'group', true, 'Bench group ' || k from generate_series(0, $1::int - 1) k`,
        [GROUPS],
      );
      await database.pool.query(
        `insert into conversation_participants (conversation_id, user_id, role)
         select md5('rt-bench-conv-' || k)::uuid, md5('rt-bench-user-' || (k * $2::int + j))::uuid, case when j = 1 then 'admin' else 'member' end
         from generate_series(0, $1::int - 1) k, generate_series(1, $2::int) j`,
        [GROUPS, GROUP_SIZE],
      );
    }
    await database.pool.query('vacuum analyze');
  } finally {
    await database.close();
  }
}

/**
 * Pair k (users 2k+1 and 2k+2) gets a direct conversation as POST /conversations makes one (direct_key
 * = both ids in order, both members). Even pairs are friends; odd pairs are not, and both allow
 * messages from everyone, so both branches of "may message" are measured.
 */
async function seedDirectPairs(database: ReturnType<typeof openPostgresDatabase>): Promise<void> {
  const pair = `from (select k, md5('rt-bench-user-' || (2 * k + 1))::uuid as a, md5('rt-bench-user-' || (2 * k + 2))::uuid as b
    from generate_series(0, $1::int - 1) k) pairs`;
  await database.pool.query(
    `insert into conversations (id, conversation_type, is_group, direct_key, created_by)
     select md5('rt-bench-conv-' || k)::uuid, 'direct', false, least(a::text, b::text) || ':' || greatest(a::text, b::text), a ${pair}`,
    [GROUPS],
  );
  await database.pool.query(
    `insert into conversation_participants (conversation_id, user_id, role)
     select md5('rt-bench-conv-' || k)::uuid, u, 'member' ${pair}, lateral (values (a), (b)) members(u)`,
    [GROUPS],
  );
  await database.pool.query(
    `insert into friendships (user_id, friend_id, status, accepted_at) select a, b, 'accepted', now() ${pair} where k % 2 = 0`,
    [GROUPS],
  );
  await database.pool.query(
    `insert into user_settings (user_id, who_can_send_messages) select u, 'everyone' ${pair}, lateral (values (a), (b)) members(u) where k % 2 = 1`,
    [GROUPS],
  );
}

/** A child process speaking request/response over IPC. */
class Child {
  private nextId = 1;
  private readonly waiting = new Map<number, (v: Record<string, unknown>) => void>();
  readonly ready: Promise<Record<string, unknown>>;

  constructor(readonly proc: ChildProcess) {
    this.ready = new Promise((resolve, reject) => {
      proc.on('message', (raw) => {
        const m = raw as Record<string, unknown> & { id?: number; type?: string };
        if (m.type === 'ready') resolve(m);
        else if (typeof m.id === 'number') {
          this.waiting.get(m.id)?.(m);
          this.waiting.delete(m.id);
        }
      });
      proc.once('exit', (code) => reject(new Error(`child exited with ${code}`)));
    });
  }

  ask<T = Record<string, unknown>>(cmd: Record<string, unknown>): Promise<T> {
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.waiting.set(id, resolve as (v: Record<string, unknown>) => void);
      this.proc.send({ ...cmd, id });
    });
  }
}

function spawnTs(script: string, childEnv: NodeJS.ProcessEnv, nodeArgs: string[] = []): Child {
  const proc = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', path.join(here, script)], {
    env: childEnv,
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  return new Child(proc);
}

/**
 * A PostgreSQL process counts for the bench when it serves its database or the whole server (the
 * WAL writer, the checkpointer); a client backend of another database (another program's tests on a
 * shared machine) does not: it shows under "other".
 */
function postgresParty(commandLine: string): string | undefined {
  if (commandLine.split(' ').includes(DB_NAME)) return 'postgres';
  return /\d+\.\d+\.\d+\.\d+\(\d+\)|\[local\]/.test(commandLine) ? undefined : 'postgres';
}

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;
const load = () => os.loadavg().map((l) => l.toFixed(2)).join(' / ');

async function main(): Promise<void> {
  const baseUrl = env.DATABASE_URL;
  const redisUrl = env.REDIS_URL;
  if (!baseUrl || !redisUrl) throw new Error('bench:realtime needs DATABASE_URL and REDIS_URL (the production adapters)');
  const benchUrl = databaseUrlFor(baseUrl, DB_NAME);
  const prefix = `tribe-rt-bench:${randomBytes(4).toString('hex')}:`;
  const secret = randomBytes(32).toString('hex');

  log(`machine: ${os.cpus()[0]?.model ?? 'cpu'} × ${os.cpus().length}, ${mb(os.totalmem())} RAM, Node ${process.version}, ${os.type()} ${os.release()}`);
  log(`open files limit (this shell): see ulimit -n; ${CONNECTIONS} clients need that many descriptors in the load generator and the server each`);
  log(`server node flags: ${SERVER_NODE_ARGS.join(' ') || '(defaults)'}`);
  log(`load average before: ${load()}`);
  log(`seeding ${CONNECTIONS} users, ${GROUPS} ${DIRECT ? 'direct conversations (pairs)' : 'groups'} × ${GROUP_SIZE} members into ${DB_NAME} ...`);
  await prepareDatabase(baseUrl, benchUrl);

  const signer = new AccessTokenSigner(secret, 3600);
  const now = new Date();
  const users = await Promise.all(
    Array.from({ length: CONNECTIONS }, async (_, n) => {
      const i = n + 1;
      const id = userId(i);
      return { userId: id, token: await signer.sign({ userId: id, username: `rtbench_${i}`, sessionId: randomUUID(), version: 0 }, now) };
    }),
  );

  const server = spawnTs('bench-realtime-server.ts', {
    ...env,
    NODE_ENV: 'production',
    DATABASE_URL: benchUrl,
    REDIS_URL: redisUrl,
    REDIS_KEY_PREFIX: prefix,
    JWT_SECRET: secret,
    LOG_LEVEL: 'warn',
    RATE_LIMIT_ENABLED: 'false',
    RUN_JOBS_IN_API: 'false',
    DATA_DIR: path.join(os.tmpdir(), `tribe-rt-bench-${process.pid}`),
  }, SERVER_NODE_ARGS);
  const loadgen = spawnTs('bench-realtime-load.ts', { ...env, NODE_OPTIONS: '--max-old-space-size=2048' });
  const results: string[] = [];
  try {
    const { port } = (await server.ready) as { port: number };
    await loadgen.ready;

    // ---- 1. connections -------------------------------------------------------------------------
    const baseline = await server.ask<{ rss: number; heapUsed: number; heapTotal: number; external: number }>({ type: 'stats' });
    log(`conversations: ${CONVERSATIONS}`);
    log(`\n[1] connecting ${CONNECTIONS} clients (server before: RSS ${mb(baseline.rss)}, heap ${mb(baseline.heapUsed)} of ${mb(baseline.heapTotal)}, external ${mb(baseline.external)})`);
    const conn = await loadgen.ask<{ open: number; failed: number; ms: number }>({ type: 'connect', port, users, concurrency: 200 });
    log(`    ${conn.open} open, ${conn.failed} failed, in ${(conn.ms / 1000).toFixed(1)} s (${((conn.open / conn.ms) * 1000).toFixed(0)} handshakes+auth/s)`);
    let maxRss = 0;
    let held = 0;
    let heap = 0;
    let heapTotal = 0;
    for (let s = 0; s < HOLD_SECONDS; s++) {
      await new Promise((r) => setTimeout(r, 1000));
      const st = await server.ask<{ rss: number; connections: number; heapUsed: number; heapTotal: number }>({ type: 'stats' });
      maxRss = Math.max(maxRss, st.rss);
      held = st.connections;
      heap = st.heapUsed;
      heapTotal = st.heapTotal;
    }
    log(`    held ${held} server-side connections for ${HOLD_SECONDS} s; server RSS max ${mb(maxRss)} (target ≤ 400 MB), JS heap ${mb(heap)} of ${mb(heapTotal)} — load ${load()}`);
    results.push(`| connections held on one process | ${held.toLocaleString('en')} | 10,000 |`);
    results.push(`| server RSS with them (max over ${HOLD_SECONDS} s) | ${mb(maxRss)} | ≤ 400 MB |`);

    // ---- 2. fan-out ------------------------------------------------------------------------------
    const groups = Array.from({ length: GROUPS }, (_, k) => ({
      conversationId: conversationId(k),
      members: Array.from({ length: GROUP_SIZE }, (_, j) => k * GROUP_SIZE + j),
    }));
    const sub = await loadgen.ask<{ subscribed: number }>({ type: 'subscribe', groups });
    log(`\n    ${sub.subscribed} members subscribed to their conversation (an open chat: no push is queued for them)`);
    if (PHASES.has('fanout')) {
      log(`\n[2] fan-out: ${GROUPS} groups × ${GROUP_SIZE} members (${GROUPS * GROUP_SIZE} clients), ${FANOUT_SECONDS} s`);
      await loadgen.ask({ type: 'ledger-start', kind: 'fanout' });
      const fan = await server.ask<{ messages: number; deliveries: number; ms: number }>({
        type: 'fanout',
        seconds: FANOUT_SECONDS,
        batch: Number(env.BENCH_FANOUT_BATCH ?? 1000),
        groups: groups.map((g) => ({ conversationId: g.conversationId, memberIds: g.members.map((m) => users[m]!.userId) })),
      });
      const fanLedger = await loadgen.ask<{ expected: number; delivered: number; lost: number; duplicates: number; receiveMs: number }>({
        type: 'ledger-stop',
        expectedMessages: fan.messages,
        groupSize: GROUP_SIZE,
        quietMs: 5000,
      });
      const sentRate = (fan.deliveries / fan.ms) * 1000;
      const recvRate = (fanLedger.delivered / fanLedger.receiveMs) * 1000;
      log(`    server: ${fan.messages} messages → ${fan.deliveries} deliveries in ${(fan.ms / 1000).toFixed(1)} s = ${sentRate.toFixed(0)} deliveries/s`);
      log(`    clients: ${fanLedger.delivered}/${fanLedger.expected} received in ${(fanLedger.receiveMs / 1000).toFixed(1)} s = ${recvRate.toFixed(0)} deliveries/s; lost ${fanLedger.lost}, duplicated ${fanLedger.duplicates} — load ${load()}`);
      const fanStats = await server.ask<{ rss: number }>({ type: 'stats' });
      log(`    server RSS after fan-out: ${mb(fanStats.rss)}`);
      results.push(`| fan-out, deliveries/s received (${GROUPS} groups × ${GROUP_SIZE}) | ${recvRate.toFixed(0)} | ≥ 30,000 |`);
      results.push(`| fan-out ledger: lost / duplicated of ${fanLedger.expected.toLocaleString('en')} | ${fanLedger.lost} / ${fanLedger.duplicates} | 0 / 0 |`);
    }

    // ---- 3. POST-to-receipt latency ------------------------------------------------------------------
    if (PHASES.has('latency') && WARMUP_SECONDS > 0) {
      // Not measured: JIT, the HTTP keep-alive sockets and the pools' connections and prepared statements warm up.
      log(`\n[3] warm-up: POST /messages at ${WARMUP_RATE}/s for ${WARMUP_SECONDS} s (not measured)`);
      await loadgen.ask({ type: 'ledger-start', kind: 'latency' });
      const warm = await loadgen.ask<{ created: number }>({ type: 'latency', rate: WARMUP_RATE, seconds: WARMUP_SECONDS, groups });
      await loadgen.ask({ type: 'ledger-stop', expectedMessages: warm.created, groupSize: GROUP_SIZE, quietMs: 2000 });
    }
    const partyOf: Classifier = (pid, commandLine) =>
      pid === server.proc.pid ? 'server' : pid === loadgen.proc.pid ? 'load generator' : commandLine.startsWith('postgres') ? postgresParty(commandLine) : commandLine.includes('redis-server') ? 'redis' : undefined;
    for (const rate of PHASES.has('latency') ? RATES : []) {
      log(`\n[3] latency: POST /messages at ${rate}/s for ${LATENCY_SECONDS} s`);
      await loadgen.ask({ type: 'ledger-start', kind: 'latency' });
      const cpuBefore = cpuSnapshot(partyOf);
      const lat = await loadgen.ask<{ posted: number; created: number; errors: Record<string, number>; achievedRate: number }>({
        type: 'latency',
        rate,
        seconds: LATENCY_SECONDS,
        groups,
      });
      // Every POST answered: the CPU the messages cost, before the ledger's quiet wait adds idle time.
      const cpuAfter = cpuSnapshot(partyOf);
      const latLedger = await loadgen.ask<{
        expected: number;
        delivered: number;
        lost: number;
        duplicates: number;
        receiveMs: number;
        latency?: { count: number; p50: number; p90: number; p99: number; max: number };
      }>({ type: 'ledger-stop', expectedMessages: lat.created, groupSize: GROUP_SIZE, quietMs: 5000 });
      const cpu = describeCpu(cpuPerUnit(cpuBefore, cpuAfter, lat.created), 'message', 1000);
      const l = latLedger.latency;
      const processed = (lat.created / Math.max(latLedger.receiveMs, 1)) * 1000;
      log(`    posted ${lat.posted} at ${lat.achievedRate.toFixed(0)}/s, ${lat.created} created, errors ${JSON.stringify(lat.errors)}`);
      log(`    messages delivered at ${processed.toFixed(0)}/s (first to last receipt)`);
      if (l) log(`    receipt latency over ${l.count} deliveries: p50 ${l.p50.toFixed(1)} ms, p90 ${l.p90.toFixed(1)} ms, p99 ${l.p99.toFixed(1)} ms, max ${l.max.toFixed(1)} ms`);
      log(`    ledger: ${latLedger.delivered}/${latLedger.expected} delivered, lost ${latLedger.lost}, duplicated ${latLedger.duplicates} — load ${load()}`);
      log(`    ${cpu}`);
      results.push(`| POSTs at ${rate}/s: sent / created / delivered per s | ${lat.achievedRate.toFixed(0)}/s / ${lat.created.toLocaleString('en')} / ${processed.toFixed(0)}/s | 1,000/s |`);
      if (l) {
        results.push(`| POST-to-receipt p50 at ${rate}/s | ${l.p50.toFixed(1)} ms | ≤ 20 ms |`);
        results.push(`| POST-to-receipt p99 at ${rate}/s | ${l.p99.toFixed(1)} ms | ≤ 150 ms |`);
      }
      results.push(`| ledger at ${rate}/s: lost / duplicated of ${latLedger.expected.toLocaleString('en')} | ${latLedger.lost} / ${latLedger.duplicates} | 0 / 0 |`);
      results.push(`| ${cpu.replace(/: /, ` at ${rate}/s | `)} | — |`);
    }

    log('\n| figure | measured | target |\n|---|---|---|');
    for (const r of results) log(r);
    log(`\nload average after: ${load()}`);
  } finally {
    loadgen.proc.kill('SIGTERM');
    server.proc.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 1500));
    const redis = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      if (keys.length > 0) await redis.unlink(...keys);
      cursor = next;
    } while (cursor !== '0');
    redis.disconnect();
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`bench:realtime failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
