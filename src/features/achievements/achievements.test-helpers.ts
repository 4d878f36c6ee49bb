/** Helpers shared by the achievements tests (not a test file itself). */
import { sql } from 'drizzle-orm';
import type { AppContext } from '../../context.js';
import { queryRows } from '../../infra/db/rows.js';
import { countRows, type TestUser } from '../../../test/factories.js';

export const SEEDED_CODES = [
  'first_goal',
  'first_contribution',
  'first_goal_completed',
  'goals_achieved_5',
  'goals_achieved_25',
  'first_group_goal_completed',
  'contribution_streak_7',
  'friends_10',
  'first_memory',
];

/** How many times the user holds the achievement (0 or 1 — the unique key allows no more). */
export function awards(ctx: AppContext, user: TestUser, code: string): Promise<number> {
  return countRows(
    ctx,
    `user_achievements ua join achievements a on a.id = ua.achievement_id where ua.user_id = '${user.id}' and a.code = '${code}'`,
  );
}

/** The codes the user holds, read from the table (no catch-up evaluation, unlike GET /achievements). */
export async function heldCodes(ctx: AppContext, user: TestUser): Promise<string[]> {
  const rows = await queryRows<{ code: string }>(
    ctx.database.db,
    sql`select a.code from user_achievements ua join achievements a on a.id = ua.achievement_id where ua.user_id = ${user.id} order by a.code`,
  );
  return rows.map((r) => r.code);
}

/** Adds a catalogue row (as an operator would, with SQL); returns its id. */
export async function addCatalogRow(ctx: AppContext, code: string, criteria: unknown, options: { active?: boolean; points?: number } = {}): Promise<string> {
  const [row] = await queryRows<{ id: string }>(
    ctx.database.db,
    sql`insert into achievements (code, name, description, category, points, criteria, is_active)
      values (${code}, ${`Test ${code}`}, 'added by a test', 'test', ${options.points ?? 5}, ${JSON.stringify(criteria)}::jsonb, ${options.active ?? true})
      returning id`,
  );
  return row!.id;
}
