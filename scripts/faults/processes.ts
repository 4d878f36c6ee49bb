/**
 * Real Tribe processes for `npm run test:faults` and the catch-up test: the README's production
 * commands (`node --import tsx src/main.ts`, `node --import tsx src/worker.ts`) spawned from the
 * repository with an environment of their own, their output kept in a log file, killed or
 * signalled by the PID spawned (node itself, no shell in between).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import path from 'node:path';
import { freePort } from '../../test/own-redis.js';

export const ROOT = path.resolve(import.meta.dirname, '..', '..');
const START_TIMEOUT_MS = 90_000;

/** What every process of one deployment shares (the database, Redis, the secret, the data directory). */
export interface Deployment {
  databaseUrl: string;
  redisUrl: string;
  redisKeyPrefix: string;
  jwtSecret: string;
  /** Shared by every process: the worker writes the mails (FileMailer: DATA_DIR/mail), the API the media. */
  dataDir: string;
  /** Directory for the processes' log files. */
  logDir: string;
  /** Added to every process's environment (budgets, knobs). */
  extraEnv?: Record<string, string>;
}

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** performance.now() when it exited. */
  at: number;
}

let counter = 0;

/** One spawned API or worker. */
export class TribeProcess {
  readonly exited: Promise<Exit>;
  private output = '';

  private constructor(
    readonly name: string,
    readonly child: ChildProcess,
    readonly port: number | undefined,
    readonly logFile: string,
  ) {
    const log = createWriteStream(logFile);
    const keep = (chunk: Buffer) => {
      log.write(chunk);
      this.output = (this.output + chunk.toString()).slice(-20_000);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    this.exited = new Promise((resolve) =>
      child.once('exit', (code, signal) => {
        log.end();
        resolve({ code, signal, at: performance.now() });
      }),
    );
    running.add(this);
    void this.exited.then(() => running.delete(this));
  }

  get pid(): number {
    return this.child.pid!;
  }

  get base(): string {
    if (this.port === undefined) throw new Error(`${this.name} has no HTTP port`);
    return `http://127.0.0.1:${this.port}`;
  }

  get ws(): string {
    return this.base.replace('http:', 'ws:');
  }

  get alive(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** The last lines of its output (for a failure report). */
  tail(chars = 3000): string {
    return this.output.slice(-chars);
  }

  /** Log lines (JSON) seen so far whose `msg` is `msg`. */
  logged(msg: string): boolean {
    return this.output.includes(`"msg":"${msg}"`);
  }

  /** An API on a free port (or `port`); resolves once /healthz answers. */
  static async api(deployment: Deployment, env: Record<string, string> = {}, port?: number): Promise<TribeProcess> {
    const p = port ?? (await freePort());
    const proc = TribeProcess.spawn(`api-${++counter}`, 'src/main.ts', deployment, { LOG_LEVEL: 'warn', ...env, PORT: String(p) }, p);
    await proc.ready(async () => {
      try {
        return (await fetch(`${proc.base}/healthz`, { signal: AbortSignal.timeout(1000) })).ok;
      } catch {
        return false;
      }
    });
    return proc;
  }

  /** A worker; resolves once its log says `Tribe worker ready` (its queues are worked, its schedules set). */
  static async worker(deployment: Deployment, env: Record<string, string> = {}): Promise<TribeProcess> {
    const proc = TribeProcess.spawn(`worker-${++counter}`, 'src/worker.ts', deployment, { LOG_LEVEL: 'info', ...env }, undefined);
    await proc.ready(async () => proc.logged('Tribe worker ready'));
    return proc;
  }

  private static spawn(name: string, entry: string, d: Deployment, env: Record<string, string>, port: number | undefined): TribeProcess {
    const child = spawn(process.execPath, ['--import', 'tsx', entry], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        HOME: process.env.HOME ?? '/tmp',
        NODE_ENV: 'production',
        HOST: '127.0.0.1',
        JWT_SECRET: d.jwtSecret,
        DATA_DIR: d.dataDir,
        DATABASE_URL: d.databaseUrl,
        REDIS_URL: d.redisUrl,
        REDIS_KEY_PREFIX: d.redisKeyPrefix,
        JOBS_POLL_INTERVAL_MS: '500',
        RATE_LIMIT_ENABLED: 'false',
        ...d.extraEnv,
        ...env,
      },
    });
    return new TribeProcess(name, child, port, path.join(d.logDir, `${name}.log`));
  }

  private async ready(check: () => Promise<boolean>): Promise<void> {
    const deadline = Date.now() + START_TIMEOUT_MS;
    for (;;) {
      if (!this.alive) throw new Error(`${this.name} exited before it was ready:\n${this.tail()}`);
      if (await check()) return;
      if (Date.now() > deadline) {
        this.child.kill('SIGKILL');
        throw new Error(`${this.name} not ready in ${START_TIMEOUT_MS} ms:\n${this.tail()}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  /** SIGKILL now (no cleanup of any kind), then waits for the exit. */
  async kill(): Promise<Exit> {
    if (this.alive) this.child.kill('SIGKILL');
    return this.exited;
  }

  /** Sends SIGTERM and resolves with the exit and the milliseconds it took. */
  async terminate(): Promise<Exit & { ms: number }> {
    const sent = performance.now();
    this.child.kill('SIGTERM');
    const exit = await this.exited;
    return { ...exit, ms: Math.round(exit.at - sent) };
  }
}

/** Processes still running when this process ends (a failed run) are killed, never left behind. */
const running = new Set<TribeProcess>();
process.once('exit', () => {
  for (const proc of running) if (proc.alive) proc.child.kill('SIGKILL');
});

/** SIGKILLs every process still running (the end of a run). */
export async function killAll(): Promise<void> {
  await Promise.all([...running].map((proc) => proc.kill()));
}
