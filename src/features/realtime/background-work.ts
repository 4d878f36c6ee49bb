import type { Logger } from 'pino';

/**
 * Fire-and-forget work of the realtime service (heartbeats, presence announcements, typing expiry):
 * failures are logged, never thrown, and shutdown can wait for what is still running.
 */
export class BackgroundWork {
  private readonly pending = new Set<Promise<unknown>>();

  constructor(private readonly logger: Logger) {}

  track<T>(work: Promise<T>): void {
    const p = work.catch((err: unknown) => this.logger.warn({ err }, 'realtime background work failed'));
    this.pending.add(p);
    void p.finally(() => this.pending.delete(p));
  }

  /** Resolves when everything tracked so far has settled, or after `timeoutMs`, whichever is first. */
  async settle(timeoutMs: number): Promise<void> {
    await Promise.race([Promise.allSettled([...this.pending]), new Promise((resolve) => setTimeout(resolve, timeoutMs).unref())]);
  }
}
