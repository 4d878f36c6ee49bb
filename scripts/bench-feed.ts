/**
 * `npm run bench:feed`: throughput and latency of GET /api/v1/feed (friends, page of 20) over HTTP
 * with real JWTs against PostgreSQL, side by side with a bare Fastify route that runs the SAME SQL on
 * a `pg` pool with the same settings, in the same run; the load comes from a child process
 * (scripts/bench-load.ts, autocannon) so it never shares the servers' event loop. Targets (issue 6): ≥ 2,500 req/s, p99 ≤ 50 ms
 * at 50 connections, and ≥ 60% of the bare route's throughput.
 *
 * Env: DATABASE_URL (required; the server is used, the database `BENCH_DB` (default tribe_bench) is
 * dropped and recreated), REDIS_URL (optional), BENCH_WORLD=quick for a small world, BENCH_REUSE=1
 * to keep an already seeded BENCH_DB, BENCH_SECONDS (15), BENCH_CONNECTIONS (50), BENCH_TOKEN_USERS
 * (2,000 distinct callers), BENCH_WARMUP_SECONDS (3), BENCH_CEILING=0 to skip the `select 1` ceiling run
 * (the same bare server and pool answering `select 1`: what this machine can do at all), BENCH_LOADER=wrk or
 * autocannon (default: wrk when it is on PATH, `apt-get install wrk`; it costs the shared CPU far less).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import os from 'node:os';
import { execFile, fork, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import Fastify from 'fastify';
import pg from 'pg';
import { PgDialect } from 'drizzle-orm/pg-core';
import type { SQL } from 'drizzle-orm';
import { buildApp } from '../src/app.js';
import { loadConfig } from '../src/config/config.js';
import { readEnv } from '../src/config/env.js';
import { createContext } from '../src/context.js';
import { AccessTokenSigner } from '../src/features/auth/auth.tokens.js';
import { FRIENDS_INBOX_DAYS, friendsInboxPageSql } from '../src/features/memories-feed/friends-inbox.sql.js';
import { FriendsInboxService } from '../src/features/memories-feed/friends-inbox.service.js';
import { systemClock } from '../src/infra/clock/clock.js';
import { hotReadPoolConfig, openPostgresDatabase, PreparedStatements } from '../src/infra/db/postgres-database.js';
import type { LoadFigures, LoadRequest } from './bench-load.js';
import { cpuPerUnit, cpuSnapshot, describeCpu, type Classifier } from './bench-cpu.js';
import { benchUserIdSql, benchWorldSizesFromEnv, SEEDING_TIMEOUTS, seedBenchWorld } from './bench-world.js';

const env = process.env;
const SECONDS = Number(env.BENCH_SECONDS ?? 15);
const WARMUP = Number(env.BENCH_WARMUP_SECONDS ?? 3);
const CONNECTIONS = Number(env.BENCH_CONNECTIONS ?? 50);
const TOKEN_USERS = Number(env.BENCH_TOKEN_USERS ?? 2000);
const DB_NAME = env.BENCH_DB ?? 'tribe_bench';
const PAGE = 20;

const dialect = new PgDialect({ casing: 'snake_case' });
const compile = (query: SQL) => dialect.sqlToQuery(query);
const log = (line = '') => process.stdout.write(`${line}\n`);

function databaseUrlFor(baseUrl: string, database: string): string {
  const url = new URL(baseUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

/** Migrates a reused world to the current schema and makes sure its friends inboxes are filled. */
async function refreshReusedWorld(benchUrl: string): Promise<void> {
  const database = openPostgresDatabase({ url: benchUrl, poolSize: 2, timeouts: SEEDING_TIMEOUTS });
  try {
    await database.migrate();
    const rows = await database.pool.query('select count(*)::int as n from friends_inbox');
    if (Number(rows.rows[0]?.n) === 0) await fillInboxes(database);
    else {
      // Filled by migration 0002 (or a previous run): make sure the planner has its statistics.
      await database.pool.query('vacuum (analyze) friends_inbox');
      log(`friends inboxes: ${rows.rows[0]?.n} rows`);
    }
  } finally {
    await database.close();
  }
}

/** The friends inbox of every user, as the post.created / friend.request_accepted subscriptions would leave it. */
async function fillInboxes(database: ReturnType<typeof openPostgresDatabase>): Promise<void> {
  const started = Date.now();
  const rows = await new FriendsInboxService(database, systemClock).rebuild();
  await database.pool.query('vacuum (analyze) friends_inbox');
  log(`  friends inboxes: ${rows} rows in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

async function prepareDatabase(baseUrl: string, benchUrl: string): Promise<void> {
  const admin = new pg.Client({ connectionString: baseUrl });
  await admin.connect();
  try {
    const exists = (await admin.query('select 1 from pg_database where datname = $1', [DB_NAME])).rowCount;
    if (env.BENCH_REUSE === '1' && exists) {
      const probe = new pg.Client({ connectionString: benchUrl });
      await probe.connect();
      const n = await probe.query('select count(*)::int as n from posts').catch(() => ({ rows: [{ n: 0 }] }));
      await probe.end();
      if (Number(n.rows[0]?.n) > 0) {
        log(`reusing the seeded database ${DB_NAME} (${n.rows[0]?.n} posts)`);
        await refreshReusedWorld(benchUrl);
        return;
      }
    }
    await admin.query(`drop database if exists "${DB_NAME}" with (force)`);
    await admin.query(`create database "${DB_NAME}"`);
  } finally {
    await admin.end();
  }
  const database = openPostgresDatabase({ url: benchUrl, poolSize: 4, timeouts: SEEDING_TIMEOUTS });
  try {
    await database.migrate();
    const sizes = benchWorldSizesFromEnv();
    log(`seeding ${JSON.stringify(sizes)}`);
    const started = Date.now();
    await seedBenchWorld(database.pool, sizes, log);
    await fillInboxes(database);
    log(`seeded in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  } finally {
    await database.close();
  }
}

/** wrk (C, Debian package `wrk`) costs the shared CPU far less than autocannon; BENCH_LOADER picks. */
const LOADER = env.BENCH_LOADER ?? (spawnSync('wrk', ['--version']).error ? 'autocannon' : 'wrk');

/** Drives `url` with wrk or with autocannon in a child process: never in the servers' event loop. */
async function drive(url: string, targets: LoadRequest['targets'], seconds: number): Promise<LoadFigures> {
  return LOADER === 'wrk' ? driveWithWrk(url, targets, seconds) : driveWithAutocannon(url, targets, seconds);
}

async function driveWithWrk(url: string, targets: LoadRequest['targets'], seconds: number): Promise<LoadFigures> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tribe-wrk-'));
  const file = path.join(dir, 'targets.tsv');
  writeFileSync(file, targets.map((t) => `${t.path}\t${t.headers.authorization ?? ''}`).join('\n'));
  const script = fileURLToPath(new URL('./bench-wrk.lua', import.meta.url));
  const args = ['-t2', `-c${CONNECTIONS}`, `-d${seconds}s`, '--timeout', '10s', '-s', script, url, '--', file];
  const out = await new Promise<string>((resolve, reject) => {
    execFile('wrk', args, { maxBuffer: 1 << 20 }, (err, stdout) => (err ? reject(err) : resolve(stdout)));
  });
  rmSync(dir, { recursive: true, force: true });
  const json = out.split('\n').find((line) => line.startsWith('{"rps"'));
  if (!json) throw new Error(`wrk printed no figures:\n${out}`);
  return JSON.parse(json) as LoadFigures;
}

async function driveWithAutocannon(url: string, targets: LoadRequest['targets'], seconds: number): Promise<LoadFigures> {
  const child = fork(fileURLToPath(new URL('./bench-load.ts', import.meta.url)), [], { execArgv: ['--import', 'tsx'] });
  const figures = new Promise<LoadFigures>((resolve, reject) => {
    child.once('message', (m) => resolve(m as LoadFigures));
    child.once('exit', (code) => reject(new Error(`load generator exited with ${code}`)));
  });
  child.send({ url, connections: CONNECTIONS, seconds, targets } satisfies LoadRequest);
  return figures;
}

const fmt = (f: LoadFigures) =>
  `${f.rps.toFixed(0).padStart(6)} req/s  p50 ${f.p50} ms  p95 ${f.p95} ms  p99 ${f.p99} ms  max ${f.max} ms  ` +
  `(${f.total} requests, ${f.non2xx} non-2xx, ${f.errors} errors)`;

async function main(): Promise<void> {
  const baseUrl = env.DATABASE_URL;
  if (!baseUrl) {
    process.stderr.write('bench:feed: DATABASE_URL is required (a PostgreSQL server; the database tribe_bench is recreated)\n');
    process.exit(78);
  }
  const benchUrl = databaseUrlFor(baseUrl, DB_NAME);
  log(`friends feed benchmark — ${new Date().toISOString()}`);
  log(`machine: ${os.cpus()[0]?.model ?? 'unknown CPU'} × ${os.cpus().length}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, node ${process.version}`);
  await prepareDatabase(baseUrl, benchUrl);

  const jwtSecret = randomBytes(32).toString('hex');
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'tribe-bench-'));
  mkdirSync(path.join(dataDir, 'media'));
  const config = loadConfig({
    ...readEnv(),
    DATABASE_URL: benchUrl,
    RATE_LIMIT_ENABLED: 'false',
    LOG_LEVEL: 'warn',
    JWT_SECRET: jwtSecret,
    DATA_DIR: dataDir,
    RUN_JOBS_IN_API: 'false',
  });
  const ctx = await createContext(config);
  const app = await buildApp(ctx);
  await app.listen({ host: '127.0.0.1', port: 0 });
  const appUrl = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;

  // The bare route: the same SQL builder (a first page is one inbox statement), the same driver,
  // the same pool settings and the same prepared statements as queryPrepared in openPostgresDatabase.
  const barePool = new pg.Pool(hotReadPoolConfig(benchUrl, config.dbPoolSize));
  barePool.on('error', () => undefined);
  const prepared = new PreparedStatements();
  const horizonMicros = () => String((Date.now() - FRIENDS_INBOX_DAYS * 86_400_000) * 1000);
  const bare = Fastify({ logger: false });
  bare.get<{ Querystring: { user_id: string } }>('/feed', async (request) => {
    const { rows } = await barePool.query(prepared.toQuery(friendsInboxPageSql(request.query.user_id, PAGE + 1, horizonMicros())));
    return { posts: rows.slice(0, PAGE), has_more: rows.length > PAGE };
  });
  // The box's ceiling: the same server, pool and driver answering `select 1` (no feed work at all).
  bare.get('/ceiling', async () => (await barePool.query('select 1 as ok')).rows[0]);
  await bare.listen({ host: '127.0.0.1', port: 0 });
  const bareUrl = `http://127.0.0.1:${(bare.server.address() as { port: number }).port}`;

  // Real access tokens for seeded users (token_version 0, as seeded).
  const admin = new pg.Pool({ connectionString: benchUrl, max: 2 });
  const userCount = Number((await admin.query('select count(*)::int as n from users')).rows[0]?.n);
  const callers = (
    await admin.query<{ id: string; username: string; email: string; token_version: number }>(
      `select id, username, email, token_version from users
       where id in (select ${benchUserIdSql('1 + floor(random() * $1)::int')} from generate_series(1, $2::int))`,
      [userCount, TOKEN_USERS],
    )
  ).rows;
  const signer = new AccessTokenSigner(jwtSecret, config.accessTokenTtlSeconds);
  const tokens = await Promise.all(
    callers.map(async (u) => ({
      id: u.id,
      auth: `Bearer ${await signer.sign({ userId: u.id, username: u.username, sessionId: randomUUID(), version: u.token_version }, new Date())}`,
    })),
  );
  const pick = () => tokens[Math.floor(Math.random() * tokens.length)]!;
  const check = await fetch(`${appUrl}/api/v1/feed?limit=${PAGE}`, { headers: { authorization: pick().auth } });
  if (check.status !== 200) throw new Error(`app feed answered ${check.status}: ${await check.text()}`);
  log(`load average before the runs (1/5/15 min): ${os.loadavg().map((l) => l.toFixed(2)).join(' / ')}`);
  log(
    `world: ${userCount} users, ${callers.length} distinct callers; page of ${PAGE}; ${CONNECTIONS} connections; ` +
      `${SECONDS} s per run after ${WARMUP} s warm-up; load from ${LOADER}`,
  );

  const appTargets = tokens.map((u) => ({ path: `/api/v1/feed?feed_type=friends&limit=${PAGE}`, headers: { authorization: u.auth } }));
  const bareTargets = tokens.map((u) => ({ path: `/feed?user_id=${u.id}`, headers: {} }));

  // Every caller's first request reads their auth state and records last_seen (once a minute per
  // user): do those before measuring, so the runs show the steady state of signed-in users.
  const started = Date.now();
  for (let i = 0; i < tokens.length; i += CONNECTIONS) {
    await Promise.all(
      tokens.slice(i, i + CONNECTIONS).map((u) => fetch(`${appUrl}/api/v1/feed?limit=${PAGE}`, { headers: { authorization: u.auth } }).then((r) => r.arrayBuffer())),
    );
  }
  log(`warm-up: one request per caller (${tokens.length}) in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  // CPU of each party per request (this process serves both the app and the bare route).
  const partyOf: Classifier = (pid, commandLine) =>
    pid === process.pid ? 'node server' : commandLine.startsWith('postgres') ? 'postgres' : /^wrk |bench-load/.test(commandLine) ? 'load generator' : undefined;
  const measured = async (url: string, targets: LoadRequest['targets']) => {
    await drive(url, targets, WARMUP);
    const before = cpuSnapshot(partyOf);
    const figures = await drive(url, targets, SECONDS);
    return { figures, cpu: describeCpu(cpuPerUnit(before, cpuSnapshot(partyOf), figures.total), 'request', 2500) };
  };
  const { figures: appFigures, cpu: appCpu } = await measured(appUrl, appTargets);
  const { figures: bareFigures, cpu: bareCpu } = await measured(bareUrl, bareTargets);
  const ceilingFigures = env.BENCH_CEILING === '0' ? undefined : await drive(bareUrl, [{ path: '/ceiling', headers: {} }], SECONDS);

  log();
  log(`load average after the runs (1/5/15 min): ${os.loadavg().map((l) => l.toFixed(2)).join(' / ')}`);
  log(`app  GET /api/v1/feed  ${fmt(appFigures)}`);
  log(`bare same SQL          ${fmt(bareFigures)}`);
  if (ceilingFigures) log(`bare select 1 (ceiling) ${fmt(ceilingFigures)}`);
  log(`app:  ${appCpu}`);
  log(`bare: ${bareCpu}`);
  const ratio = appFigures.rps / bareFigures.rps;
  log(`app / bare throughput: ${(ratio * 100).toFixed(0)}%`);
  log(
    `targets: ≥ 2500 req/s ${appFigures.rps >= 2500 ? 'MET' : 'NOT MET'}; p99 ≤ 50 ms ${appFigures.p99 <= 50 ? 'MET' : 'NOT MET'}; ` +
      `≥ 60% of bare ${ratio >= 0.6 ? 'MET' : 'NOT MET'}`,
  );

  // The plan of the feed query for one caller.
  const one = compile(friendsInboxPageSql(pick().id, PAGE + 1, horizonMicros()));
  const plan = await admin.query(`explain (analyze, buffers) ${one.sql}`, one.params as unknown[]);
  log('\nEXPLAIN (ANALYZE, BUFFERS) of the friends feed query (first page, one caller):');
  for (const row of plan.rows as Array<Record<string, string>>) log(Object.values(row)[0]);

  await app.close();
  await ctx.close();
  await bare.close();
  await barePool.end();
  await admin.end();
  rmSync(dataDir, { recursive: true, force: true });
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
