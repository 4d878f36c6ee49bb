interface PgLikeError {
  code?: string;
  constraint?: string;
  cause?: unknown;
}

/** The constraint a statement violated with the given SQLSTATE, looking through wrapped causes. */
function violated(err: unknown, sqlState: string): string | undefined {
  let current: unknown = err;
  for (let depth = 0; depth < 5 && current && typeof current === 'object'; depth++) {
    const e = current as PgLikeError;
    if (e.code === sqlState) return e.constraint ?? 'unknown';
    current = e.cause;
  }
  return undefined;
}

/** The name of the unique constraint/index an insert or update violated, if that is what failed. */
export function violatedUniqueConstraint(err: unknown): string | undefined {
  return violated(err, '23505');
}

/** The name of the foreign key an insert or update violated (the referenced row is gone), if that is what failed. */
export function violatedForeignKey(err: unknown): string | undefined {
  return violated(err, '23503');
}

/** What may be logged of a database error: never the statement, its parameters or a row's values. */
export interface DatabaseErrorSummary {
  code: string;
  message: string;
  severity?: string;
  schema?: string;
  table?: string;
  column?: string;
  constraint?: string;
  routine?: string;
}

interface DriverError {
  code: string;
  message: string;
  severity?: unknown;
  schema?: unknown;
  table?: unknown;
  column?: unknown;
  constraint?: unknown;
  routine?: unknown;
  cause?: unknown;
}

// pg's DatabaseError and PGlite's error both carry the SQLSTATE and a severity; Drizzle wraps them
// in a DrizzleQueryError whose message holds the statement and its parameters.
function driverErrorIn(err: unknown): DriverError | undefined {
  let current: unknown = err;
  for (let depth = 0; depth < 5 && current && typeof current === 'object'; depth++) {
    const e = current as Partial<DriverError>;
    if (typeof e.code === 'string' && /^[0-9A-Z]{5}$/.test(e.code) && typeof e.severity === 'string' && typeof e.message === 'string') {
      return e as DriverError;
    }
    current = e.cause;
  }
  return undefined;
}

const text = (value: unknown) => (typeof value === 'string' && value !== '' ? value : undefined);

/** The database error in `err`'s cause chain reduced to its SQLSTATE, message and names (no `detail`: it quotes values). */
export function summarizeDatabaseError(err: unknown): DatabaseErrorSummary | undefined {
  const e = driverErrorIn(err);
  if (!e) return undefined;
  const summary: DatabaseErrorSummary = { code: e.code, message: e.message };
  for (const key of ['severity', 'schema', 'table', 'column', 'constraint', 'routine'] as const) {
    const value = text(e[key]);
    if (value !== undefined) summary[key] = value;
  }
  return summary;
}

/**
 * True when PostgreSQL refused a text value it cannot store: U+0000 in text (22021
 * character_not_in_repertoire, "invalid byte sequence") or a \u0000 escape in JSON (22P05).
 * The schemas refuse such text first (UserText); this is the last line behind them.
 */
export function isUnstorableText(err: unknown): boolean {
  const e = driverErrorIn(err);
  if (!e) return false;
  return e.code === '22021' || e.code === '22P05' || /invalid byte sequence/i.test(e.message);
}

/** SQLSTATEs that mean the database cannot serve the request now (retry later), not that it is wrong. */
export const UNAVAILABLE_SQLSTATES: Readonly<Record<string, string>> = {
  '57014': 'statement timeout (query_canceled)',
  '55P03': 'lock timeout (lock_not_available)',
  '25P03': 'idle-in-transaction timeout',
  '57P01': 'admin shutdown',
  '57P02': 'crash shutdown',
  '57P03': 'cannot connect now (starting up or shutting down)',
  '53300': 'too many connections',
  '53100': 'disk full',
  '53200': 'out of memory',
  '08000': 'connection exception',
  '08001': 'unable to establish connection',
  '08003': 'connection does not exist',
  '08004': 'connection rejected',
  '08006': 'connection failure',
  '58030': 'I/O error',
};

/** Socket errors of the database connection (pg surfaces them raw; Drizzle wraps them as a cause). */
const NETWORK_ERRNOS = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);

/** pg and pg-pool's own errors for a lost, closed or unobtainable connection (they carry no code). */
const CONNECTION_MESSAGES =
  /Connection terminated|timeout exceeded when trying to connect|is not queryable|Connection ended unexpectedly|terminating connection/i;

interface CodedError {
  code?: unknown;
  message?: unknown;
  errors?: unknown;
  cause?: unknown;
}

function* chainOf(err: unknown, depth = 0): Generator<CodedError> {
  if (!err || typeof err !== 'object' || depth > 4) return;
  const e = err as CodedError;
  yield e;
  // Node's connect to a host with several addresses fails with an AggregateError of each attempt.
  if (Array.isArray(e.errors)) for (const inner of e.errors) yield* chainOf(inner, depth + 1);
  yield* chainOf(e.cause, depth + 1);
}

/** What the database is unavailable for: a timeout (the request's budget ran out) or an outage. */
export interface DatabaseUnavailable {
  kind: 'timeout' | 'outage';
  /** For the log: "57014 statement timeout (query_canceled)", "ECONNREFUSED", "pool acquire timeout". */
  reason: string;
}

/**
 * Whether `err` means the database is unavailable or the request ran over its budget (statement,
 * lock or pool-acquire timeout; refused, reset or lost connections; shutdown, startup, too many
 * connections), looking through Drizzle's wrapper and AggregateErrors. Undefined for anything else:
 * a constraint violation, a syntax error, a bug.
 */
export function databaseUnavailable(err: unknown): DatabaseUnavailable | undefined {
  for (const e of chainOf(err)) {
    const code = typeof e.code === 'string' ? e.code : undefined;
    const message = typeof e.message === 'string' ? e.message : '';
    if (code === 'DB_ACQUIRE_TIMEOUT' || /timeout exceeded when trying to connect/i.test(message)) {
      return { kind: 'timeout', reason: 'pool acquire timeout' };
    }
    if (code && UNAVAILABLE_SQLSTATES[code]) {
      const kind = code === '57014' || code === '55P03' || code === '25P03' ? 'timeout' : 'outage';
      return { kind, reason: `${code} ${UNAVAILABLE_SQLSTATES[code]}` };
    }
    if (code && NETWORK_ERRNOS.has(code)) return { kind: 'outage', reason: code };
    if (CONNECTION_MESSAGES.test(message) && !/^Failed query:/.test(message)) return { kind: 'outage', reason: message.slice(0, 120) };
  }
  return undefined;
}
