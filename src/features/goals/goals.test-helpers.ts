/** Helpers shared by the goals feature's tests (not a test file itself). */
import { sql } from 'drizzle-orm';
import type { AppContext } from '../../context.js';
import type { PartnershipStatus } from '../partners/partners.vocabulary.js';
import { makeFriends, type TestUser } from '../../../test/factories.js';
import type { TestApp } from '../../../test/harness.js';

/** Test apps of the goals tests run without the global write budget (they write a lot per user). */
export const NO_RATE_LIMITS = { RATE_LIMIT_ENABLED: 'false' };

export const UNKNOWN_ID = '00000000-0000-4000-8000-000000000000';

/** Creates a goal through the API and returns its JSON (fails the test on anything but 201). */
export async function createGoal(t: TestApp, who: TestUser, body: Record<string, unknown> = {}): Promise<GoalJson> {
  const res = await t.app.inject({
    method: 'POST',
    url: '/api/v1/goals',
    headers: who.auth,
    payload: { title: 'Save for a bike', goal_type: 'individual', target_type: 'amount', target_amount: 100, ...body },
  });
  if (res.statusCode !== 201) throw new Error(`createGoal: ${res.statusCode} ${res.body}`);
  return res.json<GoalJson>();
}

/**
 * An accountability partnership `a` proposed to `b`, in `status`, made through the partners service
 * as the app makes it (propose, accept, then pause or end), so its events are published and handled.
 * Only friends may partner (and unfriending ends a partnership), so two users who are not friends
 * yet become friends first, through makeFriends.
 */
export async function makePartners(ctx: AppContext, a: TestUser, b: TestUser, status: PartnershipStatus = 'active') {
  if (!(await ctx.services.friends.areFriends(a.id, b.id))) await makeFriends(ctx, a, b);
  const partners = ctx.services.partners;
  const { row } = await partners.propose(a.id, b.id, 'weekly');
  if (status !== 'pending') await partners.accept(b.id, row.id);
  if (status === 'paused') await partners.changeStatus(a.id, row.id, 'pause');
  if (status === 'ended') await partners.changeStatus(a.id, row.id, 'end');
  await ctx.bus.drain();
}

/**
 * Only the partnership row, without the friendship the app requires first and without events: for
 * the rule tests that keep "partner" and "friend" apart (an active partnership between non-friends
 * is a state the app never makes). Everything else partners through makePartners.
 */
export async function makePartnershipRowOnly(ctx: AppContext, a: TestUser, b: TestUser, status: PartnershipStatus = 'active') {
  await ctx.database.db.execute(
    sql`insert into accountability_partners (user_id, partner_id, status, requested_by) values (${a.id}, ${b.id}, ${status}, ${a.id})`,
  );
}

export async function scalar<T = unknown>(ctx: AppContext, query: ReturnType<typeof sql>): Promise<T> {
  const result = (await ctx.database.db.execute(query)) as unknown as { rows: Array<Record<string, unknown>> };
  const row = result.rows[0] ?? {};
  return Object.values(row)[0] as T;
}

export async function goalsAchieved(ctx: AppContext, user: TestUser): Promise<number> {
  return Number(await scalar(ctx, sql`select goals_achieved from users where id = ${user.id}`));
}

export interface GoalJson {
  id: string;
  creator_id: string;
  title: string;
  status: string;
  current_amount: number;
  progress_percentage: number;
  target_amount: number | null;
  my_role: string | null;
  participants: Array<{ user_id: string; role: string; contribution_amount: number; username: string }>;
  milestones: Array<{ id: string; title: string; achieved: boolean; achieved_by: string | null; target_value: number | null; order_index: number | null }>;
  recent_contributions: Array<{ id: string; amount: number; user: { id: string } }>;
  [key: string]: unknown;
}
