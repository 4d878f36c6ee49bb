/** Thrown when work could not get the (embedded) database connection within its wait budget. */
export class DatabaseAcquireTimeoutError extends Error {
  readonly code = 'DB_ACQUIRE_TIMEOUT';

  constructor(readonly waitedMs: number) {
    super(`timeout exceeded when waiting ${waitedMs} ms for the embedded database connection`);
    this.name = 'DatabaseAcquireTimeoutError';
  }
}

/**
 * One piece of work at a time, in arrival order — PGlite's own rule for its single connection —
 * except that a waiter not started within its wait budget fails with {@link DatabaseAcquireTimeoutError}
 * and is dropped from the queue, so it never runs later (a request answered 503 wrote nothing).
 */
export class ConnectionGate {
  private busy = false;
  private readonly queue: Array<() => void> = [];

  /** Runs `work` once the connection is free; waits at most `waitMs` for that (0 = no limit). */
  async run<T>(waitMs: number, work: () => Promise<T>): Promise<T> {
    await this.acquire(waitMs);
    try {
      return await work();
    } finally {
      this.release();
    }
  }

  /** Work waiting for the connection (tests, metrics). */
  get waiting(): number {
    return this.queue.length;
  }

  /** Whether work holds the connection now (metrics). */
  get inUse(): boolean {
    return this.busy;
  }

  private acquire(waitMs: number): Promise<void> {
    if (!this.busy) {
      this.busy = true;
      return Promise.resolve();
    }
    return new Promise((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      const start = () => {
        if (timer) clearTimeout(timer);
        resolve();
      };
      if (waitMs > 0) {
        timer = setTimeout(() => {
          const index = this.queue.indexOf(start);
          if (index !== -1) this.queue.splice(index, 1);
          reject(new DatabaseAcquireTimeoutError(waitMs));
        }, waitMs);
      }
      this.queue.push(start);
    });
  }

  private release(): void {
    const next = this.queue.shift();
    if (next) next();
    else this.busy = false;
  }
}
