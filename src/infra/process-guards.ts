import type { Logger } from 'pino';
import { noErrorReporting, type ErrorReporter } from './error-reporting/error-reporter.js';

/**
 * Keeps a long-running process (API, worker) alive through a promise rejection nobody handled — a
 * dependency's client failing a command while it is away — after logging it. A process that died of
 * one would stay dead until restarted by hand; every path that can be handled is handled where it
 * happens, and this is the last line. Uncaught exceptions still end the process (state unknown).
 * Each rejection also goes to the error reporter (SENTRY_DSN), fire and forget.
 */
export function surviveUnhandledRejections(logger: Pick<Logger, 'error'>, errorReporter: ErrorReporter = noErrorReporting): void {
  process.on('unhandledRejection', (reason: unknown) => {
    logger.error({ err: reason }, 'unhandled promise rejection (process kept running)');
    errorReporter.report({ error: reason, source: 'unhandled_rejection' });
  });
}
