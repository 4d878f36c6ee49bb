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
