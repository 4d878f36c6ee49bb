import PgBoss from 'pg-boss';
import type { Database, Db } from '../db/database.js';
import { drizzleExecutor, type SqlExecutor } from './sql-executor.js';

/** How a queue's failed jobs are retried before they move to its dead-letter queue (`<queue>.dead`). */
export interface QueuePolicy {
  /** Attempts after the first (default 8). */
  retryLimit?: number;
  /** Seconds before the first retry; doubled each time with backoff (default 2). */
  retryDelaySeconds?: number;
  /** Exponential backoff (default true). */
  retryBackoff?: boolean;
  /** A job running longer is failed and retried (default 300). */
  expireInSeconds?: number;
}

/** A job to insert: `id` is its idempotency key (a second insert with the same id in a queue is dropped). */
export interface NewJob {
  queue: string;
  id: string;
  data: object;
  /** Not before this many seconds from now. */
  startAfterSeconds?: number;
}

/** A job handed to a handler (pg-boss's job, narrowed). */
export interface RunningJob<T = unknown> {
  id: string;
  name: string;
  data: T;
  /** Attempts made before this one. */
  retryCount: number;
}

/** One queue in `npm run jobs`. */
export interface QueueReport {
  name: string;
  deadLetter: string | undefined;
  /** Waiting to run: new, or failed and waiting for their retry. */
  pending: number;
  active: number;
  completed: number;
  /** Out of retries (their copies wait in the dead-letter queue). */
  failed: number;
  lastErrors: Array<{ jobId: string; at: string; message: string }>;
}

export type JobHandler<T = unknown> = (job: RunningJob<T>) => Promise<void>;

/** A recurring job: pg-boss fires `cron` (UTC, minute resolution) once per period across every process. */
export interface CronJob {
  name: string;
  /** Five-field cron expression, e.g. `*\/15 * * * *`. */
  cron: string;
  run(now: Date): Promise<void>;
}

export interface JobEngineLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

/** What happened to a job a handler ran: for metrics (counts and durations by queue). */
export type JobObserver = (queue: string, outcome: 'completed' | 'failed', seconds: number) => void;

export interface JobEngineOptions {
  /** Run handlers and schedules in this process (workers; the API only when RUN_JOBS_IN_API). */
  consume: boolean;
  /** Fire the cron schedules (JOBS_CRON_ENABLED; tests run cron jobs by hand with `runCronNow`). */
  cron: boolean;
  /** Seconds between polls of a queue when nothing woke it (min 0.5). */
  pollingSeconds: number;
  /** Jobs fetched per poll. */
  batchSize: number;
  /** How long `stop()` lets running jobs finish before handing them back (failed → retried). */
  stopTimeoutMs: number;
  logger: JobEngineLogger;
  observe?: JobObserver;
}

export const JOBS_SCHEMA = 'pgboss';

/**
 * The job engine: pg-boss on the application's own database (PostgreSQL, or the embedded PGlite
 * through its one gated connection). Every queue has retries with exponential backoff and a
 * dead-letter queue; jobs are inserted through the writer's transaction (`enqueue`), so they exist
 * exactly when the write committed. Consuming processes run handlers (woken at once by `wake` for
 * work enqueued here, else polled) and cron schedules; an API-only process only enqueues.
 */
export class JobEngine {
  private readonly handlers = new Map<string, { handler: JobHandler; policy: QueuePolicy }>();
  private readonly crons = new Map<string, CronJob>();
  private readonly workerIds = new Map<string, string[]>();
  private started = false;
  private stopping = false;
  private readonly running = new Set<Promise<void>>();

  constructor(
    private readonly boss: PgBoss,
    private readonly options: JobEngineOptions,
    private readonly now: () => Date = () => new Date(),
  ) {
    boss.on('error', (err: unknown) => options.logger.warn({ err }, 'job engine error'));
  }

  /** Registers the handler of `queue` (before `start`). */
  handle(queue: string, policy: QueuePolicy, handler: JobHandler): void {
    if (this.started) throw new Error(`queue ${queue} registered after start`);
    if (this.handlers.has(queue)) throw new Error(`queue ${queue} is registered twice`);
    this.handlers.set(queue, { handler, policy });
  }

  /** Registers a recurring job (before `start`). */
  scheduleCron(job: CronJob): void {
    if (this.started) throw new Error(`cron ${job.name} registered after start`);
    if (this.crons.has(job.name) || this.handlers.has(cronQueue(job.name))) throw new Error(`cron ${job.name} is registered twice`);
    this.crons.set(job.name, job);
  }

  get queues(): string[] {
    return [...this.handlers.keys(), ...[...this.crons.keys()].map(cronQueue)];
  }

  get cronJobs(): CronJob[] {
    return [...this.crons.values()];
  }

  /** Inserts jobs through `db` (a transaction: they are queued if and only if it commits). */
  async enqueue(db: Db, jobs: readonly NewJob[]): Promise<void> {
    if (jobs.length === 0) return;
    await this.boss.insert(
      jobs.map((job) => ({
        id: job.id,
        name: job.queue,
        data: job.data,
        ...(job.startAfterSeconds ? { startAfter: new Date(Date.now() + job.startAfterSeconds * 1000).toISOString() } : {}),
      })),
      { db: drizzleExecutor(db) },
    );
  }

  /** Makes the local workers of `queue` fetch now instead of at their next poll. */
  wake(queue: string): void {
    for (const id of this.workerIds.get(queue) ?? []) this.boss.notifyWorker(id);
  }

  /**
   * Starts pg-boss (its schema is migrated if needed), creates or updates every queue and its
   * dead-letter queue, and — in a consuming process — starts the workers and the cron schedules.
   */
  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    await this.boss.start();
    const existing = new Set((await this.boss.getQueues()).map((q) => q.name));
    for (const [queue, { policy }] of this.handlers) await this.ensureQueue(queue, policy, existing);
    for (const job of this.crons.values()) await this.ensureQueue(cronQueue(job.name), { retryLimit: 0, expireInSeconds: 3600 }, existing);
    if (!this.options.consume) return;
    for (const [queue, { handler }] of this.handlers) await this.work(queue, handler);
    for (const job of this.crons.values()) {
      if (this.options.cron) await this.boss.schedule(cronQueue(job.name), job.cron, {}, { tz: 'UTC' });
      await this.work(cronQueue(job.name), () => job.run(this.now()));
    }
  }

  /** Runs a recurring job now, outside its schedule (operators, tests). */
  async runCronNow(name: string): Promise<void> {
    const job = this.crons.get(name);
    if (!job) throw new Error(`no cron job named ${name}`);
    await job.run(this.now());
  }

  /**
   * Until no job of this engine's queues is ready or running (tests, scripts): wakes the workers
   * and waits. Jobs waiting for a retry delay or a later start are not waited for.
   */
  async drain(timeoutMs = 30_000): Promise<void> {
    if (!this.options.consume) throw new Error('drain() needs a consuming job engine');
    const deadline = Date.now() + timeoutMs;
    const queues = [...this.handlers.keys()];
    for (;;) {
      await Promise.allSettled([...this.running]);
      const { rows } = await this.executor().executeSql(
        `select count(*)::int as n from ${JOBS_SCHEMA}.job where name = any($1::text[]) and (state = 'active' or (state in ('created', 'retry') and start_after <= now()))`,
        [queues],
      );
      if (Number(rows[0]?.n ?? 0) === 0 && this.running.size === 0) return;
      if (Date.now() > deadline) throw new Error('job engine drain timed out');
      for (const queue of queues) this.wake(queue);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }

  /** Stops fetching; running jobs get `stopTimeoutMs` to finish, then are handed back (retried elsewhere). */
  async stop(): Promise<void> {
    if (this.stopping || !this.started) return;
    this.stopping = true;
    await this.boss.stop({ graceful: true, timeout: this.options.stopTimeoutMs, close: true, wait: true });
  }

  /** Every queue with its jobs by state, and the newest failures (npm run jobs). */
  async report(failuresPerQueue = 3): Promise<QueueReport[]> {
    const db = this.executor();
    const { rows: queues } = await db.executeSql(`select name, dead_letter as "deadLetter" from ${JOBS_SCHEMA}.queue order by name`);
    const { rows: counts } = await db.executeSql(`select name, state::text as state, count(*)::int as n from ${JOBS_SCHEMA}.job group by 1, 2`);
    const { rows: failures } = await db.executeSql(
      `select name, id::text as id, completed_on as at, output->>'message' as message from (
         select *, row_number() over (partition by name order by completed_on desc) as rank
         from ${JOBS_SCHEMA}.job where state = 'failed') newest
       where rank <= $1 order by name, completed_on desc`,
      [failuresPerQueue],
    );
    return queues.map((q) => {
      const name = String(q.name);
      const countOf = (state: string) => Number(counts.find((c) => c.name === name && c.state === state)?.n ?? 0);
      return {
        name,
        deadLetter: (q.deadLetter as string | null) ?? undefined,
        pending: countOf('created') + countOf('retry'),
        active: countOf('active'),
        completed: countOf('completed'),
        failed: countOf('failed'),
        lastErrors: failures
          .filter((f) => f.name === name)
          .map((f) => ({ jobId: String(f.id), at: new Date(f.at as string).toISOString(), message: String(f.message ?? '') })),
      };
    });
  }

  /**
   * Jobs per queue and state that are not done (created, retry, active, failed): every queue has a
   * row for each of those states, zero included, so an empty queue still has series (metrics).
   */
  async queueDepth(): Promise<Array<{ queue: string; state: string; count: number }>> {
    const { rows } = await this.executor().executeSql(
      `select q.name as queue, s.state, coalesce(j.n, 0)::int as count
         from ${JOBS_SCHEMA}.queue q
         cross join unnest(array['created', 'retry', 'active', 'failed']) as s(state)
         left join (select name, state::text as state, count(*) as n from ${JOBS_SCHEMA}.job
                    where state in ('created', 'retry', 'active', 'failed') group by 1, 2) j
           on j.name = q.name and j.state = s.state
        order by 1, 2`,
    );
    return rows.map((r) => ({ queue: String(r.queue), state: String(r.state), count: Number(r.count) }));
  }

  /** The state of pg-boss's own connection pool (PostgreSQL only: the embedded engine shares the database's one connection). */
  poolStats(): { total: number; idle: number; waiting: number } | undefined {
    const pool = (this.boss.getDb() as { pool?: { totalCount: number; idleCount: number; waitingCount: number } }).pool;
    return pool ? { total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount } : undefined;
  }

  /**
   * Runs a failed job again: a job of `queue` by its id, or — for a dead-letter queue — the original
   * of the dead copy with that id (found by the event id the copy carries). The dead copies of the
   * job are removed. Returns the queue and id of the job retried, or undefined if there is none.
   */
  async retryFailed(queue: string, id: string): Promise<{ queue: string; id: string } | undefined> {
    const db = this.executor();
    let target = { queue, id };
    if (queue.endsWith('.dead')) {
      const { rows } = await db.executeSql(`select data->>'eventId' as "eventId" from ${JOBS_SCHEMA}.job where name = $1 and id = $2::uuid`, [queue, id]);
      const eventId = rows[0]?.eventId;
      if (typeof eventId !== 'string') return undefined;
      target = { queue: queue.slice(0, -'.dead'.length), id: eventId };
    }
    // pg-boss answers { affected } here although its types say void.
    const result = (await this.boss.retry(target.queue, target.id)) as unknown as { affected: number };
    if (result.affected === 0) return undefined;
    await db.executeSql(`delete from ${JOBS_SCHEMA}.job where name = $1 and data->>'eventId' = $2`, [`${target.queue}.dead`, target.id]);
    this.wake(target.queue);
    return target;
  }

  /** pg-boss's own executor (the engine's pool), for reports and drain. */
  private executor(): SqlExecutor {
    return this.boss.getDb() as SqlExecutor;
  }

  private async ensureQueue(queue: string, policy: QueuePolicy, existing: ReadonlySet<string>): Promise<void> {
    const dead = `${queue}.dead`;
    const options = {
      policy: 'standard' as const,
      retryLimit: policy.retryLimit ?? 8,
      retryDelay: policy.retryDelaySeconds ?? 2,
      retryBackoff: policy.retryBackoff ?? true,
      expireInSeconds: policy.expireInSeconds ?? 300,
      // Completed jobs are kept a day, failed ones (and the dead-letter copies) two weeks.
      retentionMinutes: 14 * 24 * 60,
    };
    // The dead-letter queue must exist first (the queue's row references it).
    if (!existing.has(dead)) await this.boss.createQueue(dead, { name: dead, policy: 'standard', retentionMinutes: options.retentionMinutes });
    if (existing.has(queue)) await this.boss.updateQueue(queue, { name: queue, ...options, deadLetter: dead });
    else await this.boss.createQueue(queue, { name: queue, ...options, deadLetter: dead });
  }

  private async work(queue: string, handler: JobHandler): Promise<void> {
    const workers = queue.startsWith('cron.') ? 1 : 2;
    const ids: string[] = [];
    for (let i = 0; i < workers; i++) {
      ids.push(
        await this.boss.work(
          queue,
          { batchSize: queue.startsWith('cron.') ? 1 : this.options.batchSize, pollingIntervalSeconds: this.options.pollingSeconds, includeMetadata: true },
          (jobs) => this.track(this.runBatch(queue, handler, jobs as unknown as RunningJob[])),
        ),
      );
    }
    this.workerIds.set(queue, ids);
  }

  /**
   * Runs a fetched batch one job at a time. A failing job is failed on its own (retried with
   * backoff, then dead-lettered); the rest of the batch completes when this returns.
   */
  private async runBatch(queue: string, handler: JobHandler, jobs: RunningJob[]): Promise<void> {
    // A full batch means a backlog: every worker of the queue (this one too) fetches again as soon as
    // it is free instead of after its polling interval, which would cap a queue at
    // workers × batch size per interval (40 jobs/s at the defaults) however fast its handler is.
    // (A cron queue fetches one run at a time: it never has a backlog to wake for.)
    if (!queue.startsWith('cron.') && jobs.length >= this.options.batchSize) this.wake(queue);
    for (const job of jobs) {
      const started = performance.now();
      try {
        await handler(job);
        this.options.observe?.(queue, 'completed', (performance.now() - started) / 1000);
      } catch (err) {
        this.options.observe?.(queue, 'failed', (performance.now() - started) / 1000);
        this.options.logger.error({ err, queue, jobId: job.id, retryCount: job.retryCount }, 'job failed');
        await this.boss.fail(queue, job.id, errorOutput(err));
      }
    }
  }

  private async track(run: Promise<void>): Promise<void> {
    this.running.add(run);
    try {
      await run;
    } finally {
      this.running.delete(run);
    }
  }
}

/** The queue a cron job's runs go through. */
export function cronQueue(name: string): string {
  return `cron.${name}`;
}

/** What a failed job keeps as its output: the error's name and message (never its data). */
function errorOutput(err: unknown): object {
  if (err instanceof Error) return { name: err.name, message: err.message, stack: err.stack?.split('\n').slice(0, 8).join('\n') };
  return { message: String(err) };
}

export interface JobEngineConnection {
  database: Database;
  /** PostgreSQL: pg-boss opens its own pool of this size; the embedded database shares its one connection. */
  postgresUrl?: string;
  poolSize: number;
  /** Maintenance (expiry, archiving) and cron monitoring run in consuming processes only. */
  consume: boolean;
  /** Cron monitoring (the timekeeper) too, unless the schedules are off. */
  cron?: boolean;
}

/** A pg-boss on the application's database (see {@link JobEngine}). */
export function openPgBoss(connection: JobEngineConnection): PgBoss {
  const common = {
    schema: JOBS_SCHEMA,
    supervise: connection.consume,
    schedule: connection.consume && connection.cron !== false,
    migrate: true,
    // Completed jobs move to the archive after an hour, failed ones after two weeks (npm run jobs shows them).
    archiveCompletedAfterSeconds: 3600,
    archiveFailedAfterSeconds: 14 * 24 * 3600,
    deleteAfterDays: 7,
  };
  if (connection.postgresUrl) {
    return new PgBoss({ ...common, connectionString: connection.postgresUrl, max: connection.poolSize, application_name: 'tribe-jobs' });
  }
  return new PgBoss({ ...common, db: { executeSql: (text: string, values?: unknown[]) => connection.database.runSql(text, values) } });
}

/** Creates or upgrades the job engine's schema (`pgboss`) on the database: part of the migrations. */
export async function migrateJobSchema(database: Database, postgresUrl?: string): Promise<void> {
  const boss = openPgBoss({ database, postgresUrl, poolSize: 1, consume: false });
  await boss.start();
  await boss.stop({ graceful: false, close: true, wait: true });
}
