interface PgLikeError {
  code?: string;
  constraint?: string;
  cause?: unknown;
}

/** The name of the unique constraint/index an insert or update violated, if that is what failed. */
export function violatedUniqueConstraint(err: unknown): string | undefined {
  let current: unknown = err;
  for (let depth = 0; depth < 5 && current && typeof current === 'object'; depth++) {
    const e = current as PgLikeError;
    if (e.code === '23505') return e.constraint ?? 'unknown';
    current = e.cause;
  }
  return undefined;
}
