import { randomBytes } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countRows, makeBlock, makeFriends, type TestUser } from '../../../test/factories.js';
import {
  UNKNOWN_ID,
  friendsServiceOf,
  httpOf,
  makeUsers,
  makeGoalWith,
  makePendingRequest,
  setUserFlags,
  type Http,
} from '../../../test/friends-helpers.js';
import { createTestApp, type TestApp } from '../../../test/harness.js';
import { queryRows } from '../../infra/db/rows.js';
import { friendSuggestionsJob } from './friends.jobs.js';
import type { FriendsService } from './friends.service.js';

let t: TestApp;
let http: Http;
let friends: FriendsService;

beforeAll(async () => {
  t = await createTestApp({ env: { RATE_LIMIT_READ_PER_MINUTE: '10000', RATE_LIMIT_WRITE_PER_MINUTE: '10000' } });
  http = httpOf(t);
  friends = friendsServiceOf(t.ctx);
});
afterAll(async () => t.close());

const users = <N extends number>(n: N, names: string[] = []) => makeUsers(t.ctx, n, names);

/** `me` has `hub` as a friend, and `hub` is friends with each of `others`: all are friends of friends. */
async function friendsOfFriends(me: TestUser, hub: TestUser, others: TestUser[]): Promise<void> {
  await makeFriends(t.ctx, me, hub);
  for (const o of others) await makeFriends(t.ctx, hub, o);
}

const suggestionsOf = (who?: TestUser, query = '') => http.get(`/api/v1/friends/suggestions${query}`, who);
const suggestedIds = async (who: TestUser) =>
  (await suggestionsOf(who)).json().suggestions.map((s: { user: { id: string } }) => s.user.id) as string[];
const dismiss = (id: string, who?: TestUser) => http.post(`/api/v1/friends/suggestions/${id}/dismiss`, who);

/** The stored (not dismissed) suggestion rows of a user, best first. */
async function storedFor(user: TestUser) {
  return queryRows<{ suggested_user_id: string; score: number; reason: string }>(
    t.ctx.database.db,
    sql`select suggested_user_id, score, reason from friend_suggestions
      where user_id = ${user.id} and not dismissed order by score desc, suggested_user_id`,
  );
}

describe('recomputeSuggestions', () => {
  it('ranks friends of friends and people sharing goal categories by 2 × mutual friends + shared categories', async () => {
    const [me, f1, f2, c1, c2, g1, g2] = await users(7);
    await makeFriends(t.ctx, me, f1);
    await makeFriends(t.ctx, me, f2);
    await makeFriends(t.ctx, f1, c1);
    await makeFriends(t.ctx, f2, c1); // c1: 2 mutual → 4
    await makeFriends(t.ctx, f1, c2); // c2: 1 mutual → 2
    await makeFriends(t.ctx, f2, g2); // g2: 1 mutual + 1 category → 3
    const cat1 = `fitness-${randomBytes(3).toString('hex')}`;
    const cat2 = `savings-${randomBytes(3).toString('hex')}`;
    await makeGoalWith(t.ctx, cat1, [me, g1]);
    await makeGoalWith(t.ctx, cat2, [g1]);
    await makeGoalWith(t.ctx, cat2, [me, g2]); // g1: 2 categories → 2
    await makeGoalWith(t.ctx, cat1, [g1]); // a second goal in the same category counts once
    await friends.recomputeSuggestions(me.id);
    expect((await storedFor(me)).map((r) => [r.suggested_user_id, Number(r.score), r.reason])).toEqual([
      [c1.id, 4, 'mutual_friends'],
      [g2.id, 3, 'mutual_friends'],
      ...[
        [c2.id, 2, 'mutual_friends'],
        [g1.id, 2, 'common_goals'],
      ].sort((a, b) => String(a[0]).localeCompare(String(b[0]))),
    ]);
    const body = (await suggestionsOf(me)).json();
    expect(body.suggestions[0]).toEqual({
      user: { id: c1.id, username: c1.username, full_name: c1.user.fullName, profile_image_url: null, can_send_friend_request: true },
      reason: 'mutual_friends',
      mutual_friends_count: 2,
      common_goals: 0,
    });
    expect(body.suggestions.find((s: { user: { id: string } }) => s.user.id === g1.id)).toMatchObject({
      reason: 'common_goals',
      mutual_friends_count: 0,
      common_goals: 2,
    });
    expect(body.suggestions.find((s: { user: { id: string } }) => s.user.id === g2.id)).toMatchObject({
      mutual_friends_count: 1,
      common_goals: 1,
    });
  });

  it('leaves out friends, pending requests either way, blocks either way, dismissed, inactive and opted-out users', async () => {
    const [me, hub, ok, sentTo, receivedFrom, blockedByMe, blockerOfMe, dismissed, gone, optedOut] = await users(10);
    await friendsOfFriends(me, hub, [ok, sentTo, receivedFrom, blockedByMe, blockerOfMe, dismissed, gone, optedOut]);
    await makePendingRequest(t.ctx, me, sentTo);
    await makePendingRequest(t.ctx, receivedFrom, me);
    await makeBlock(t.ctx, me, blockedByMe);
    await makeBlock(t.ctx, blockerOfMe, me);
    await friends.suggestions.dismiss(me.id, dismissed.id);
    await t.ctx.services.users.deactivate(gone.id);
    await setUserFlags(t.ctx, optedOut, { appearInSuggestions: false });
    await friends.recomputeSuggestions(me.id);
    expect((await storedFor(me)).map((r) => r.suggested_user_id)).toEqual([ok.id]);
    // The dismissed row is kept, still dismissed.
    expect(await countRows(t.ctx, `friend_suggestions where user_id = '${me.id}' and dismissed`)).toBe(1);
    // ...and the blocked side is not suggested the blocker either.
    await friends.recomputeSuggestions(blockedByMe.id);
    expect((await storedFor(blockedByMe)).map((r) => r.suggested_user_id)).not.toContain(me.id);
  });

  it('does not count goals the user has left', async () => {
    const [me, other] = await users(2);
    const goalId = await makeGoalWith(t.ctx, `reading-${randomBytes(3).toString('hex')}`, [other, me]);
    await t.ctx.database.db.execute(
      sql`update goal_participants set left_at = now() where goal_id = ${goalId} and user_id = ${me.id}`,
    );
    await friends.recomputeSuggestions(me.id);
    expect(await storedFor(me)).toEqual([]);
  });

  it('stores at most the top 50', async () => {
    const [me, hub] = await users(2);
    await makeFriends(t.ctx, me, hub);
    const tag = randomBytes(4).toString('hex');
    await t.ctx.database.db.execute(sql`
      with bulk as (
        insert into users (email, username, password_hash, full_name)
        select 'bulk' || g || '_' || ${tag} || '@example.com', 'bulk_' || ${tag} || '_' || g, 'x', 'Bulk ' || g
        from generate_series(1, 55) g returning id)
      insert into friendships (user_id, friend_id, status, accepted_at) select ${hub.id}, id, 'accepted', now() from bulk`);
    await friends.recomputeSuggestions(me.id);
    expect(await storedFor(me)).toHaveLength(50);
  });

  it('recomputing replaces the previous suggestions', async () => {
    const [me, hub, first, later] = await users(4);
    await friendsOfFriends(me, hub, [first]);
    await friends.recomputeSuggestions(me.id);
    await makeFriends(t.ctx, me, first);
    await makeFriends(t.ctx, hub, later);
    await friends.recomputeSuggestions(me.id);
    expect((await storedFor(me)).map((r) => r.suggested_user_id)).toEqual([later.id]);
  });

  it('concurrent recomputes of the same user settle on one set of rows', async () => {
    const [me, hub, a, b] = await users(4);
    await friendsOfFriends(me, hub, [a, b]);
    await Promise.all([1, 2, 3].map(() => friends.recomputeSuggestions(me.id)));
    expect((await storedFor(me)).map((r) => r.suggested_user_id).sort()).toEqual([a.id, b.id].sort());
  });
});

describe('GET /api/v1/friends/suggestions', () => {
  it('computes suggestions on first use when the user has none stored', async () => {
    const [me, hub, candidate] = await users(3);
    await friendsOfFriends(me, hub, [candidate]);
    expect(await countRows(t.ctx, `friend_suggestions where user_id = '${me.id}'`)).toBe(0);
    const res = await suggestionsOf(me);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      suggestions: [
        {
          user: {
            id: candidate.id,
            username: candidate.username,
            full_name: candidate.user.fullName,
            profile_image_url: null,
            can_send_friend_request: true,
          },
          reason: 'mutual_friends',
          mutual_friends_count: 1,
          common_goals: 0,
        },
      ],
    });
  });

  it('re-checks stored rows when reading: a block, request, friendship or opt-out since the last recompute hides the user', async () => {
    const [me, hub, blocked, blocker, requested, befriended, optedOut, kept] = await users(8);
    await friendsOfFriends(me, hub, [blocked, blocker, requested, befriended, optedOut, kept]);
    await friends.recomputeSuggestions(me.id);
    expect(await storedFor(me)).toHaveLength(6);
    await makeBlock(t.ctx, me, blocked);
    await makeBlock(t.ctx, blocker, me);
    await makePendingRequest(t.ctx, requested, me);
    await makeFriends(t.ctx, befriended, me);
    await setUserFlags(t.ctx, optedOut, { appearInSuggestions: false });
    expect(await suggestedIds(me)).toEqual([kept.id]);
  });

  it('hides a stored suggestion whose reason is gone (the only mutual friend was unfriended)', async () => {
    const [me, hub, candidate] = await users(3);
    await friendsOfFriends(me, hub, [candidate]);
    await friends.recomputeSuggestions(me.id);
    await t.ctx.database.db.execute(
      sql`delete from friendships where (user_id = ${hub.id} and friend_id = ${candidate.id})`,
    );
    expect(await storedFor(me)).toHaveLength(1);
    expect(await suggestedIds(me)).toEqual([]);
  });

  it('orders by score and honours limit', async () => {
    const [me, h1, h2, strong, weak] = await users(5);
    await makeFriends(t.ctx, me, h1);
    await makeFriends(t.ctx, me, h2);
    await makeFriends(t.ctx, h1, weak);
    await makeFriends(t.ctx, h1, strong);
    await makeFriends(t.ctx, h2, strong);
    expect(await suggestedIds(me)).toEqual([strong.id, weak.id]);
    const limited = (await suggestionsOf(me, '?limit=1')).json().suggestions;
    expect(limited.map((s: { user: { id: string } }) => s.user.id)).toEqual([strong.id]);
  });

  it('limit 101 or 0 → 422; without a token → 401', async () => {
    const [me] = await users(1);
    expect((await suggestionsOf(me, '?limit=101')).statusCode).toBe(422);
    expect((await suggestionsOf(me, '?limit=0')).statusCode).toBe(422);
    expect((await suggestionsOf(undefined)).statusCode).toBe(401);
  });
});

describe('POST /api/v1/friends/suggestions/:userId/dismiss', () => {
  it('→ 204; the user is no longer suggested, not even after a recompute; dismissing again is harmless', async () => {
    const [me, hub, dismissed, kept] = await users(4);
    await friendsOfFriends(me, hub, [dismissed, kept]);
    expect((await suggestedIds(me)).sort()).toEqual([dismissed.id, kept.id].sort());
    const res = await dismiss(dismissed.id, me);
    expect(res.statusCode).toBe(204);
    expect(res.body).toBe('');
    expect(await suggestedIds(me)).toEqual([kept.id]);
    expect((await dismiss(dismissed.id, me)).statusCode).toBe(204);
    await friends.recomputeSuggestions(me.id);
    expect(await suggestedIds(me)).toEqual([kept.id]);
    expect(await countRows(t.ctx, `friend_suggestions where user_id = '${me.id}' and dismissed`)).toBe(1);
  });

  it('a user not currently suggested can be dismissed in advance', async () => {
    const [me, hub, later] = await users(3);
    expect((await dismiss(later.id, me)).statusCode).toBe(204);
    await friendsOfFriends(me, hub, [later]);
    await friends.recomputeSuggestions(me.id);
    expect(await suggestedIds(me)).toEqual([]);
  });

  it('an unknown, deactivated or blocked-either-way user → 404 user_not_found, the same body, nothing written', async () => {
    const [me, gone, blockedByMe, blockerOfMe] = await users(4);
    await t.ctx.services.users.deactivate(gone.id);
    await makeBlock(t.ctx, me, blockedByMe);
    await makeBlock(t.ctx, blockerOfMe, me);
    const before = await countRows(t.ctx, 'friend_suggestions');
    const unknown = await dismiss(UNKNOWN_ID, me);
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().error.code).toBe('user_not_found');
    for (const u of [gone, blockedByMe, blockerOfMe]) expect((await dismiss(u.id, me)).json()).toEqual(unknown.json());
    expect(await countRows(t.ctx, 'friend_suggestions')).toBe(before);
  });

  it('yourself → 422 cannot_dismiss_self; a non-UUID id → 422; without a token → 401; nothing written', async () => {
    const [me] = await users(1);
    const before = await countRows(t.ctx, 'friend_suggestions');
    const self = await dismiss(me.id, me);
    expect(self.statusCode).toBe(422);
    expect(self.json().error.code).toBe('cannot_dismiss_self');
    const bad = await dismiss('someone', me);
    expect(bad.statusCode).toBe(422);
    expect(bad.json().error.details[0].field).toBe('userId');
    expect((await dismiss(UNKNOWN_ID)).statusCode).toBe(401);
    expect(await countRows(t.ctx, 'friend_suggestions')).toBe(before);
  });
});

describe('keeping suggestions current', () => {
  it('an accepted request recomputes both users: the new friend leaves the list, their friends join it', async () => {
    const [me, hub, other, othersFriend, myFriend] = await users(5);
    await friendsOfFriends(me, hub, [other]);
    await makeFriends(t.ctx, other, othersFriend);
    await makeFriends(t.ctx, me, myFriend);
    await friends.recomputeSuggestions(me.id);
    expect((await storedFor(me)).map((r) => r.suggested_user_id)).toEqual([other.id]);
    const requestId = await makePendingRequest(t.ctx, other, me);
    expect((await http.put(`/api/v1/friends/requests/${requestId}/accept`, me)).statusCode).toBe(200);
    await t.ctx.bus.drain();
    expect((await storedFor(me)).map((r) => r.suggested_user_id)).toEqual([othersFriend.id]);
    expect((await storedFor(other)).map((r) => r.suggested_user_id)).toEqual([myFriend.id]);
  });

  it('unfriending recomputes both users', async () => {
    const [me, hub, ex] = await users(3);
    await friendsOfFriends(me, hub, [ex]);
    await makeFriends(t.ctx, me, ex);
    await friends.recomputeSuggestions(me.id);
    expect(await storedFor(me)).toEqual([]);
    expect((await http.del(`/api/v1/friends/${ex.id}`, me)).statusCode).toBe(204);
    await t.ctx.bus.drain();
    expect((await storedFor(me)).map((r) => r.suggested_user_id)).toEqual([ex.id]);
    expect((await storedFor(ex)).map((r) => r.suggested_user_id)).toEqual([me.id]);
  });

  it('a user.blocked event recomputes both users', async () => {
    const [me, hub, other] = await users(3);
    await friendsOfFriends(me, hub, [other]);
    await friends.recomputeSuggestions(me.id);
    await friends.recomputeSuggestions(other.id);
    await makeBlock(t.ctx, other, me);
    await t.ctx.bus.publish(t.ctx.database.db, 'user.blocked', { blockerId: other.id, blockedId: me.id });
    await t.ctx.bus.drain();
    expect(await storedFor(me)).toEqual([]);
    expect(await storedFor(other)).toEqual([]);
  });

  it('blocking through the API drops each from the other’s stored suggestions', async () => {
    const [me, hub, other] = await users(3);
    await friendsOfFriends(me, hub, [other]);
    await friends.recomputeSuggestions(me.id);
    await friends.recomputeSuggestions(other.id);
    expect((await storedFor(other)).map((r) => r.suggested_user_id)).toContain(me.id);
    expect((await http.post('/api/v1/settings/blocked-users', me, { user_id: other.id })).statusCode).toBe(201);
    await t.ctx.bus.drain();
    expect((await storedFor(me)).map((r) => r.suggested_user_id)).not.toContain(other.id);
    expect((await storedFor(other)).map((r) => r.suggested_user_id)).not.toContain(me.id);
  });

  it('the nightly job runs at 02:00 UTC daily and recomputes every active user, batch after batch', async () => {
    const job = friendSuggestionsJob(friends);
    expect(job).toMatchObject({ name: 'friend-suggestions', cron: '0 2 * * *' });
    const [me, hub, candidate] = await users(3);
    await friendsOfFriends(me, hub, [candidate]);
    await job.run(new Date());
    expect((await storedFor(me)).map((r) => r.suggested_user_id)).toEqual([candidate.id]);
    expect((await storedFor(candidate)).map((r) => r.suggested_user_id)).toEqual([me.id]);
    const active = await countRows(t.ctx, 'users where is_active and deleted_at is null');
    expect(await friends.suggestions.recomputeAll(3)).toBe(active);
  });
});
