/** What is known about a failure worth reporting; never headers, bodies or query strings. */
export interface ErrorReport {
  error: unknown;
  /** Where it surfaced: an HTTP request's 500, or the process guards (an unhandled rejection). */
  source: 'http' | 'unhandled_rejection';
  /** The request's method and route pattern (`/api/v1/posts/:postId`), never the URL itself. */
  request?: { method: string; route: string; requestId?: string };
  /** The authenticated caller's id; nothing else about the user. */
  userId?: string;
}

/**
 * The error-reporting port: `report` hands a failure to a crash-report service without waiting
 * (it never throws and never delays its caller); `flush` waits, bounded, for reports in flight.
 */
export interface ErrorReporter {
  readonly enabled: boolean;
  report(report: ErrorReport): void;
  flush(timeoutMs: number): Promise<void>;
}

/** The reporter when SENTRY_DSN is unset: failures are only logged. */
export const noErrorReporting: ErrorReporter = {
  enabled: false,
  report: () => undefined,
  flush: () => Promise.resolve(),
};
