import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeBlock, makeFriends, makeUser, setProfileVisibility, type TestUser } from '../../../test/factories.js';
import { createTestApp, type TestApp } from '../../../test/harness.js';
import { FakeClock } from '../../infra/clock/clock.js';
import { createGoal, makePartners, NO_RATE_LIMITS, UNKNOWN_ID } from './goals.test-helpers.js';
import { http } from '../../../test/http.js';

const clock = new FakeClock('2026-03-10T12:00:00Z');
let t: TestApp;
const { get, post, put, del } = http(() => t);

beforeAll(async () => {
  t = await createTestApp({ clock, env: NO_RATE_LIMITS });
});
afterAll(async () => t.close());

const ids = (res: { json: () => { goals: Array<{ id: string }> } }) => res.json().goals.map((g) => g.id);

describe('GET /api/v1/goals', () => {
  it('lists the caller’s created and joined goals, newest first, active by default; left goals drop out', async () => {
    const [me, friend] = [await makeUser(t.ctx), await makeUser(t.ctx)];
    await makeFriends(t.ctx, me, friend);
    const mine = await createGoal(t, me, { title: 'Mine' });
    clock.advance(1000);
    const joined = await createGoal(t, friend, { title: 'Joined', goal_type: 'group', participant_ids: [me.id] });
    clock.advance(1000);
    const left = await createGoal(t, friend, { title: 'Left', goal_type: 'group', participant_ids: [me.id] });
    await del(`/api/v1/goals/${left.id}/participants/${me.id}`, me);
    clock.advance(1000);
    const done = await createGoal(t, me, { title: 'Done' });
    await post(`/api/v1/goals/${done.id}/complete`, undefined, me);
    await createGoal(t, friend, { title: 'Not mine' });

    const res = await get('/api/v1/goals', me);
    expect(res.statusCode).toBe(200);
    expect(ids(res)).toEqual([joined.id, mine.id]);
    expect(res.json().pagination).toEqual({ page: 1, limit: 20, total: 2, total_pages: 1 });
    expect(ids(await get('/api/v1/goals?status=completed', me))).toEqual([done.id]);
    expect(ids(await get('/api/v1/goals?status=all', me))).toEqual([done.id, joined.id, mine.id]);
    expect(ids(await get('/api/v1/goals?status=all&type=group', me))).toEqual([joined.id]);
    expect(ids(await get('/api/v1/goals?status=all&type=individual', me))).toEqual([done.id, mine.id]);
  });

  it('returns the plan’s list item: days_remaining in the caller’s zone, participants_count and up to 5 previews, creator first', async () => {
    const me = await makeUser(t.ctx);
    await t.ctx.database.db.execute(sql`update users set timezone = 'Pacific/Kiritimati' where id = ${me.id}`);
    const friends: TestUser[] = [];
    for (let i = 0; i < 6; i++) {
      const f = await makeUser(t.ctx);
      await makeFriends(t.ctx, me, f);
      friends.push(f);
    }
    const goal = await createGoal(t, me, {
      title: 'Trip',
      category: 'travel',
      goal_type: 'group',
      target_amount: 3000,
      target_date: '2026-03-20',
      participant_ids: friends.map((f) => f.id),
    });
    await post(`/api/v1/goals/${goal.id}/contributions`, { amount: 1950 }, friends[0]);
    const res = await get('/api/v1/goals', me);
    const [item] = res.json().goals;
    expect(item).toEqual({
      id: goal.id,
      title: 'Trip',
      category: 'travel',
      goal_type: 'group',
      target_type: 'amount',
      target_amount: 3000,
      target_currency: 'USD',
      current_amount: 1950,
      progress_percentage: 65,
      target_date: '2026-03-20',
      // 2026-03-10T12:00Z is already March 11 in Kiritimati: 9 days left there (10 in UTC).
      days_remaining: 9,
      image_url: null,
      participants_count: 7,
      participants_preview: expect.any(Array),
      status: 'active',
      is_public: false,
      created_at: goal.created_at,
    });
    expect(item.participants_preview).toHaveLength(5);
    expect(item.participants_preview[0]).toEqual({ user_id: me.id, profile_image_url: null });
  });

  it('filters by category (case-insensitive) and pages with total_pages', async () => {
    const me = await makeUser(t.ctx);
    for (let i = 0; i < 5; i++) {
      await createGoal(t, me, { category: i % 2 ? 'fitness' : 'savings' });
      clock.advance(1000);
    }
    expect(ids(await get('/api/v1/goals?category=Fitness', me))).toHaveLength(2);
    const page2 = await get('/api/v1/goals?page=2&limit=2', me);
    expect(page2.json().goals).toHaveLength(2);
    expect(page2.json().pagination).toEqual({ page: 2, limit: 2, total: 5, total_pages: 3 });
  });

  it('runs the same number of queries for a page of 2 goals as for a page of 40', async () => {
    const few = await makeUser(t.ctx);
    const many = await makeUser(t.ctx);
    const friends = [await makeUser(t.ctx), await makeUser(t.ctx)];
    for (const f of friends) await makeFriends(t.ctx, many, f);
    for (let i = 0; i < 2; i++) await createGoal(t, few);
    for (let i = 0; i < 40; i++) await createGoal(t, many, { goal_type: 'group', participant_ids: friends.map((f) => f.id) });
    const count = async (who: TestUser) => {
      await get('/api/v1/goals?limit=100', who); // warm the auth-state cache
      await t.ctx.bus.drain(); // the goals' events (feed, achievements, chats) must not query inside the count
      const database = t.ctx.database as unknown as Record<'client' | 'pool', { query: (...args: unknown[]) => unknown }>;
      const target = t.ctx.database.kind === 'pglite' ? database.client : database.pool;
      const original = target.query;
      let queries = 0;
      target.query = (...args: unknown[]) => {
        queries += 1;
        return original.apply(target, args);
      };
      try {
        const res = await get('/api/v1/goals?limit=100', who);
        return { queries, goals: res.json().goals.length };
      } finally {
        target.query = original;
      }
    };
    const small = await count(few);
    const large = await count(many);
    expect(small.goals).toBe(2);
    expect(large.goals).toBe(40);
    expect(large.queries).toBe(small.queries);
    expect(large.queries).toBeGreaterThanOrEqual(3);
    expect(large.queries).toBeLessThanOrEqual(4);
  });

  it.each(['status=open', 'type=solo', 'limit=101', 'page=0', 'extra=1'])('refuses ?%s with 422', async (query) => {
    const me = await makeUser(t.ctx);
    expect((await get(`/api/v1/goals?${query}`, me)).statusCode).toBe(422);
  });

  it('without a token → 401', async () => {
    expect((await get('/api/v1/goals')).statusCode).toBe(401);
  });
});

describe('GET /api/v1/goals/:goalId — who may see a goal', () => {
  let creator: TestUser;
  let member: TestUser;
  let friendOfCreator: TestUser;
  let stranger: TestUser;
  let partnerOfMember: TestUser;
  let privateGoal: string;
  let publicGoal: string;

  beforeAll(async () => {
    [creator, member, friendOfCreator, stranger, partnerOfMember] = await Promise.all([
      makeUser(t.ctx),
      makeUser(t.ctx),
      makeUser(t.ctx),
      makeUser(t.ctx),
      makeUser(t.ctx),
    ]);
    await makeFriends(t.ctx, creator, member);
    await makeFriends(t.ctx, creator, friendOfCreator);
    await makePartners(t.ctx, partnerOfMember, member, 'active');
    privateGoal = (await createGoal(t, creator, { goal_type: 'group', participant_ids: [member.id] })).id;
    publicGoal = (await createGoal(t, creator, { is_public: true })).id;
  });

  const status = async (goalId: string, who: TestUser) => (await get(`/api/v1/goals/${goalId}`, who)).statusCode;

  it('participants see it with their role', async () => {
    const res = await get(`/api/v1/goals/${privateGoal}`, member);
    expect(res.statusCode).toBe(200);
    expect(res.json().my_role).toBe('member');
    expect(res.json().participants.map((p: { role: string }) => p.role)).toEqual(['creator', 'member']);
  });

  it('an accountability partner (active or paused) of a participant sees a private goal; pending or ended does not', async () => {
    expect(await status(privateGoal, partnerOfMember)).toBe(200);
    expect((await get(`/api/v1/goals/${privateGoal}`, partnerOfMember)).json().my_role).toBeNull();
    for (const s of ['paused', 'pending', 'ended'] as const) {
      const p = await makeUser(t.ctx);
      await makePartners(t.ctx, member, p, s);
      expect(await status(privateGoal, p), s).toBe(s === 'paused' ? 200 : 404);
    }
  });

  it('a friend of the creator sees public goals but not private ones', async () => {
    expect(await status(publicGoal, friendOfCreator)).toBe(200);
    expect(await status(privateGoal, friendOfCreator)).toBe(404);
  });

  it('a stranger sees a public goal only when the creator’s profile is visible to everyone', async () => {
    expect(await status(publicGoal, stranger)).toBe(404);
    await setProfileVisibility(t.ctx, creator, 'everyone');
    expect(await status(publicGoal, stranger)).toBe(200);
    expect(await status(privateGoal, stranger)).toBe(404);
    await setProfileVisibility(t.ctx, creator, 'friends_only');
  });

  it('someone blocked with the creator never sees it, whichever side blocked', async () => {
    const [blocker, blocked] = [await makeUser(t.ctx), await makeUser(t.ctx)];
    await makeFriends(t.ctx, creator, blocker);
    await makeFriends(t.ctx, creator, blocked);
    await makeBlock(t.ctx, blocker, creator);
    await makeBlock(t.ctx, creator, blocked);
    await setProfileVisibility(t.ctx, creator, 'everyone');
    expect(await status(publicGoal, blocker)).toBe(404);
    expect(await status(publicGoal, blocked)).toBe(404);
    await setProfileVisibility(t.ctx, creator, 'friends_only');
  });

  it('an invisible goal answers exactly like an unknown one; a non-UUID id is 422; no token 401', async () => {
    const invisible = await get(`/api/v1/goals/${privateGoal}`, stranger);
    const unknown = await get(`/api/v1/goals/${UNKNOWN_ID}`, stranger);
    expect(invisible.statusCode).toBe(404);
    expect(invisible.json()).toEqual(unknown.json());
    expect((await get('/api/v1/goals/not-a-uuid', stranger)).statusCode).toBe(422);
    expect((await get(`/api/v1/goals/${privateGoal}`)).statusCode).toBe(401);
  });

  it('hides participants and contributions of users blocked with the viewer', async () => {
    const [owner, a, b] = [await makeUser(t.ctx), await makeUser(t.ctx), await makeUser(t.ctx)];
    await makeFriends(t.ctx, owner, a);
    await makeFriends(t.ctx, owner, b);
    const goal = await createGoal(t, owner, { goal_type: 'group', participant_ids: [a.id, b.id] });
    await post(`/api/v1/goals/${goal.id}/contributions`, { amount: 1 }, a);
    await post(`/api/v1/goals/${goal.id}/contributions`, { amount: 2 }, b);
    await makeBlock(t.ctx, a, b);
    const seenByA = (await get(`/api/v1/goals/${goal.id}`, a)).json();
    expect(seenByA.participants.map((p: { user_id: string }) => p.user_id)).not.toContain(b.id);
    expect(seenByA.recent_contributions.map((c: { user: { id: string } }) => c.user.id)).toEqual([a.id]);
    expect(seenByA.current_amount).toBe(3);
  });
});

describe('GET /api/v1/users/:userId/goals', () => {
  it('shows another user’s goals the caller may see; self sees all; blocked or unknown → 404', async () => {
    const [owner, friend, stranger, blocked] = [await makeUser(t.ctx), await makeUser(t.ctx), await makeUser(t.ctx), await makeUser(t.ctx)];
    await makeFriends(t.ctx, owner, friend);
    const priv = await createGoal(t, owner, { title: 'private' });
    clock.advance(1000);
    const pub = await createGoal(t, owner, { title: 'public', is_public: true });
    clock.advance(1000);
    const shared = await createGoal(t, owner, { title: 'shared', goal_type: 'group', participant_ids: [friend.id] });
    clock.advance(1000);
    const theirs = await createGoal(t, friend, { title: 'friend’s own', goal_type: 'group', is_public: true, participant_ids: [owner.id] });

    expect(ids(await get(`/api/v1/users/${owner.id}/goals`, owner))).toEqual([theirs.id, shared.id, pub.id, priv.id]);
    expect(ids(await get(`/api/v1/users/${owner.id}/goals`, friend))).toEqual([theirs.id, shared.id, pub.id]);
    expect(ids(await get(`/api/v1/users/${owner.id}/goals`, stranger))).toEqual([]);
    await setProfileVisibility(t.ctx, owner, 'everyone');
    expect(ids(await get(`/api/v1/users/${owner.id}/goals`, stranger))).toEqual([pub.id]);

    await makeBlock(t.ctx, owner, blocked);
    const res = await get(`/api/v1/users/${owner.id}/goals`, blocked);
    expect(res.statusCode).toBe(404);
    expect(res.json().error.code).toBe('user_not_found');
    expect((await get(`/api/v1/users/${UNKNOWN_ID}/goals`, stranger)).statusCode).toBe(404);
    expect((await get(`/api/v1/users/nope/goals`, stranger)).statusCode).toBe(422);
    expect((await get(`/api/v1/users/${owner.id}/goals`)).statusCode).toBe(401);
  });

  it('an edit that makes a goal private removes it from others’ view at once', async () => {
    const [owner, friend] = [await makeUser(t.ctx), await makeUser(t.ctx)];
    await makeFriends(t.ctx, owner, friend);
    const goal = await createGoal(t, owner, { is_public: true });
    expect(ids(await get(`/api/v1/users/${owner.id}/goals`, friend))).toEqual([goal.id]);
    await put(`/api/v1/goals/${goal.id}`, { is_public: false }, owner);
    expect(ids(await get(`/api/v1/users/${owner.id}/goals`, friend))).toEqual([]);
    expect((await get(`/api/v1/goals/${goal.id}`, friend)).statusCode).toBe(404);
  });
});
