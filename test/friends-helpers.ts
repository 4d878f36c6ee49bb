import { sql } from 'drizzle-orm';
import type { LightMyRequestResponse } from 'fastify';
import type { AppContext } from '../src/context.js';
import { FriendsService } from '../src/features/friends/friends.service.js';
import type { FriendRequestAudience } from '../src/features/privacy/privacy.vocabulary.js';
import { queryRows } from '../src/infra/db/rows.js';
import { makeUser, type TestUser } from './factories.js';
import type { TestApp } from './harness.js';
import { http } from './http.js';

/** Test helpers of the friends feature: HTTP shorthands and social-graph fixtures. */

/** The app's FriendsService (as context wires it), or one built on the same adapters. */
export function friendsServiceOf(ctx: AppContext): FriendsService {
  const wired = (ctx.services as unknown as { friends?: FriendsService }).friends;
  return wired ?? new FriendsService(ctx.database, ctx.bus, ctx.clock, ctx.services.privacy);
}

export interface Http {
  get(url: string, who?: TestUser): Promise<LightMyRequestResponse>;
  post(url: string, who?: TestUser, payload?: object): Promise<LightMyRequestResponse>;
  put(url: string, who?: TestUser): Promise<LightMyRequestResponse>;
  del(url: string, who?: TestUser): Promise<LightMyRequestResponse>;
}

/** test/http.ts's shorthands in the friends tests' argument order (who before the body). */
export function httpOf(t: TestApp): Http {
  const shared = http(() => t);
  return {
    get: shared.get,
    post: (url, who, payload) => shared.post(url, payload, who),
    put: (url, who) => shared.put(url, undefined, who),
    del: shared.del,
  };
}

type Tuple<T, N extends number, R extends T[] = []> = R['length'] extends N ? R : Tuple<T, N, [T, ...R]>;

/** `count` new users (named `names[i]` where given), typed as a tuple so they destructure cleanly. */
export async function makeUsers<N extends number>(ctx: AppContext, count: N, names: string[] = []): Promise<Tuple<TestUser, N>> {
  const out: TestUser[] = [];
  for (let i = 0; i < count; i++) out.push(await makeUser(ctx, names[i] ? { fullName: names[i] } : {}));
  return out as Tuple<TestUser, N>;
}

export const UNKNOWN_ID = '00000000-0000-4000-8000-000000000000';

/** `from` asks `to` through the API; returns the new request's id. */
export async function requestFriendship(t: TestApp, from: TestUser, to: TestUser): Promise<string> {
  const res = await httpOf(t).post('/api/v1/friends/requests', from, { user_id: to.id });
  if (res.statusCode !== 201) throw new Error(`friend request failed: ${res.statusCode} ${res.body}`);
  return res.json().id as string;
}

/** A pending request row inserted directly (no policy, no rate limit). */
export async function makePendingRequest(ctx: AppContext, from: TestUser, to: TestUser): Promise<string> {
  const [row] = await queryRows<{ id: string }>(
    ctx.database.db,
    sql`insert into friendships (user_id, friend_id, status) values (${from.id}, ${to.id}, 'pending') returning id`,
  );
  return row!.id;
}

export async function setFriendRequestAudience(ctx: AppContext, user: TestUser, audience: FriendRequestAudience): Promise<void> {
  await ctx.database.db.execute(sql`insert into user_settings (user_id, who_can_send_friend_requests)
    values (${user.id}, ${audience})
    on conflict (user_id) do update set who_can_send_friend_requests = excluded.who_can_send_friend_requests`);
}

export async function setUserFlags(
  ctx: AppContext,
  user: TestUser,
  flags: Partial<{ onlineStatusVisible: boolean; appearInSuggestions: boolean; lastSeenAt: Date | null; fullName: string }>,
): Promise<void> {
  const db = ctx.database.db;
  if (flags.onlineStatusVisible !== undefined) {
    await db.execute(sql`update users set online_status_visible = ${flags.onlineStatusVisible} where id = ${user.id}`);
  }
  if (flags.appearInSuggestions !== undefined) {
    await db.execute(sql`update users set appear_in_suggestions = ${flags.appearInSuggestions} where id = ${user.id}`);
  }
  if (flags.lastSeenAt !== undefined) {
    const at = flags.lastSeenAt ? flags.lastSeenAt.toISOString() : null;
    await db.execute(sql`update users set last_seen_at = ${at}::timestamptz where id = ${user.id}`);
  }
  if (flags.fullName !== undefined) {
    await db.execute(sql`update users set full_name = ${flags.fullName} where id = ${user.id}`);
  }
}

/** Sets when two friends became friends. */
export async function setFriendshipSince(ctx: AppContext, a: TestUser, b: TestUser, at: Date): Promise<void> {
  await ctx.database.db.execute(sql`update friendships set accepted_at = ${at.toISOString()}::timestamptz
    where (user_id = ${a.id} and friend_id = ${b.id}) or (user_id = ${b.id} and friend_id = ${a.id})`);
}

/** A goal in `category` created by the first participant, joined by all of them (left_at null). */
export async function makeGoalWith(ctx: AppContext, category: string, participants: TestUser[]): Promise<string> {
  const [creator] = participants;
  if (!creator) throw new Error('a goal needs a participant');
  const [goal] = await queryRows<{ id: string }>(
    ctx.database.db,
    sql`insert into goals (creator_id, title, category, goal_type)
      values (${creator.id}, ${`A ${category} goal`}, ${category}, 'group') returning id`,
  );
  for (const p of participants) {
    await ctx.database.db.execute(sql`insert into goal_participants (goal_id, user_id, role)
      values (${goal!.id}, ${p.id}, ${p === creator ? 'creator' : 'member'})`);
  }
  return goal!.id;
}

/** The friendship rows between two users (to prove "exactly one row"). */
export async function rowsBetween(ctx: AppContext, a: TestUser, b: TestUser): Promise<Array<{ id: string; status: string; user_id: string }>> {
  return queryRows(
    ctx.database.db,
    sql`select id, status, user_id from friendships
      where (user_id = ${a.id} and friend_id = ${b.id}) or (user_id = ${b.id} and friend_id = ${a.id})`,
  );
}
