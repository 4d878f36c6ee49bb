import type { Redis } from 'ioredis';
import type { Logger } from 'pino';

/** How long startup waits for a configured Redis before going on without it. */
const STARTUP_WAIT_MS = 5_000;

/**
 * Waits (up to 5 s) until the client is ready: with the offline queue off, commands sent before the
 * connection is up would fail, so a process that can reach Redis starts with it. One that cannot
 * starts anyway on the fallbacks, and the client keeps reconnecting in the background.
 */
export async function waitForRedis(redis: Redis, logger: Pick<Logger, 'warn'>): Promise<void> {
  if (redis.status === 'ready') return;
  // Connection errors meanwhile are the client's to retry (and its 'error' listener's to log).
  const outcome = await new Promise<'ready' | 'timeout'>((resolve) => {
    const onReady = () => {
      clearTimeout(timer);
      resolve('ready');
    };
    const timer = setTimeout(() => {
      redis.off('ready', onReady);
      resolve('timeout');
    }, STARTUP_WAIT_MS);
    timer.unref();
    redis.once('ready', onReady);
  });
  if (outcome === 'timeout') logger.warn({ waitedMs: STARTUP_WAIT_MS }, 'redis not reachable at startup: starting on the fallbacks');
}
