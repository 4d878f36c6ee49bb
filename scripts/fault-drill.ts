/**
 * `npm run drill:faults`: injects the faults of issue 15 items 1–5 into dependencies this script
 * starts itself (a PostgreSQL cluster via initdb/pg_ctl, a redis-server, a temp media directory;
 * never the machine's shared services) under a steady load of in-process requests, and prints per
 * fault: time to the first 503 (or, for Redis, the slowest answer while it is gone: requests fall
 * back instead), requests lost (answers other than 2xx and 503, e.g. 500s), and the time from the
 * dependency's return to the first 200. The figures go into docs/reliability.md.
 *
 * Env: DRILL_CLIENTS (16 concurrent clients), DRILL_FAULT_SECONDS (5). Default budgets (DB_*_TIMEOUT_MS,
 * REDIS_COMMAND_TIMEOUT_MS) unless set. Needs the PostgreSQL server binaries and redis-server.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import pg from 'pg';
import { buildApp } from '../src/app.js';
import { loadConfig } from '../src/config/config.js';
import { readEnv } from '../src/config/env.js';
import { createContext, type AppContext } from '../src/context.js';
import { openPostgresDatabase } from '../src/infra/db/postgres-database.js';
import { cameraJpeg, multipart } from '../test/media-samples.js';
import { OwnPostgres } from '../test/own-postgres.js';
import { OwnRedis } from '../test/own-redis.js';

const CLIENTS = Number(readEnv().DRILL_CLIENTS ?? 16);
const FAULT_MS = Number(readEnv().DRILL_FAULT_SECONDS ?? 5) * 1000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Answer {
  start: number;
  end: number;
  status: number;
}

interface Drill {
  app: FastifyInstance;
  ctx: AppContext;
  auth: Record<string, string>;
  newUser(): Promise<Record<string, string>>;
  dataDir: string;
  close(): Promise<void>;
}

async function startApp(databaseUrl: string, redisUrl: string): Promise<Drill> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'tribe-drill-'));
  const env = readEnv();
  const config = loadConfig({
    ...Object.fromEntries(Object.entries(env).filter(([key]) => /^(DB_.*_MS|REDIS_COMMAND_TIMEOUT_MS)$/.test(key))),
    NODE_ENV: 'test',
    DATA_DIR: dataDir,
    LOG_LEVEL: 'silent',
    JWT_SECRET: randomBytes(32).toString('hex'),
    DATABASE_URL: databaseUrl,
    REDIS_URL: redisUrl,
    REDIS_KEY_PREFIX: `tribe-drill:${randomUUID()}:`,
    RATE_LIMIT_READ_PER_MINUTE: '1000000',
    RATE_LIMIT_WRITE_PER_MINUTE: '1000000',
  });
  const database = openPostgresDatabase({ url: databaseUrl, poolSize: config.dbPoolSize, timeouts: config.dbTimeouts });
  await database.migrate();
  const ctx = await createContext(config, { database });
  const app = await buildApp(ctx);
  await app.ready();
  const newUser = async () => {
    const password = `Drill-${randomBytes(6).toString('hex')}1!`;
    const session = await ctx.services.sessions.register(
      { email: `drill-${randomUUID()}@example.com`, username: `drill_${randomBytes(4).toString('hex')}`, fullName: 'Drill', password, confirmPassword: password },
      { ip: '127.0.0.1', userAgent: 'fault-drill' },
    );
    return { authorization: `Bearer ${session.accessToken}` };
  };
  return {
    app,
    ctx,
    dataDir,
    newUser,
    auth: await newUser(),
    async close() {
      await app.close();
      await ctx.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** `clients` loops sending `request` back to back until stopped; every answer is recorded. */
function load(clients: number, request: (i: number) => Promise<number>) {
  const answers: Answer[] = [];
  let running = true;
  const loops = Array.from({ length: clients }, async (_, c) => {
    for (let i = c; running; i += clients) {
      const start = Date.now();
      const status = await request(i).catch(() => 0);
      answers.push({ start, end: Date.now(), status });
    }
  });
  return {
    answers,
    async stop() {
      running = false;
      await Promise.all(loops);
    },
  };
}

function readsAndWrites(drill: Drill) {
  return async (i: number) =>
    (
      await drill.app.inject(
        i % 2
          ? { method: 'PUT', url: '/api/v1/users/me', payload: { bio: `drill ${i}` }, headers: drill.auth }
          : { method: 'GET', url: '/api/v1/users/me', headers: drill.auth },
      )
    ).statusCode;
}

interface Figures {
  fault: string;
  requests: number;
  first503Ms: number | null;
  lost: number;
  statuses: Record<string, number>;
  slowestDuringFaultMs: number;
  recoverMs: number | null;
}

function figures(fault: string, answers: Answer[], faultAt: number, restoredAt: number): Figures {
  const during = answers.filter((a) => a.end >= faultAt);
  const first503 = during.find((a) => a.status === 503);
  const statuses: Record<string, number> = {};
  for (const a of during) {
    const phase = a.start < restoredAt ? 'during' : 'after';
    statuses[`${phase} ${a.status}`] = (statuses[`${phase} ${a.status}`] ?? 0) + 1;
  }
  const recovered = answers.find((a) => a.start >= restoredAt && a.status >= 200 && a.status < 300);
  return {
    fault,
    requests: during.length,
    first503Ms: first503 ? first503.end - faultAt : null,
    lost: during.filter((a) => !(a.status >= 200 && a.status < 300) && a.status !== 503).length,
    statuses,
    slowestDuringFaultMs: Math.max(0, ...during.filter((a) => a.start < restoredAt).map((a) => a.end - a.start)),
    recoverMs: recovered ? recovered.end - restoredAt : null,
  };
}

async function redisKill(drill: Drill, redis: OwnRedis): Promise<Figures> {
  const run = load(CLIENTS, readsAndWrites(drill));
  await sleep(1000);
  const faultAt = Date.now();
  await redis.stop();
  await sleep(FAULT_MS);
  await redis.start();
  const restoredAt = Date.now();
  while (drill.ctx.redis?.status !== 'ready' && Date.now() - restoredAt < 15_000) await sleep(20);
  const readyMs = Date.now() - restoredAt;
  await sleep(1000);
  await run.stop();
  const result = figures('Redis killed (SIGKILL) and restarted', run.answers, faultAt, restoredAt);
  return { ...result, recoverMs: readyMs };
}

async function postgresStop(drill: Drill, cluster: OwnPostgres): Promise<Figures> {
  const run = load(CLIENTS, readsAndWrites(drill));
  await sleep(1000);
  const faultAt = Date.now();
  await cluster.stop('fast');
  await sleep(FAULT_MS);
  await cluster.start();
  const restoredAt = Date.now();
  await sleep(3000);
  await run.stop();
  return figures('PostgreSQL stopped (pg_ctl stop -m fast) and started', run.answers, faultAt, restoredAt);
}

async function lockHold(drill: Drill, databaseUrl: string): Promise<Figures> {
  const holder = new pg.Client({ connectionString: databaseUrl });
  await holder.connect();
  const run = load(CLIENTS, readsAndWrites(drill));
  await sleep(1000);
  const faultAt = Date.now();
  await holder.query('begin');
  await holder.query('lock table users in access exclusive mode');
  await sleep(FAULT_MS * 2);
  await holder.query('rollback');
  const restoredAt = Date.now();
  await sleep(2000);
  await run.stop();
  await holder.end();
  return figures(`users table locked ${(FAULT_MS * 2) / 1000} s (access exclusive)`, run.answers, faultAt, restoredAt);
}

/** A read-only tmpfs over the media directory when this process may mount (EROFS), else the path made a file (ENOTDIR). */
function breakMedia(dir: string): { name: string; restore: () => void } {
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'ro,size=1m', 'tribe-drill-ro', dir], { stdio: 'ignore' });
    return { name: 'read-only media volume (EROFS)', restore: () => void execFileSync('umount', [dir], { stdio: 'ignore' }) };
  } catch {
    renameSync(dir, `${dir}.moved`);
    writeFileSync(dir, 'not a directory');
    return {
      name: 'media path not a directory (ENOTDIR)',
      restore: () => {
        rmSync(dir, { force: true });
        renameSync(`${dir}.moved`, dir);
      },
    };
  }
}

async function storageReadOnly(drill: Drill): Promise<Figures> {
  const jpeg = await cameraJpeg(320, 240);
  const mediaDir = path.join(drill.dataDir, 'media');
  mkdirSync(mediaDir, { recursive: true });
  // Uploads are limited to 10 per user and hour: the load rotates over enough users, paced.
  const uploaders = [drill.auth];
  for (let i = 0; i < 15; i++) uploaders.push(await drill.newUser());
  const upload = async (i: number) => {
    await sleep(200);
    const body = multipart([{ name: 'image', filename: 'me.jpg', contentType: 'image/jpeg', data: jpeg }]);
    const headers = { ...body.headers, ...uploaders[i % uploaders.length] };
    const res = await drill.app.inject({ method: 'PATCH', url: '/api/v1/users/me/profile-image', headers, payload: body.payload });
    return res.statusCode;
  };
  const run = load(2, upload);
  await sleep(1000);
  const faultAt = Date.now();
  const fault = breakMedia(mediaDir);
  await sleep(FAULT_MS);
  const ready = (await drill.app.inject({ method: 'GET', url: '/readyz' })).json<{ checks: Record<string, string> }>().checks.storage;
  fault.restore();
  const restoredAt = Date.now();
  await sleep(2000);
  await run.stop();
  return { ...figures(`${fault.name}; /readyz storage: ${ready}`, run.answers, faultAt, restoredAt) };
}

async function main(): Promise<void> {
  const cluster = await OwnPostgres.start();
  const redis = await OwnRedis.start();
  const databaseUrl = await cluster.createDatabase('tribe_drill');
  const drill = await startApp(databaseUrl, redis.url);
  const results: Figures[] = [];
  try {
    process.stdout.write(`fault drill: ${CLIENTS} clients, faults of ${FAULT_MS / 1000} s, node ${process.version}\n`);
    results.push(await redisKill(drill, redis));
    results.push(await postgresStop(drill, cluster));
    results.push(await lockHold(drill, databaseUrl));
    results.push(await storageReadOnly(drill));
  } finally {
    await drill.close().catch(() => undefined);
    await redis.stop();
    await cluster.destroy();
  }
  for (const r of results) {
    process.stdout.write(
      `\n${r.fault}\n  requests from the fault on: ${r.requests} ${JSON.stringify(r.statuses)}\n` +
        `  time to first 503: ${r.first503Ms === null ? 'none (no 503)' : `${r.first503Ms} ms`}\n` +
        `  slowest answer while the fault lasted: ${r.slowestDuringFaultMs} ms\n` +
        `  requests lost (not 2xx, not 503): ${r.lost}\n` +
        `  recovered ${r.recoverMs === null ? 'never' : `${r.recoverMs} ms`} after the dependency returned\n`,
    );
  }
  process.stdout.write(`\n${JSON.stringify(results)}\n`);
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`fault drill failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
