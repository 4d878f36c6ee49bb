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
