/**
 * The kinds of failure domain code can report. http/error-handler.ts is the only place that turns a
 * kind into an HTTP status; services never think in status codes.
 */
export type AppErrorKind =
  | 'bad_request'
  | 'unauthorized'
  | 'forbidden'
  | 'not_found'
  | 'conflict'
  | 'too_large'
  | 'unsupported_media'
  | 'validation'
  | 'rate_limited'
  | 'unavailable';

export interface AppErrorDetail {
  field?: string;
  message: string;
  [key: string]: unknown;
}

/** A failure the client can act on, with a stable snake_case `code`. */
export class AppError extends Error {
  constructor(
    readonly kind: AppErrorKind,
    readonly code: string,
    message: string,
    readonly details: AppErrorDetail[] = [],
    /** Seconds until a retry may succeed (rate limits). */
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
    this.name = 'AppError';
  }
}

/** A 422 for one or more named fields. */
export function validationError(code: string, details: AppErrorDetail[], message?: string): AppError {
  return new AppError('validation', code, message ?? details.map((d) => d.message).join('; '), details);
}

/**
 * A 422 for one field with the feature's own code (`invalid_title`, `invalid_participants`, or the
 * generic `validation_failed`): the one helper every feature's rule checks throw.
 */
export function invalidField(code: string, field: string, message: string): AppError {
  return validationError(code, [{ field, message }]);
}

export function notFound(code: string, message: string): AppError {
  return new AppError('not_found', code, message);
}
