import { sql, type SQL } from 'drizzle-orm';
import type { Db } from '../db/database.js';

/** pg-boss's database port: raw SQL text with `$n` parameters; multi-statement scripts come without values. */
export interface SqlExecutor {
  executeSql(text: string, values?: unknown[]): Promise<{ rows: Array<Record<string, unknown>> }>;
}

/**
 * The text with its `$n` placeholders turned into Drizzle parameters, so pg-boss's statements run
 * through a Drizzle handle: a transaction's (enqueueing with the write that owes the job) or the
 * root one. A placeholder that appears twice becomes two parameters with the same value.
 */
export function sqlWithPositionalParams(text: string, values: readonly unknown[]): SQL {
  const query = sql.empty();
  let last = 0;
  for (const match of text.matchAll(/\$(\d+)/g)) {
    const index = Number(match[1]) - 1;
    if (index < 0 || index >= values.length) continue;
    query.append(sql.raw(text.slice(last, match.index)));
    query.append(sql`${sql.param(values[index])}`);
    last = match.index + match[0].length;
  }
  query.append(sql.raw(text.slice(last)));
  return query;
}

/** pg-boss's executor over a Drizzle handle (a transaction: what runs through it commits or rolls back with it). */
export function drizzleExecutor(db: Db): SqlExecutor {
  return {
    async executeSql(text, values = []) {
      const result = (await db.execute(sqlWithPositionalParams(text, values))) as unknown as { rows?: Array<Record<string, unknown>> };
      return { rows: result.rows ?? [] };
    },
  };
}
