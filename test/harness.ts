import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import { Redis } from 'ioredis';
import pino, { type DestinationStream, type Logger } from 'pino';
import { inject } from 'vitest';
import { buildApp } from '../src/app.js';
import { loadConfig, type Config } from '../src/config/config.js';
import { readEnv } from '../src/config/env.js';
import { createContext, type AppContext, type ContextOverrides } from '../src/context.js';
import { FakeClock } from '../src/infra/clock/clock.js';
import type { Database } from '../src/infra/db/database.js';
import { openPgliteDatabase } from '../src/infra/db/pglite-database.js';
import { openPostgresDatabase } from '../src/infra/db/postgres-database.js';
import { createLogger } from '../src/infra/logger.js';
import { appLogFile, recordExchange, recordSecret, setSecretsDir } from './log-secrets.js';
import { createDatabaseFromTemplate, databaseUrlFor, dropDatabase } from './pg-admin.js';

/** True when the suite runs against real PostgreSQL and Redis (DATABASE_URL / REDIS_URL set). */
export const productionMode = Boolean(process.env.DATABASE_URL);

export interface TestAppOptions {
  /** Extra environment variables (as strings, like the real environment). */
  env?: Record<string, string>;
  clock?: FakeClock;
  overrides?: ContextOverrides;
}

export interface TestApp {
  app: FastifyInstance;
  ctx: AppContext;
  config: Config;
  dataDir: string;
  /** Verification/reset mails written so far, parsed from DATA_DIR/mail/*.eml. */
  mails(): Promise<Array<{ to: string; subject: string; raw: string }>>;
  close(): Promise<void>;
}

/** A fresh, migrated database for one test file (a PGlite copy, or a PostgreSQL database from the template). */
async function openTestDatabase(): Promise<{ database: Database; drop: () => Promise<void> }> {
  const baseUrl = process.env.DATABASE_URL;
  if (!baseUrl) {
    const image = readFileSync(inject('pgliteImagePath'));
    const database = await openPgliteDatabase({ loadDataDir: new Blob([image]) });
    return { database, drop: async () => undefined };
  }
  const name = `${inject('pgRunPrefix')}_${randomBytes(4).toString('hex')}`;
  await createDatabaseFromTemplate(baseUrl, name, inject('pgTemplateDatabase'));
  const database = openPostgresDatabase({ url: databaseUrlFor(baseUrl, name), poolSize: 10 });
  return { database, drop: () => dropDatabase(baseUrl, name) };
}

/** Removes the keys a test app left in Redis (its prefix is unique to it). */
async function deleteRedisKeys(url: string, prefix: string): Promise<void> {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
      if (keys.length > 0) await redis.unlink(...keys);
      cursor = next;
    } while (cursor !== '0');
  } catch {
    // An unreachable Redis (tests of that case) leaves nothing to clean.
  } finally {
    redis.disconnect();
  }
}

let capturedLogs: DestinationStream | undefined;

/**
 * The test apps' logger: every line at trace level into this worker's file of the run's log
 * directory, which the global teardown searches for credentials (test/log-secrets.ts); with
 * TEST_LOG_LEVEL set, also to stdout at that level.
 */
function capturingLogger(): Logger {
  const dir = inject('testLogDir');
  setSecretsDir(dir);
  // Synchronous appends: nothing is lost when a worker exits, at a few µs per line.
  capturedLogs ??= pino.destination({ dest: appLogFile(dir), sync: true });
  const echo = process.env.TEST_LOG_LEVEL;
  if (!echo || echo === 'silent') return createLogger('trace', capturedLogs);
  return createLogger('trace', pino.multistream([{ level: 'trace', stream: capturedLogs }, { level: echo, stream: process.stdout }]));
}

type Inject = (options: InjectOptions | string) => Promise<LightMyRequestResponse>;

/** Makes `app.inject` record the credentials each exchange carries, for the log search. */
function recordCredentialsOf(app: FastifyInstance): void {
  const inject = app.inject.bind(app) as unknown as Inject;
  const recording: Inject = async (options) => {
    const res = await inject(options);
    recordExchange(typeof options === 'string' ? undefined : options.payload, res.statusCode, res.headers['content-type'], res.body);
    return res;
  };
  (app as unknown as { inject: Inject }).inject = recording;
}

function parseEml(raw: string): { to: string; subject: string; raw: string } {
  const header = (name: string) => new RegExp(`^${name}: (.*)$`, 'mi').exec(raw)?.[1]?.trim() ?? '';
  return { to: header('To'), subject: header('Subject'), raw };
}

/**
 * Builds the real application on a fresh database, exactly as main.ts does, with test-friendly
 * defaults: logs captured to a file (capturingLogger), a temp DATA_DIR, a random JWT secret, and a
 * Redis key prefix of its own.
 */
export async function createTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'tribe-test-'));
  const config = loadConfig({
    ...readEnv(),
    NODE_ENV: 'test',
    DATA_DIR: dataDir,
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    JWT_SECRET: randomBytes(32).toString('hex'),
    REDIS_KEY_PREFIX: `tribe-test:${randomUUID()}:`,
    // Test apps run their jobs in-process (production mode too): side effects are woken at once
    // after each commit and `ctx.bus.drain()` waits for them; the slow poll only picks up retries.
    RUN_JOBS_IN_API: 'true',
    JOBS_POLL_INTERVAL_MS: '5000',
    // Cron jobs run when a test says so (`ctx.jobs.runCronNow`), at the test clock's time.
    JOBS_CRON_ENABLED: 'false',
    // The suite runs many apps on 2 shared cores: a test process's event loop may lag past the
    // production threshold without being overloaded. The overload tests set these themselves.
    OVERLOAD_MAX_EVENT_LOOP_DELAY_MS: '0',
    OVERLOAD_MAX_HEAP_USED_PERCENT: '0',
    ...options.env,
  });
  // A test that brings its own database (e.g. on a PostgreSQL it starts itself) gets no other.
  const { database, drop } = options.overrides?.database
    ? { database: options.overrides.database, drop: async () => undefined }
    : await openTestDatabase();
  const ctx = await createContext(config, {
    database,
    logger: capturingLogger(),
    ...(options.clock ? { clock: options.clock } : {}),
    ...options.overrides,
  });
  const app = await buildApp(ctx);
  recordCredentialsOf(app);
  await app.ready();
  return {
    app,
    ctx,
    config,
    dataDir,
    async mails() {
      await ctx.bus.drain();
      const dir = path.join(dataDir, 'mail');
      let files: string[] = [];
      try {
        files = readdirSync(dir).filter((f) => f.endsWith('.eml')).sort();
      } catch {
        return [];
      }
      return Promise.all(files.map(async (f) => parseEml(await readFile(path.join(dir, f), 'utf8'))));
    },
    async close() {
      await app.close();
      await ctx.close();
      await drop();
      if (config.redisUrl) await deleteRedisKeys(config.redisUrl, config.redisKeyPrefix);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** The `token=` value of the newest mail to `to` whose link path contains `linkPath`. */
export function tokenFromMail(mails: Array<{ to: string; raw: string }>, to: string, linkPath: string): string {
  // Quoted-printable may fold long lines with "=\n"; undo that before looking for the link.
  const unfold = (raw: string) => raw.replace(/=\r?\n/g, '').replace(/=3D/g, '=');
  const body = [...mails]
    .reverse()
    .map((m) => ({ to: m.to, body: unfold(m.raw) }))
    .find((m) => m.to.includes(to) && m.body.includes(linkPath))?.body;
  const match = body ? new RegExp(`${linkPath.replace(/[/]/g, '\\/')}\\?token=([A-Za-z0-9_%-]+)`).exec(body) : null;
  if (!match?.[1]) throw new Error(`no mail to ${to} with a ${linkPath} link`);
  const token = decodeURIComponent(match[1]);
  recordSecret('token', token);
  return token;
}
