import { sql } from 'drizzle-orm';
import { check, type AnyPgColumn } from 'drizzle-orm/pg-core';

/** What a vocabulary value may look like: the CHECK inlines it, so nothing that needs quoting beyond `'`. */
const VOCABULARY_VALUE = /^[a-z][a-z0-9_]*$/;

/**
 * The CHECK constraint of a closed vocabulary: `column IN ('a', 'b', ...)` built from the feature's
 * `const` array, so the database refuses exactly what the TypeScript type and the TypeBox schema
 * refuse. drizzle-kit stores a check's SQL text (no bind parameters), so the values are inlined as
 * literals; they are constants of the code, never input, and each must be a lower-case word.
 */
export function checkIn(name: string, column: AnyPgColumn, values: readonly string[]) {
  for (const value of values) {
    if (!VOCABULARY_VALUE.test(value)) throw new Error(`checkIn(${name}): ${JSON.stringify(value)} is not a vocabulary word`);
  }
  return check(name, sql`${column} IN (${sql.raw(values.map((value) => `'${value}'`).join(', '))})`);
}
