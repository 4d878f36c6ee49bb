import type { Logger } from 'pino';

/** How often, at most, one adapter logs that it is running on its fallback. */
const LOG_EVERY_MS = 10_000;

/**
 * Counts the calls a Redis-backed adapter answered from its fallback (Redis failed or timed out)
 * and logs them, at most once per 10 s per adapter, with the running count.
 */
export class RedisFallbacks {
  private readonly counts = new Map<string, number>();
  private readonly lastLogged = new Map<string, number>();

  constructor(private readonly logger: Pick<Logger, 'warn'>) {}

  /** Records one fallback of `adapter` caused by `err`. */
  note(adapter: string, err: unknown): void {
    const count = (this.counts.get(adapter) ?? 0) + 1;
    this.counts.set(adapter, count);
    const now = Date.now();
    if (now - (this.lastLogged.get(adapter) ?? 0) < LOG_EVERY_MS) return;
    this.lastLogged.set(adapter, now);
    const message = err instanceof Error ? err.message : String(err);
    this.logger.warn({ adapter, fallbacks: count, reason: message }, 'redis unavailable: using the in-process fallback');
  }

  /** Fallbacks so far, per adapter (for /readyz and tests). */
  snapshot(): Record<string, number> {
    return Object.fromEntries(this.counts);
  }
}
