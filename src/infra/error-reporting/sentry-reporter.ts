import type { Logger } from 'pino';
import type { ErrorReport, ErrorReporter } from './error-reporter.js';
import type { SentryDsn } from './sentry-dsn.js';
import { sentryEnvelope, sentryEvent } from './sentry-event.js';

export interface SentryReporterOptions {
  dsn: SentryDsn;
  /** The package version (src/version.ts): the event's release is `tribe-backend@<version>`. */
  version: string;
  environment: string;
  appRoot: string;
  logger: Pick<Logger, 'warn'>;
  /** A send that has not completed within this is abandoned (default 3 s). */
  timeoutMs?: number;
  /** Reports in flight beyond this are dropped (an error storm must not pile up sockets). */
  maxInFlight?: number;
  now?: () => Date;
}

/**
 * Sends reports to a Sentry-compatible service as envelopes (`POST <origin>/api/<project>/envelope/`
 * with `X-Sentry-Auth`), fire and forget: `report` returns at once, a send is bounded by a timeout,
 * its failure is logged (never the DSN's key) and dropped. A 429 pauses sending for its Retry-After.
 * Small on purpose; docs/ARCHITECTURE.md says why this is not @sentry/node.
 */
export class SentryReporter implements ErrorReporter {
  readonly enabled = true;
  private readonly inFlight = new Set<Promise<void>>();
  private readonly timeoutMs: number;
  private readonly maxInFlight: number;
  private readonly now: () => Date;
  private readonly auth: string;
  private readonly release: string;
  private pausedUntil = 0;

  constructor(private readonly options: SentryReporterOptions) {
    this.timeoutMs = options.timeoutMs ?? 3_000;
    this.maxInFlight = options.maxInFlight ?? 20;
    this.now = options.now ?? (() => new Date());
    this.release = `tribe-backend@${options.version}`;
    this.auth = `Sentry sentry_version=7, sentry_key=${options.dsn.publicKey}, sentry_client=tribe/${options.version}`;
  }

  report(report: ErrorReport): void {
    try {
      if (this.inFlight.size >= this.maxInFlight || Date.now() < this.pausedUntil) return;
      const now = this.now();
      const event = sentryEvent(report, { release: this.release, environment: this.options.environment, appRoot: this.options.appRoot, now: () => now });
      const sending = this.send(sentryEnvelope(event, now)).finally(() => this.inFlight.delete(sending));
      this.inFlight.add(sending);
    } catch (err) {
      // Building the event must never fail the caller (an error handler, a process guard).
      this.options.logger.warn({ reason: err instanceof Error ? err.message : String(err) }, 'error report not built');
    }
  }

  async flush(timeoutMs: number): Promise<void> {
    if (this.inFlight.size === 0) return;
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, timeoutMs);
      timer.unref();
    });
    await Promise.race([Promise.allSettled([...this.inFlight]), deadline]);
    clearTimeout(timer);
  }

  private async send(envelope: string): Promise<void> {
    const { dsn, logger } = this.options;
    try {
      const response = await fetch(dsn.envelopeUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/x-sentry-envelope', 'x-sentry-auth': this.auth },
        body: envelope,
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      await response.body?.cancel().catch(() => undefined);
      if (response.status === 429) {
        const seconds = Number(response.headers.get('retry-after'));
        this.pausedUntil = Date.now() + (Number.isFinite(seconds) && seconds > 0 ? seconds : 60) * 1000;
      }
      if (!response.ok) logger.warn({ status: response.status, sentry: dsn.origin }, 'error report refused');
    } catch (err) {
      const reason = err instanceof Error ? (err.name === 'TimeoutError' ? `no answer within ${this.timeoutMs} ms` : err.message) : String(err);
      logger.warn({ reason, sentry: dsn.origin }, 'error report not delivered');
    }
  }
}
