import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { openPgliteDatabase } from '../src/infra/db/pglite-database.js';
import { WsClient } from './realtime-helpers.js';
import { freePort } from './own-redis.js';
import { createDatabaseFromTemplate, databaseUrlFor, dropDatabase } from './pg-admin.js';

/**
 * The processes exactly as the README starts them, signalled the way a supervisor does: SIGTERM to
 * the PID it spawned. Embedded runs use PGlite in a temp DATA_DIR (a copy of the run's migrated
 * database: a PGlite initdb alone takes seconds); production-mode runs (DATABASE_URL + REDIS_URL)
 * give each process a fresh database and a Redis key prefix of its own.
 */

const ROOT = path.resolve(import.meta.dirname, '..');
/** The shutdown budgets of src/main.ts (SHUTDOWN_TIMEOUT_MS's default) and src/worker.ts. */
const API_DRAIN_BUDGET_MS = 10_000;
const WORKER_DRAIN_BUDGET_MS = 30_000;
const START_TIMEOUT_MS = 60_000;

const cleanups: Array<() => Promise<void>> = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

/** The README's production command for `entry` (src/main.ts or src/worker.ts), without its variables. */
function readmeCommand(entry: string): string[] {
  const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const line = readme.split('\n').find((l) => /^(?:[A-Z_]+=\S+ )*node .*$/.test(l.trim()) && l.trim().endsWith(` ${entry}`));
  if (!line) throw new Error(`README.md has no production command line ending in ${entry}`);
  return line.trim().split(/\s+/).filter((word) => !/^[A-Z_]+=/.test(word));
}

interface Started {
  child: ChildProcess;
  port: number;
  logs: Array<Record<string, unknown>>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>;
}

let migratedPglite: Promise<string> | undefined;

/** A PGlite data directory holding the run's migrated image (test/global-setup.ts), made once. */
function migratedPgliteDir(): Promise<string> {
  migratedPglite ??= (async () => {
    const dir = path.join(mkdtempSync(path.join(os.tmpdir(), 'tribe-signals-db-')), 'db');
    cleanups.push(async () => rmSync(path.dirname(dir), { recursive: true, force: true }));
    const database = await openPgliteDatabase({ dataDir: dir, loadDataDir: new Blob([readFileSync(inject('pgliteImagePath'))]) });
    await database.close();
    return dir;
  })();
  return migratedPglite;
}

/** An environment of its own: nothing of the test runner's (NODE_ENV=test, DATABASE_URL, ...) leaks in. */
async function processEnv(port: number): Promise<Record<string, string>> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'tribe-signals-'));
  cleanups.push(async () => rmSync(dataDir, { recursive: true, force: true }));
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: process.env.HOME ?? os.tmpdir(),
    NODE_ENV: 'production',
    JWT_SECRET: randomBytes(32).toString('hex'),
    HOST: '127.0.0.1',
    PORT: String(port),
    DATA_DIR: dataDir,
    LOG_LEVEL: 'info',
  };
  const baseUrl = process.env.DATABASE_URL;
  if (baseUrl && process.env.REDIS_URL) {
    const name = `${inject('pgRunPrefix')}_sig_${randomBytes(4).toString('hex')}`;
    await createDatabaseFromTemplate(baseUrl, name, inject('pgTemplateDatabase'));
    cleanups.push(() => dropDatabase(baseUrl, name));
    env.DATABASE_URL = databaseUrlFor(baseUrl, name);
    env.REDIS_URL = process.env.REDIS_URL;
    env.REDIS_KEY_PREFIX = `tribe-test:${randomUUID()}:`;
  } else {
    cpSync(await migratedPgliteDir(), path.join(dataDir, 'db'), { recursive: true });
  }
  return env;
}

/** Spawns `argv` in the repository and resolves once its log says `readyMessage`. */
async function start(argv: string[], readyMessage: string): Promise<Started> {
  const port = await freePort();
  const [command, ...args] = argv as [string, ...string[]];
  const child = spawn(command, args, { cwd: ROOT, env: await processEnv(port), stdio: ['ignore', 'pipe', 'pipe'] });
  const logs: Array<Record<string, unknown>> = [];
  let output = '';
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal, at: performance.now() })),
  );
  cleanups.push(async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    for (const log of logs) if (typeof log.pid === 'number') killQuietly(log.pid);
  });
  const ready = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${argv.join(' ')} not ready in ${START_TIMEOUT_MS} ms:\n${output.slice(-3000)}`)), START_TIMEOUT_MS);
    let pending = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      pending += chunk.toString();
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) {
        if (!line.startsWith('{')) continue;
        const log = JSON.parse(line) as Record<string, unknown>;
        logs.push(log);
        if (log.msg === readyMessage) {
          clearTimeout(timer);
          resolve();
        }
      }
    });
    child.stderr!.on('data', (chunk: Buffer) => void (output += chunk.toString()));
    void exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`${argv.join(' ')} exited (${code ?? signal}) before it was ready:\n${output.slice(-3000)}`));
    });
  });
  await ready;
  return { child, port, logs, exited };
}

function killQuietly(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // Already gone.
  }
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** The pid the server's own log lines carry (the node process, whoever spawned it). */
function serverPid(started: Started): number {
  const pid = started.logs.find((log) => typeof log.pid === 'number')?.pid;
  if (typeof pid !== 'number') throw new Error('no log line with a pid');
  return pid;
}

async function answers(port: number): Promise<boolean> {
  try {
    await fetch(`http://127.0.0.1:${port}/healthz`, { signal: AbortSignal.timeout(1000) });
    return true;
  } catch {
    return false;
  }
}

/** SIGTERM to the spawned PID; resolves with the milliseconds until it exited and how. */
async function terminate(started: Started, budgetMs: number): Promise<{ ms: number; code: number | null; signal: NodeJS.Signals | null }> {
  const sentAt = performance.now();
  started.child.kill('SIGTERM');
  const timeout = new Promise<never>((_, reject) =>
    setTimeout(() => reject(new Error(`still running ${budgetMs} ms after SIGTERM`)), budgetMs).unref(),
  );
  const exit = await Promise.race([started.exited, timeout]);
  return { ms: Math.round(exit.at - sentAt), code: exit.code, signal: exit.signal };
}

interface Answer {
  status: number;
  body: string;
  connection: string | undefined;
}

interface InFlight {
  /** Resolves once the server has read the request's headers (its `100 Continue`): the request has started. */
  started: Promise<void>;
  answer: Promise<Answer>;
}

/** POST `path` with the body's last byte held back until `release` resolves: a request in flight. */
function requestInFlight(port: number, urlPath: string, body: string, release: Promise<void>): InFlight {
  let started!: () => void;
  const startedPromise = new Promise<void>((resolve) => (started = resolve));
  const answer = new Promise<Answer>((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        path: urlPath,
        method: 'POST',
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), expect: '100-continue' },
      },
      (res) => {
        let text = '';
        res.on('data', (chunk: Buffer) => void (text += chunk.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text, connection: res.headers.connection }));
      },
    );
    req.on('error', reject);
    req.once('continue', () => {
      started();
      req.write(body.slice(0, -1));
      void release.then(() => req.end(body.slice(-1)));
    });
    req.flushHeaders();
  });
  return { started: startedPromise, answer };
}

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('issue 15.7: SIGTERM reaches the server the README starts, and it drains', () => {
  it('the README production command: an open socket closes with 1001, new connections are refused or answered 503, every request in flight completes, the process exits 0 within the drain budget and the port stops answering', { timeout: 120_000 }, async () => {
    const api = await start(readmeCommand('src/main.ts'), 'Tribe API ready');
    expect(serverPid(api)).toBe(api.child.pid);
    const base = `http://127.0.0.1:${api.port}`;
    const password = 'SecurePass123!';
    const registered = await fetch(`${base}/api/v1/auth/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'signals@example.com', username: 'signals_user', full_name: 'Signal User', password, confirm_password: password }),
    });
    expect(registered.status).toBe(201);
    const { access_token } = (await registered.json()) as { access_token: string };
    const socket = await WsClient.connect(`ws://127.0.0.1:${api.port}`, `token=${access_token}`);

    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    // Several logins in flight (each on its own connection), their bodies' last byte held back past the SIGTERM.
    const logins = Array.from({ length: 4 }, () =>
      requestInFlight(api.port, '/api/v1/auth/login', JSON.stringify({ email: 'signals@example.com', password }), released),
    );
    await Promise.all(logins.map((login) => login.started));
    await delay(100);
    const exit = terminate(api, API_DRAIN_BUDGET_MS);
    expect((await socket.closed).code).toBe(1001);
    // A new connection once the shutdown has begun: refused (the listener is closed), closed before
    // its request was read (accepted just before the listener closed: an idle connection, closed by
    // forceCloseConnections 'idle'), or answered 503 shutting_down. Never served.
    const late = await fetch(`${base}/healthz`, { signal: AbortSignal.timeout(2000) }).then(
      async (res) => ({ status: res.status, code: ((await res.json()) as { error?: { code?: string } }).error?.code }),
      (err: Error & { cause?: { code?: string } }) => ({ status: 0, code: err.cause?.code }),
    );
    if (late.status !== 0) expect(late).toEqual({ status: 503, code: 'shutting_down' });
    else expect(['ECONNREFUSED', 'ECONNRESET', 'UND_ERR_SOCKET']).toContain(late.code);
    release();
    const answered = await Promise.all(logins.map((login) => login.answer));
    for (const each of answered) {
      expect(each.status).toBe(200);
      expect(JSON.parse(each.body)).toHaveProperty('access_token');
      // The in-flight request's keep-alive connection was closed with its response, not left to the
      // client's keep-alive timeout (5 s for Node's agent).
      expect(each.connection).toBe('close');
    }

    const { ms, code, signal } = await exit;
    expect({ code, signal }).toEqual({ code: 0, signal: null });
    expect(ms).toBeLessThan(4000);
    expect(api.logs.some((log) => log.msg === 'shutting down' && log.signal === 'SIGTERM')).toBe(true);
    expect(await answers(api.port)).toBe(false);
    console.info(`issue 15.7: ${readmeCommand('src/main.ts').join(' ')}: SIGTERM to exit ${ms} ms (drain budget ${API_DRAIN_BUDGET_MS} ms)`);
  });

  it('npm start: SIGTERM to the npm process reaches the server (nothing is left running or answering)', { timeout: 120_000 }, async () => {
    const api = await start(['npm', 'start'], 'Tribe API ready');
    const pid = serverPid(api);
    expect(await answers(api.port)).toBe(true);
    const { ms, code, signal } = await terminate(api, API_DRAIN_BUDGET_MS);
    expect({ code, signal }).toEqual({ code: 0, signal: null });
    expect(api.logs.some((log) => log.msg === 'shutting down' && log.signal === 'SIGTERM')).toBe(true);
    expect(isRunning(pid)).toBe(false);
    expect(await answers(api.port)).toBe(false);
    console.info(`issue 15.7: npm start: SIGTERM to exit ${ms} ms`);
  });

  it('npm start and npm run worker run exactly the README commands', () => {
    const { scripts } = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    expect(scripts.start).toBe(`exec ${readmeCommand('src/main.ts').join(' ')}`);
    expect(scripts.worker).toBe(`exec ${readmeCommand('src/worker.ts').join(' ')}`);
  });

  it('the worker (npm run worker, which execs the README command): SIGTERM to npm stops it within its budget', { timeout: 120_000 }, async () => {
    const worker = await start(['npm', 'run', 'worker'], 'Tribe worker ready');
    const pid = serverPid(worker);
    const { ms, code, signal } = await terminate(worker, WORKER_DRAIN_BUDGET_MS);
    expect({ code, signal }).toEqual({ code: 0, signal: null });
    expect(worker.logs.some((log) => log.msg === 'worker shutting down' && log.signal === 'SIGTERM')).toBe(true);
    expect(isRunning(pid)).toBe(false);
    console.info(`issue 15.7: npm run worker: SIGTERM to exit ${ms} ms`);
  });
});
