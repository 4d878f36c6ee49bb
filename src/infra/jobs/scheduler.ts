import type { Clock } from '../clock/clock.js';
import type { LockPort } from './lock.js';

/** A recurring job. Jobs derive their work from database state, so a missed or repeated run is harmless. */
export interface PeriodicJob {
  name: string;
  /** How often the job runs. */
  everyMs: number;
  /** Where periods start, from the epoch (e.g. 2 h with a 24 h period: every day at 02:00 UTC). */
  offsetMs?: number;
  /** The longest one run may take; another process may start it again after that. */
  timeoutMs?: number;
  run(now: Date): Promise<void>;
}

export interface SchedulerLogger {
  info(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

/**
 * Runs periodic jobs in the process that starts it (the worker, or the API in the embedded mode).
 * Each period of each job runs in one process only, even with several workers: the period's lock
 * is taken through the lock port (Redis when configured) and kept until the period ends.
 */
export class Scheduler {
  private readonly jobs = new Map<string, PeriodicJob>();
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly running = new Set<Promise<void>>();

  constructor(
    private readonly lock: LockPort,
    private readonly clock: Clock,
    private readonly logger: SchedulerLogger,
    private readonly tickMs = 30_000,
  ) {}

  register(job: PeriodicJob): void {
    if (this.jobs.has(job.name)) throw new Error(`job ${job.name} is registered twice`);
    this.jobs.set(job.name, job);
  }

  get registered(): string[] {
    return [...this.jobs.keys()];
  }

  /** Starts checking for due jobs every tick; the first check happens at once. */
  start(): void {
    // A tick that cannot take its lock (Redis away) is logged and skipped; the next tick tries again,
    // so the jobs resume on their own once the lock store is back.
    const tick = () => {
      for (const job of this.jobs.values()) {
        this.runIfDue(job).catch((err: unknown) => this.logger.error({ err, job: job.name }, 'scheduler tick failed'));
      }
    };
    tick();
    const timer = setInterval(tick, this.tickMs);
    timer.unref();
    this.timers.push(timer);
  }

  /** Runs the job if this period's run has not happened in any process yet. Resolves when done. */
  async runIfDue(job: PeriodicJob): Promise<boolean> {
    const now = this.clock.now();
    const period = Math.floor((now.getTime() - (job.offsetMs ?? 0)) / job.everyMs);
    const release = await this.lock.tryAcquire(`job:${job.name}:${period}`, job.everyMs);
    if (!release) return false;
    await this.track(this.execute(job, now));
    return true;
  }

  /** Runs a job now regardless of its period (operators, tests). */
  async runNow(name: string): Promise<void> {
    const job = this.jobs.get(name);
    if (!job) throw new Error(`no job named ${name}`);
    await this.track(this.execute(job, this.clock.now()));
  }

  private async execute(job: PeriodicJob, now: Date): Promise<void> {
    const started = Date.now();
    try {
      await job.run(now);
      this.logger.info({ job: job.name, ms: Date.now() - started }, 'job finished');
    } catch (err) {
      this.logger.error({ err, job: job.name }, 'job failed');
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

  /** Stops scheduling and waits for runs in progress. */
  async stop(): Promise<void> {
    for (const timer of this.timers.splice(0)) clearInterval(timer);
    await Promise.allSettled([...this.running]);
  }
}
