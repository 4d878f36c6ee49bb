import { databaseUnavailable } from './db/errors.js';
import { StorageUnavailableError } from './storage/storage-errors.js';

/** A request failed because a dependency is unavailable (or its budget ran out), not because of a bug. */
export interface DependencyFailure {
  dependency: 'database' | 'redis' | 'storage';
  /** The real cause, for the log: an SQLSTATE, an errno, a driver's message. */
  reason: string;
  /** What a client should wait before retrying (the Retry-After header). */
  retryAfterSeconds: number;
}

/** Over a budget (lock held, statement too slow): contention passes quickly. */
const RETRY_AFTER_TIMEOUT_S = 1;
/** A dependency down or restarting: the measured recoveries take a few seconds (docs/reliability.md). */
const RETRY_AFTER_OUTAGE_S = 5;
/** A read-only or full volume, an unreachable bucket: someone has to act. */
const RETRY_AFTER_STORAGE_S = 30;

/** ioredis's errors for a command that could not be sent or answered (commandTimeout, no offline queue, retries used up). */
const REDIS_MESSAGES = /^(Connection is closed\.|Command timed out|Stream isn't writeable|Reached the max retries per request limit)/;
/** Redis server replies that mean "not now" (loading, a read-only replica, out of memory, busy script). */
const REDIS_REPLIES = /^(LOADING|READONLY|MASTERDOWN|CLUSTERDOWN|TRYAGAIN|BUSY|OOM)\b/;

function redisUnavailable(err: unknown): string | undefined {
  let current: unknown = err;
  for (let depth = 0; depth < 5 && current && typeof current === 'object'; depth++) {
    const e = current as { name?: unknown; message?: unknown; cause?: unknown };
    const message = typeof e.message === 'string' ? e.message : '';
    if (e.name === 'MaxRetriesPerRequestError' || REDIS_MESSAGES.test(message)) return message.slice(0, 120);
    if (e.name === 'ReplyError' && REDIS_REPLIES.test(message)) return message.slice(0, 120);
    current = e.cause;
  }
  return undefined;
}

/**
 * The one question http asks of an unknown error: is this a dependency being unavailable? The
 * drivers' details live beside their adapters (db/errors.ts, storage/storage-errors.ts); this
 * only puts them together. Undefined means a real bug (a 500).
 */
export function dependencyFailure(err: unknown): DependencyFailure | undefined {
  let current: unknown = err;
  for (let depth = 0; depth < 5 && current && typeof current === 'object'; depth++) {
    if (current instanceof StorageUnavailableError) {
      return { dependency: 'storage', reason: `${current.operation}: ${current.reason}`, retryAfterSeconds: RETRY_AFTER_STORAGE_S };
    }
    current = (current as { cause?: unknown }).cause;
  }
  const redis = redisUnavailable(err);
  if (redis) return { dependency: 'redis', reason: redis, retryAfterSeconds: RETRY_AFTER_OUTAGE_S };
  const database = databaseUnavailable(err);
  if (database) {
    return {
      dependency: 'database',
      reason: database.reason,
      retryAfterSeconds: database.kind === 'timeout' ? RETRY_AFTER_TIMEOUT_S : RETRY_AFTER_OUTAGE_S,
    };
  }
  return undefined;
}
