import type { Logger } from 'pino';

/**
 * Keeps a long-running process (API, worker) alive through a promise rejection nobody handled — a
 * dependency's client failing a command while it is away — after logging it. A process that died of
 * one would stay dead until restarted by hand; every path that can be handled is handled where it
 * happens, and this is the last line. Uncaught exceptions still end the process (state unknown).
 */
export function surviveUnhandledRejections(logger: Pick<Logger, 'error'>): void {
  process.on('unhandledRejection', (reason: unknown) => {
    logger.error({ err: reason }, 'unhandled promise rejection (process kept running)');
  });
}
