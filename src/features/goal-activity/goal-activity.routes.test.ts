import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countRows, makeBlock, makeFriends, makeUser, type TestUser } from '../../../test/factories.js';
import { createTestApp, type TestApp } from '../../../test/harness.js';
import { FakeClock } from '../../infra/clock/clock.js';
import { createGoal, makePartners, NO_RATE_LIMITS } from '../goals/goals.test-helpers.js';
import { http } from '../../../test/http.js';
import { multipart, png } from '../../../test/media-samples.js';
import { expectSigned, fetchUrl, unsigned } from '../media/media.test-helpers.js';

// Time moves one second per step (well inside the access tokens' hour), so "newest first" is exact.
const clock = new FakeClock('2026-03-01T09:00:00Z');
let t: TestApp;
const { get, post, put, del } = http(() => t);

beforeAll(async () => {
  t = await createTestApp({ clock, env: NO_RATE_LIMITS });
});
afterAll(async () => t.close());

interface EntryJson {
  id: string;
  entry_type: string;
  actor: { id: string; username: string; full_name: string; profile_image_url: string | null };
  goal: { id: string; title: string; category: string | null; goal_type: string; progress_percentage: number; image_url: string | null };
  data: Record<string, unknown>;
  time_ago: string;
  created_at: string;
}

const tick = () => clock.advance(1000);
async function feedOf(who: TestUser, query = ''): Promise<EntryJson[]> {
  await t.ctx.bus.drain();
  const res = await get(`/api/v1/goals/feed${query}`, who);
  expect(res.statusCode, res.body).toBe(200);
  return res.json<{ entries: EntryJson[] }>().entries;
}
const entriesFor = (who: TestUser, goalId: string) =>
  countRows(t.ctx, `feed_entries where user_id = '${who.id}' and related_goal_id = '${goalId}'`);

async function contribute(who: TestUser, goalId: string, amount: number) {
  tick();
  const res = await post(`/api/v1/goals/${goalId}/contributions`, { amount, contribution_type: 'monetary' }, who);
  expect(res.statusCode, res.body).toBe(201);
  await t.ctx.bus.drain();
}

describe('goal events become feed entries for the right people', () => {
  it('a public goal: the actor and their friends get an entry; strangers and blocked users do not', async () => {
    const actor = await makeUser(t.ctx, { fullName: 'Ada Actor' });
    const friend = await makeUser(t.ctx);
    const stranger = await makeUser(t.ctx);
    const blockedFriend = await makeUser(t.ctx);
    await makeFriends(t.ctx, actor, friend);
    // A friendship row that a block would normally end, to prove the fan-out checks blocks itself.
    await makeFriends(t.ctx, actor, blockedFriend);
    await makeBlock(t.ctx, blockedFriend, actor);
    tick();
    const goal = await createGoal(t, actor, { title: 'Run a marathon', category: 'fitness', is_public: true });
    await t.ctx.bus.drain();
    expect(await entriesFor(actor, goal.id)).toBe(1);
    expect(await entriesFor(friend, goal.id)).toBe(1);
    expect(await entriesFor(stranger, goal.id)).toBe(0);
    expect(await entriesFor(blockedFriend, goal.id)).toBe(0);

    const [entry] = await feedOf(friend);
    expect(entry).toEqual({
      id: expect.any(String),
      entry_type: 'goal_created',
      actor: { id: actor.id, username: actor.username, full_name: 'Ada Actor', profile_image_url: null },
      goal: { id: goal.id, title: 'Run a marathon', category: 'fitness', goal_type: 'individual', progress_percentage: 0, image_url: null },
      data: { participants_count: 1 },
      time_ago: 'just now',
      created_at: clock.now().toISOString(),
    });
    expect(await feedOf(stranger)).toEqual([]);
    expect((await feedOf(actor)).map((e) => e.goal.id)).toEqual([goal.id]);
  });

  it('a private goal reaches only friends who may see it: participants and accountability partners of a participant', async () => {
    const actor = await makeUser(t.ctx);
    const member = await makeUser(t.ctx);
    const partner = await makeUser(t.ctx);
    const friend = await makeUser(t.ctx);
    for (const u of [member, partner, friend]) await makeFriends(t.ctx, actor, u);
    await makePartners(t.ctx, actor, partner, 'active');
    tick();
    const goal = await createGoal(t, actor, { goal_type: 'group', is_public: false, participant_ids: [member.id] });
    await t.ctx.bus.drain();
    expect(await entriesFor(actor, goal.id)).toBe(1);
    expect(await entriesFor(member, goal.id)).toBe(1);
    expect(await entriesFor(partner, goal.id)).toBe(1);
    expect(await entriesFor(friend, goal.id)).toBe(0);
  });

  it('share_activity_with_friends = false: friends get nothing, the actor still sees their own', async () => {
    const actor = await makeUser(t.ctx);
    const friend = await makeUser(t.ctx);
    await makeFriends(t.ctx, actor, friend);
    const off = await put('/api/v1/settings/privacy', { share_activity_with_friends: false }, actor);
    expect(off.statusCode).toBe(200);
    tick();
    const goal = await createGoal(t, actor, { is_public: true });
    await contribute(actor, goal.id, 10);
    expect(await entriesFor(friend, goal.id)).toBe(0);
    expect(await entriesFor(actor, goal.id)).toBe(2);
  });

  it('contributions, milestones and completion carry what the item shows; one row per recipient per event', async () => {
    const actor = await makeUser(t.ctx);
    const friend = await makeUser(t.ctx);
    await makeFriends(t.ctx, actor, friend);
    const goal = await createGoal(t, actor, { title: 'New bike', is_public: true, target_amount: 100, target_currency: 'EUR' });
    const milestone = await post(`/api/v1/goals/${goal.id}/milestones`, { title: 'Halfway there', target_value: 50 }, actor);
    expect(milestone.statusCode, milestone.body).toBe(201);
    await contribute(actor, goal.id, 60.5);
    await contribute(actor, goal.id, 39.5);
    const entries = await feedOf(friend);
    const mine = entries.filter((e) => e.goal.id === goal.id);
    expect(mine.map((e) => e.entry_type)).toEqual(
      expect.arrayContaining(['goal_completed', 'goal_contribution', 'goal_milestone', 'goal_contribution', 'goal_created']),
    );
    expect(mine).toHaveLength(5);
    const contributions = mine.filter((e) => e.entry_type === 'goal_contribution');
    expect(contributions.map((e) => e.data)).toEqual([
      { contribution_id: expect.any(String), contribution_type: 'monetary', amount: 39.5, currency: 'EUR', current_amount: 100, progress_percentage: 100 },
      { contribution_id: expect.any(String), contribution_type: 'monetary', amount: 60.5, currency: 'EUR', current_amount: 60.5, progress_percentage: 60.5 },
    ]);
    expect(mine.find((e) => e.entry_type === 'goal_milestone')?.data).toEqual({ milestone_id: milestone.json().id, milestone_title: 'Halfway there' });
    expect(mine.find((e) => e.entry_type === 'goal_completed')).toMatchObject({ data: { participants_count: 1 }, goal: { progress_percentage: 100 } });
    expect(await countRows(t.ctx, `feed_entries where related_goal_id = '${goal.id}'`)).toBe(10); // 5 events × (actor + friend)
  });

  it('the same event delivered twice adds no second row', async () => {
    const actor = await makeUser(t.ctx);
    const friend = await makeUser(t.ctx);
    await makeFriends(t.ctx, actor, friend);
    const goal = await createGoal(t, actor, { is_public: true });
    await t.ctx.bus.drain();
    const at = new Date(clock.now().getTime() + 500);
    const activity = { entryType: 'goal_milestone' as const, goalId: goal.id, actorId: actor.id, metadata: { milestone_title: 'x' }, at };
    expect(await t.ctx.services.goalActivity.recordGoalActivity(activity)).toBe(2);
    expect(await t.ctx.services.goalActivity.recordGoalActivity(activity)).toBe(0);
  });
});

describe('visibility is checked again when the feed is read', () => {
  async function setup() {
    const actor = await makeUser(t.ctx);
    const friend = await makeUser(t.ctx);
    await makeFriends(t.ctx, actor, friend);
    tick();
    const goal = await createGoal(t, actor, { is_public: true });
    expect((await feedOf(friend)).map((e) => e.goal.id)).toEqual([goal.id]);
    return { actor, friend, goal };
  }

  it('a goal made private since disappears from friends’ feeds, not from the actor’s', async () => {
    const { actor, friend, goal } = await setup();
    expect((await put(`/api/v1/goals/${goal.id}`, { is_public: false }, actor)).statusCode).toBe(200);
    expect(await feedOf(friend)).toEqual([]);
    expect((await feedOf(actor)).map((e) => e.goal.id)).toContain(goal.id);
  });

  it('a block since hides the entries both ways', async () => {
    const { actor, friend } = await setup();
    await makeBlock(t.ctx, friend, actor);
    expect(await feedOf(friend)).toEqual([]);
  });

  it('an unfriending since hides them', async () => {
    const { actor, friend } = await setup();
    expect((await del(`/api/v1/friends/${actor.id}`, friend)).statusCode).toBe(204);
    expect(await feedOf(friend)).toEqual([]);
  });

  it('turning activity sharing off since hides them', async () => {
    const { actor, friend } = await setup();
    expect((await put('/api/v1/settings/privacy', { share_activity_with_friends: false }, actor)).statusCode).toBe(200);
    expect(await feedOf(friend)).toEqual([]);
  });

  it('a deleted goal takes its entries with it', async () => {
    const { actor, friend, goal } = await setup();
    expect((await del(`/api/v1/goals/${goal.id}`, actor)).statusCode).toBe(204);
    expect(await feedOf(friend)).toEqual([]);
    expect(await countRows(t.ctx, `feed_entries where related_goal_id = '${goal.id}'`)).toBe(0);
  });
});

describe('GET /api/v1/goals/feed', () => {
  it('pages newest first with has_more', async () => {
    const actor = await makeUser(t.ctx);
    const reader = await makeUser(t.ctx);
    await makeFriends(t.ctx, actor, reader);
    const ids: string[] = [];
    for (let i = 1; i <= 5; i++) {
      tick();
      ids.push((await createGoal(t, actor, { title: `Goal ${i}`, is_public: true })).id);
    }
    await t.ctx.bus.drain();
    const page = async (n: number) => (await get(`/api/v1/goals/feed?page=${n}&limit=2`, reader)).json();
    const p1 = await page(1);
    expect(p1.pagination).toEqual({ page: 1, limit: 2, has_more: true });
    expect(p1.entries.map((e: EntryJson) => e.goal.title)).toEqual(['Goal 5', 'Goal 4']);
    expect((await page(2)).entries.map((e: EntryJson) => e.goal.title)).toEqual(['Goal 3', 'Goal 2']);
    const p3 = await page(3);
    expect(p3.entries.map((e: EntryJson) => e.goal.id)).toEqual([ids[0]]);
    expect(p3.pagination).toEqual({ page: 3, limit: 2, has_more: false });
    expect((await page(4)).entries).toEqual([]);
    const all = await feedOf(reader);
    expect(all).toHaveLength(5);
    expect(all.map((e) => e.created_at)).toEqual([...all.map((e) => e.created_at)].sort().reverse());
    expect(all[4]!.time_ago).toBe('just now');
    clock.advance(2 * 3600 * 1000);
    // Through the service: the reader's access token would not outlive the fake two hours.
    const later = await t.ctx.services.goalActivity.listGoalFeed(reader.id, 1, 1);
    expect(later.items[0]!.timeAgo).toBe('2 hours ago');
  });

  it('is not taken for a goal id: /goals/feed and /goals/:goalId both answer', async () => {
    const me = await makeUser(t.ctx);
    const goal = await createGoal(t, me);
    const feed = await get('/api/v1/goals/feed', me);
    expect(feed.statusCode).toBe(200);
    expect(feed.json()).toHaveProperty('entries');
    const one = await get(`/api/v1/goals/${goal.id}`, me);
    expect(one.statusCode).toBe(200);
    expect(one.json().id).toBe(goal.id);
  });

  it('without a token → 401', async () => {
    expect((await get('/api/v1/goals/feed')).statusCode).toBe(401);
  });

  it('bad paging → 422 (limit 101, limit 0, page 0, not a number, unknown parameter)', async () => {
    const me = await makeUser(t.ctx);
    for (const q of ['limit=101', 'limit=0', 'page=0', 'limit=abc', 'cursor=x']) {
      const res = await get(`/api/v1/goals/feed?${q}`, me);
      expect(res.statusCode, q).toBe(422);
    }
    expect((await get('/api/v1/goals/feed?limit=100', me)).statusCode).toBe(200);
  });

  it('reads a page in one query, whatever its size (no N+1)', async () => {
    const actor = await makeUser(t.ctx);
    const reader = await makeUser(t.ctx);
    await makeFriends(t.ctx, actor, reader);
    for (let i = 0; i < 3; i++) await createGoal(t, actor, { is_public: true });
    await t.ctx.bus.drain();
    let statements = 0;
    const db = t.ctx.database.db as unknown as { execute: (q: unknown) => Promise<unknown> };
    const original = db.execute.bind(db);
    db.execute = (q: unknown) => {
      statements += 1;
      return original(q);
    };
    try {
      expect((await t.ctx.services.goalActivity.listGoalFeed(reader.id, 1, 100)).items).toHaveLength(3);
    } finally {
      db.execute = original;
    }
    expect(statements).toBe(1);
  });
});

describe('issue 14.3: goal images in the goal feed are private media', () => {
  it('a friend’s goal image comes as a signed URL that serves it with Cache-Control: private', async () => {
    const actor = await makeUser(t.ctx);
    const friend = await makeUser(t.ctx);
    await makeFriends(t.ctx, actor, friend);
    tick();
    const goal = await createGoal(t, actor, { title: 'Climb', is_public: true });
    const body = multipart([{ name: 'image', filename: 'g.png', contentType: 'image/png', data: await png(60, 40) }]);
    const uploaded = await t.app.inject({ method: 'PUT', url: `/api/v1/goals/${goal.id}/image`, headers: { ...body.headers, ...actor.auth }, payload: body.payload });
    expect(uploaded.statusCode, uploaded.body).toBe(200);
    const entry = (await feedOf(friend)).find((e) => e.goal.id === goal.id);
    expectSigned(entry?.goal.image_url);
    const served = await fetchUrl(t, entry!.goal.image_url!);
    expect(served.statusCode).toBe(200);
    expect(served.headers['cache-control']).toMatch(/^private, max-age=\d+$/);
    expect((await fetchUrl(t, unsigned(entry!.goal.image_url!))).statusCode).toBe(403);
  });
});
