import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeBlock, makeFriends, makeUser, setProfileVisibility, type TestUser } from '../../../test/factories.js';
import { requestFriendship, setFriendRequestAudience } from '../../../test/friends-helpers.js';
import { recordEvents } from '../../../test/capture.js';
import { createTestApp, type TestApp } from '../../../test/harness.js';
import { createGoal, NO_RATE_LIMITS, UNKNOWN_ID } from '../goals/goals.test-helpers.js';
import { http } from '../../../test/http.js';
import { addCatalogRow, awards, heldCodes, SEEDED_CODES } from './achievements.test-helpers.js';

let t: TestApp;
const { get, post, put } = http(() => t);

beforeAll(async () => {
  t = await createTestApp({ env: NO_RATE_LIMITS });
});
afterAll(async () => t.close());

interface AchievementJson {
  id: string;
  code: string;
  name: string;
  description: string | null;
  icon_url: string | null;
  category: string | null;
  points: number;
  earned: boolean;
  earned_at: string | null;
}

const catalog = async (who: TestUser) => (await get('/api/v1/achievements', who)).json<{ achievements: AchievementJson[] }>().achievements;
const earnedEvents = (code: string, events: Array<{ payload: { code: string } }>) => events.filter((e) => e.payload.code === code);

async function contribute(who: TestUser, goalId: string, amount: number) {
  const res = await post(`/api/v1/goals/${goalId}/contributions`, { amount, contribution_type: 'monetary' }, who);
  expect(res.statusCode, res.body).toBe(201);
}

async function complete(who: TestUser, goalId: string) {
  const res = await post(`/api/v1/goals/${goalId}/complete`, {}, who);
  expect(res.statusCode, res.body).toBe(200);
}

describe('GET /api/v1/achievements', () => {
  it('lists the seeded catalogue with the caller’s status: nothing earned for a new account', async () => {
    const me = await makeUser(t.ctx);
    const res = await get('/api/v1/achievements', me);
    expect(res.statusCode).toBe(200);
    const items = res.json<{ achievements: AchievementJson[] }>().achievements;
    expect(items.map((a) => a.code)).toEqual(expect.arrayContaining(SEEDED_CODES));
    const streak = items.find((a) => a.code === 'contribution_streak_7')!;
    expect(streak).toEqual({
      id: expect.any(String),
      code: 'contribution_streak_7',
      name: 'On a Roll',
      description: 'Contribute on 7 days in a row.',
      icon_url: null,
      category: 'consistency',
      points: 50,
      earned: false,
      earned_at: null,
    });
    for (const a of items) expect(a).not.toHaveProperty('criteria');
  });

  it('shows earned badges with earned_at, and leaves out inactive catalogue rows', async () => {
    await addCatalogRow(t.ctx, 'test_retired', { type: 'count', metric: 'goals_joined', threshold: 1 }, { active: false });
    const me = await makeUser(t.ctx);
    await createGoal(t, me);
    await t.ctx.bus.drain();
    const items = await catalog(me);
    expect(items.find((a) => a.code === 'first_goal')).toMatchObject({ earned: true, earned_at: expect.any(String) });
    expect(items.find((a) => a.code === 'first_contribution')).toMatchObject({ earned: false, earned_at: null });
    expect(items.map((a) => a.code)).not.toContain('test_retired');
    expect(await heldCodes(t.ctx, me)).not.toContain('test_retired');
  });

  it('without a token → 401', async () => {
    expect((await get('/api/v1/achievements')).statusCode).toBe(401);
  });
});

describe('awarding when the relevant events happen', () => {
  it('first_goal: creating a goal awards it once and publishes achievement.earned once', async () => {
    const me = await makeUser(t.ctx);
    const rec = recordEvents(t.ctx, 'achievement.earned');
    await createGoal(t, me);
    await createGoal(t, me);
    const events = earnedEvents('first_goal', await rec.events());
    rec.stop();
    expect(await awards(t.ctx, me, 'first_goal')).toBe(1);
    expect(events).toHaveLength(1);
    expect(events[0]!.payload).toEqual({
      userId: me.id,
      achievementId: expect.any(String),
      code: 'first_goal',
      name: 'First Step',
      points: 10,
      earnedAt: expect.any(String),
    });
  });

  it('first_goal: joining counts too — members named at creation and members added later', async () => {
    const creator = await makeUser(t.ctx);
    const atCreation = await makeUser(t.ctx);
    const later = await makeUser(t.ctx);
    await makeFriends(t.ctx, creator, atCreation);
    await makeFriends(t.ctx, creator, later);
    const goal = await createGoal(t, creator, { goal_type: 'group', participant_ids: [atCreation.id] });
    await t.ctx.bus.drain();
    expect(await awards(t.ctx, atCreation, 'first_goal')).toBe(1);
    expect(await awards(t.ctx, later, 'first_goal')).toBe(0);
    const added = await post(`/api/v1/goals/${goal.id}/participants`, { user_id: later.id }, creator);
    expect(added.statusCode, added.body).toBe(201);
    await t.ctx.bus.drain();
    expect(await awards(t.ctx, later, 'first_goal')).toBe(1);
  });

  it('first_contribution: the first contribution awards it', async () => {
    const me = await makeUser(t.ctx);
    const goal = await createGoal(t, me, { target_amount: 1000 });
    await t.ctx.bus.drain();
    expect(await awards(t.ctx, me, 'first_contribution')).toBe(0);
    await contribute(me, goal.id, 10);
    await contribute(me, goal.id, 10);
    await t.ctx.bus.drain();
    expect(await awards(t.ctx, me, 'first_contribution')).toBe(1);
  });

  it('first_goal_completed and first_group_goal_completed: a group goal reaching its target awards every active participant', async () => {
    const creator = await makeUser(t.ctx);
    const member = await makeUser(t.ctx);
    await makeFriends(t.ctx, creator, member);
    const goal = await createGoal(t, creator, { goal_type: 'group', target_amount: 50, participant_ids: [member.id] });
    await contribute(member, goal.id, 50);
    await t.ctx.bus.drain();
    for (const who of [creator, member]) {
      expect(await awards(t.ctx, who, 'first_goal_completed')).toBe(1);
      expect(await awards(t.ctx, who, 'first_group_goal_completed')).toBe(1);
    }
  });

  it('an individual goal completed awards first_goal_completed but not the group badge', async () => {
    const me = await makeUser(t.ctx);
    const goal = await createGoal(t, me, { target_type: 'milestone', target_amount: undefined });
    await complete(me, goal.id);
    await t.ctx.bus.drain();
    expect(await awards(t.ctx, me, 'first_goal_completed')).toBe(1);
    expect(await awards(t.ctx, me, 'first_group_goal_completed')).toBe(0);
  });

  it('goals_achieved_5: awarded on the fifth completed goal, not the fourth', async () => {
    const me = await makeUser(t.ctx);
    for (let i = 1; i <= 5; i++) {
      const goal = await createGoal(t, me, { title: `Goal ${i}` });
      await complete(me, goal.id);
      await t.ctx.bus.drain();
      expect(await awards(t.ctx, me, 'goals_achieved_5'), `after goal ${i}`).toBe(i === 5 ? 1 : 0);
    }
  });

  it('goals_achieved_25: awarded when the 25th goal completes', async () => {
    const me = await makeUser(t.ctx);
    // Shortcut: 23 earlier completions recorded on the account's counter (the goals feature credits it).
    await t.ctx.database.db.execute(sql`update users set goals_achieved = 23 where id = ${me.id}`);
    const g24 = await createGoal(t, me);
    await complete(me, g24.id);
    await t.ctx.bus.drain();
    expect(await awards(t.ctx, me, 'goals_achieved_25')).toBe(0);
    const g25 = await createGoal(t, me);
    await complete(me, g25.id);
    await t.ctx.bus.drain();
    expect(await awards(t.ctx, me, 'goals_achieved_25')).toBe(1);
    expect(await awards(t.ctx, me, 'goals_achieved_5')).toBe(1);
  });

  it('friends_10: the tenth accepted friend awards it (to the one with ten friends only)', async () => {
    const me = await makeUser(t.ctx);
    for (let i = 0; i < 9; i++) await makeFriends(t.ctx, me, await makeUser(t.ctx));
    const tenth = await makeUser(t.ctx);
    await setFriendRequestAudience(t.ctx, me, 'everyone');
    const requestId = await requestFriendship(t, tenth, me);
    await t.ctx.bus.drain();
    expect(await awards(t.ctx, me, 'friends_10')).toBe(0);
    const accepted = await put(`/api/v1/friends/requests/${requestId}/accept`, undefined, me);
    expect(accepted.statusCode, accepted.body).toBe(200);
    await t.ctx.bus.drain();
    expect(await awards(t.ctx, me, 'friends_10')).toBe(1);
    expect(await awards(t.ctx, tenth, 'friends_10')).toBe(0);
  });

  it('first_memory: no post event exists yet, so it is evaluated from posts when achievements are read — once', async () => {
    const me = await makeUser(t.ctx);
    const rec = recordEvents(t.ctx, 'achievement.earned');
    await t.ctx.database.db.execute(sql`insert into posts (user_id, post_type, caption) values (${me.id}, 'text', 'hello')`);
    expect(await awards(t.ctx, me, 'first_memory')).toBe(0);
    expect((await catalog(me)).find((a) => a.code === 'first_memory')).toMatchObject({ earned: true });
    await catalog(me);
    const events = earnedEvents('first_memory', await rec.events());
    rec.stop();
    expect(events).toHaveLength(1);
    expect(await awards(t.ctx, me, 'first_memory')).toBe(1);
  });
});

describe('each achievement is awarded once', () => {
  it('the triggering event published again, sequentially and concurrently: one row, one achievement.earned', async () => {
    const me = await makeUser(t.ctx);
    const goal = await createGoal(t, me, { target_amount: 1000 });
    const rec = recordEvents(t.ctx, 'achievement.earned');
    const capture = recordEvents(t.ctx, 'goal.contribution_added');
    await contribute(me, goal.id, 5);
    const payload = (await capture.events())[0]!.payload;
    capture.stop();
    const replay = () => t.ctx.bus.publish(t.ctx.database.db, 'goal.contribution_added', payload);
    await replay();
    await t.ctx.bus.drain();
    await Promise.all(Array.from({ length: 5 }, replay));
    await t.ctx.bus.drain();
    const events = earnedEvents('first_contribution', await rec.events());
    rec.stop();
    expect(await awards(t.ctx, me, 'first_contribution')).toBe(1);
    expect(events).toHaveLength(1);
  });

  it('a newly reachable achievement evaluated by many concurrent events and reads: one row, one event', async () => {
    const me = await makeUser(t.ctx);
    const goal = await createGoal(t, me, { target_amount: 1000 });
    await contribute(me, goal.id, 7);
    await t.ctx.bus.drain();
    // Added after the fact: nothing has awarded it yet, and the user already qualifies.
    await addCatalogRow(t.ctx, 'test_concurrent', { type: 'count', metric: 'contributions', threshold: 1 });
    const rec = recordEvents(t.ctx, 'achievement.earned');
    await Promise.all([
      ...Array.from({ length: 5 }, () => t.ctx.services.achievements.evaluate(me.id, ['contributions'])),
      ...Array.from({ length: 3 }, () => get('/api/v1/achievements', me)),
      t.ctx.services.achievements.evaluateMany([me.id, me.id], ['contributions']),
    ]);
    const events = earnedEvents('test_concurrent', await rec.events());
    rec.stop();
    expect(await awards(t.ctx, me, 'test_concurrent')).toBe(1);
    expect(events).toHaveLength(1);
  });
});

describe('the criteria interpreter', () => {
  it('a catalogue row with a known metric and threshold is awarded with no code change', async () => {
    const id = await addCatalogRow(t.ctx, 'test_big_spender', { type: 'count', metric: 'amount_contributed', threshold: 50 }, { points: 77 });
    const me = await makeUser(t.ctx);
    const goal = await createGoal(t, me, { target_amount: 1000 });
    const rec = recordEvents(t.ctx, 'achievement.earned');
    await contribute(me, goal.id, 30);
    await t.ctx.bus.drain();
    expect(await awards(t.ctx, me, 'test_big_spender')).toBe(0);
    await contribute(me, goal.id, 20.5);
    const events = earnedEvents('test_big_spender', await rec.events());
    rec.stop();
    expect(await awards(t.ctx, me, 'test_big_spender')).toBe(1);
    expect(events.map((e) => e.payload)).toEqual([expect.objectContaining({ achievementId: id, points: 77, userId: me.id })]);
  });

  it('a row whose criteria is not understood is never awarded, and does not stop the others', async () => {
    await addCatalogRow(t.ctx, 'test_gibberish', { type: 'magic', metric: 'goals_joined', threshold: 1 });
    await addCatalogRow(t.ctx, 'test_unknown_metric', { type: 'count', metric: 'karma', threshold: 1 });
    const me = await makeUser(t.ctx);
    await createGoal(t, me);
    await t.ctx.bus.drain();
    const items = await catalog(me);
    expect(items.find((a) => a.code === 'first_goal')?.earned).toBe(true);
    expect(items.find((a) => a.code === 'test_gibberish')?.earned).toBe(false);
    expect(items.find((a) => a.code === 'test_unknown_metric')?.earned).toBe(false);
  });
});

describe('GET /api/v1/users/:userId/achievements', () => {
  let owner: TestUser;
  beforeAll(async () => {
    owner = await makeUser(t.ctx);
    const goal = await createGoal(t, owner, { target_amount: 1000 });
    await contribute(owner, goal.id, 1);
    await t.ctx.bus.drain();
  });
  const of = (target: TestUser, viewer?: TestUser) => get(`/api/v1/users/${target.id}/achievements`, viewer);

  it('a friend sees the earned badges only, newest first (friends_only profile)', async () => {
    const friend = await makeUser(t.ctx);
    await makeFriends(t.ctx, owner, friend);
    const res = await of(owner, friend);
    expect(res.statusCode).toBe(200);
    const items = res.json<{ achievements: AchievementJson[] }>().achievements;
    // (Catalogue rows other tests of this file add are named test_*.)
    expect(items.map((a) => a.code).filter((c) => !c.startsWith('test_')).sort()).toEqual(['first_contribution', 'first_goal']);
    for (const a of items) expect(a).toMatchObject({ earned: true, earned_at: expect.any(String) });
    const times = items.map((a) => a.earned_at!);
    expect([...times].sort().reverse()).toEqual(times);
  });

  it('the user sees their own, whatever their visibility', async () => {
    const me = await makeUser(t.ctx);
    await setProfileVisibility(t.ctx, me, 'private');
    await createGoal(t, me);
    await t.ctx.bus.drain();
    const res = await of(me, me);
    expect(res.statusCode).toBe(200);
    expect(res.json().achievements.map((a: AchievementJson) => a.code).filter((c: string) => !c.startsWith('test_'))).toEqual(['first_goal']);
  });

  it('a stranger gets 404 user_not_found for a friends_only profile, 200 for an everyone profile', async () => {
    const stranger = await makeUser(t.ctx);
    const hidden = await of(owner, stranger);
    expect(hidden.statusCode).toBe(404);
    expect(hidden.json().error.code).toBe('user_not_found');
    const open = await makeUser(t.ctx);
    await setProfileVisibility(t.ctx, open, 'everyone');
    expect((await of(open, stranger)).statusCode).toBe(200);
  });

  it('a private profile hides them even from friends', async () => {
    const closed = await makeUser(t.ctx);
    const friend = await makeUser(t.ctx);
    await makeFriends(t.ctx, closed, friend);
    await setProfileVisibility(t.ctx, closed, 'private');
    expect((await of(closed, friend)).statusCode).toBe(404);
  });

  it('blocked either way → 404, even for an everyone profile', async () => {
    const open = await makeUser(t.ctx);
    const blocker = await makeUser(t.ctx);
    const blocked = await makeUser(t.ctx);
    await setProfileVisibility(t.ctx, open, 'everyone');
    await setProfileVisibility(t.ctx, blocker, 'everyone');
    await makeBlock(t.ctx, open, blocked);
    await makeBlock(t.ctx, blocker, open);
    expect((await of(open, blocked)).json().error.code).toBe('user_not_found');
    expect((await of(open, blocker)).statusCode).toBe(404);
    expect((await of(blocker, open)).statusCode).toBe(404);
  });

  it('unknown user → 404, malformed id → 422, no token → 401', async () => {
    const me = await makeUser(t.ctx);
    expect((await get(`/api/v1/users/${UNKNOWN_ID}/achievements`, me)).statusCode).toBe(404);
    expect((await get('/api/v1/users/nope/achievements', me)).statusCode).toBe(422);
    expect((await of(owner)).statusCode).toBe(401);
  });
});
