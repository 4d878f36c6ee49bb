import { randomBytes } from 'node:crypto';
import { sql } from 'drizzle-orm';
import type { AppContext } from '../src/context.js';
import type { UserRow } from '../src/features/users/users.tables.js';
import { recordSecret } from './log-secrets.js';

export interface TestUser {
  user: UserRow;
  id: string;
  email: string;
  username: string;
  password: string;
  accessToken: string;
  refreshToken: string;
  auth: { authorization: string };
}

let counter = 0;

/** Registers a user through the auth service (not HTTP, so registration rate limits don't apply). */
export async function makeUser(
  ctx: AppContext,
  overrides: Partial<{ email: string; username: string; fullName: string; password: string; verified: boolean }> = {},
): Promise<TestUser> {
  counter += 1;
  const suffix = `${counter}${randomBytes(3).toString('hex')}`;
  const password = overrides.password ?? 'SecurePass123!';
  const session = await ctx.services.sessions.register(
    {
      email: overrides.email ?? `user${suffix}@example.com`,
      username: overrides.username ?? `user_${suffix}`,
      fullName: overrides.fullName ?? `Test User ${suffix}`,
      password,
      confirmPassword: password,
    },
    { ip: '127.0.0.1', userAgent: 'vitest' },
  );
  // What the suite's log search (test/log-secrets.ts) must never find.
  recordSecret('password', password);
  recordSecret('hash', session.user.passwordHash);
  recordSecret('token', session.accessToken);
  recordSecret('token', session.refreshToken);
  // As if the registration mail's link was opened (password reset links go only to verified addresses).
  if (overrides.verified) await ctx.services.users.markEmailVerified(session.user.id, session.user.email);
  // Registration's subscribers (default settings rows, the verification mail) finish before the
  // test goes on, so row counts taken next are not raced by them.
  await ctx.bus.drain();
  return {
    user: session.user,
    id: session.user.id,
    email: session.user.email,
    username: session.user.username,
    password,
    accessToken: session.accessToken,
    refreshToken: session.refreshToken,
    auth: { authorization: `Bearer ${session.accessToken}` },
  };
}

/**
 * Makes two users friends the way the app does: `a` asks `b` (as through `b`'s invite code, so
 * `b`'s friend-request audience does not stand in the way) and `b` accepts. The events the app
 * publishes (friend.request_sent, friend.request_accepted) reach their subscribers (notifications,
 * achievements, the friends inbox, suggestions) and have finished when this returns. Fails where
 * the app would: an inactive or blocked user, a friendship or request already between them.
 */
export async function makeFriends(ctx: AppContext, a: TestUser, b: TestUser): Promise<void> {
  const requests = ctx.services.friends.requests;
  const request = await requests.sendViaInvite(a.id, b.id, () => new Error(`makeFriends: ${b.username} is not reachable for ${a.username}`));
  await requests.accept(request.id, b.id);
  await ctx.bus.drain();
}

/**
 * `blocker` blocks `blocked` through the blocks service: any friendship, request and partnership
 * between them ends and the events (user.blocked, ...) have been handled when this returns.
 */
export async function makeBlock(ctx: AppContext, blocker: TestUser, blocked: TestUser): Promise<void> {
  await ctx.services.blocks.block(blocker.id, blocked.id, null);
  await ctx.bus.drain();
}

/**
 * Only the `blocked_users` row, without what blocking ends (friendship, requests, partnership) and
 * without its events: the state a block leaves when it races a friend request or an accept, for the
 * tests that the other paths refuse it too. Everything else blocks through makeBlock.
 */
export async function makeBlockRowOnly(ctx: AppContext, blocker: TestUser, blocked: TestUser): Promise<void> {
  await ctx.database.db.execute(sql`insert into blocked_users (blocker_id, blocked_id) values (${blocker.id}, ${blocked.id})`);
}

export async function setProfileVisibility(
  ctx: AppContext,
  user: TestUser,
  visibility: 'everyone' | 'friends_only' | 'private',
): Promise<void> {
  await ctx.database.db.execute(sql`update users set profile_visibility = ${visibility} where id = ${user.id}`);
}

/** Counts rows of a table (to prove that a refused request wrote nothing). */
export async function countRows(ctx: AppContext, table: string): Promise<number> {
  const result = (await ctx.database.db.execute(sql.raw(`select count(*)::int as n from ${table}`))) as unknown as {
    rows: Array<{ n: number }>;
  };
  return Number(result.rows[0]?.n ?? 0);
}
