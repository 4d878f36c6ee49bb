import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';

/** After the drain budget, the pools get this long to close before the process gives up on them. */
export const CLOSE_POOLS_GRACE_MS = 5_000;

/**
 * The API's graceful stop (SIGTERM, SIGINT): `app.close()` closes every WebSocket with 1001 (the
 * gateway's preClose), stops accepting connections, ends the idle kept-alive ones and lets the
 * requests in flight finish, refusing new ones with 503 (http/drain.ts); a request still running
 * after `drainTimeoutMs` has its connection cut. Then `closeRest` closes the pools. Resolves true
 * when everything closed within its budget, false when a connection had to be cut or a close failed.
 */
export async function shutDownGracefully(
  app: FastifyInstance,
  closeRest: () => Promise<void>,
  drainTimeoutMs: number,
  logger: Logger,
): Promise<boolean> {
  let clean = true;
  const cutOff = setTimeout(() => {
    clean = false;
    logger.warn({ drainTimeoutMs }, 'shutdown: requests still in flight after the drain budget; closing their connections');
    app.server.closeAllConnections();
  }, drainTimeoutMs);
  try {
    await app.close();
  } catch (err) {
    clean = false;
    logger.error({ err }, 'shutdown: closing the HTTP server failed');
  } finally {
    clearTimeout(cutOff);
  }
  try {
    await closeRest();
  } catch (err) {
    clean = false;
    logger.error({ err }, 'shutdown: closing the connections to the database and Redis failed');
  }
  return clean;
}
