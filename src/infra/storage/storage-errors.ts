/**
 * Errors of the media storage that mean "the storage is unavailable", not "this request is wrong":
 * the API answers them 503 storage_unavailable (http/error-handler.ts) and names the real cause in
 * the log. Anything else (a missing source file, a bad key) stays a bug: 500.
 */

/** errno codes of a disk that cannot take writes (a read-only, full, broken or missing volume). */
export const UNAVAILABLE_DISK_ERRNOS: Readonly<Record<string, string>> = {
  EROFS: 'read-only file system',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted (e.g. an immutable directory)',
  ENOSPC: 'no space left on device',
  EDQUOT: 'disk quota exceeded',
  EIO: 'input/output error',
  ENOTDIR: 'a path component is not a directory (the volume is not mounted as expected)',
};

/** Socket-level failures reaching an S3 endpoint. */
const NETWORK_ERRNOS = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);
/** S3 error names that mean the service (not the request) failed. */
const S3_SERVICE_ERRORS = new Set(['ServiceUnavailable', 'SlowDown', 'InternalError', 'RequestTimeout', 'TimeoutError']);

/** Thrown by the storage adapters when the storage itself fails; `reason` names the errno or S3 error. */
export class StorageUnavailableError extends Error {
  constructor(
    readonly operation: string,
    readonly reason: string,
    options: { cause: unknown },
  ) {
    const detail = options.cause instanceof Error ? options.cause.message : String(options.cause);
    super(`storage unavailable: ${operation} failed with ${reason}: ${detail}`, options);
    this.name = 'StorageUnavailableError';
  }
}

interface ErrorLike {
  code?: unknown;
  name?: unknown;
  errors?: unknown;
  cause?: unknown;
  $metadata?: { httpStatusCode?: unknown };
}

/** The errors in `err`: itself, its causes and an AggregateError's members (a few levels deep). */
function* errorsIn(err: unknown, depth = 0): Generator<ErrorLike> {
  if (!err || typeof err !== 'object' || depth > 4) return;
  const e = err as ErrorLike;
  yield e;
  if (Array.isArray(e.errors)) for (const inner of e.errors) yield* errorsIn(inner, depth + 1);
  yield* errorsIn(e.cause, depth + 1);
}

/** Why a disk or S3 error means the storage is unavailable (e.g. "EROFS (read-only file system)"), or undefined. */
export function storageUnavailableReason(err: unknown): string | undefined {
  for (const e of errorsIn(err)) {
    const code = typeof e.code === 'string' ? e.code : undefined;
    if (code && UNAVAILABLE_DISK_ERRNOS[code]) return `${code} (${UNAVAILABLE_DISK_ERRNOS[code]})`;
    if (code && NETWORK_ERRNOS.has(code)) return code;
    const status = e.$metadata?.httpStatusCode;
    const name = typeof e.name === 'string' ? e.name : undefined;
    if (typeof status === 'number' && status >= 500) return `S3 ${status}${name ? ` ${name}` : ''}`;
    if (name && S3_SERVICE_ERRORS.has(name)) return `S3 ${name}`;
  }
  return undefined;
}

/** Runs a storage operation, turning a storage-unavailable failure into {@link StorageUnavailableError}. */
export async function guardStorage<T>(operation: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (err instanceof StorageUnavailableError) throw err;
    const reason = storageUnavailableReason(err);
    throw reason ? new StorageUnavailableError(operation, reason, { cause: err }) : err;
  }
}
