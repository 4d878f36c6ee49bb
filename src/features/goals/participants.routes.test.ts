import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countRows, makeBlock, makeFriends, makeUser } from '../../../test/factories.js';
import { createTestApp, type TestApp } from '../../../test/harness.js';
import { createGoal, NO_RATE_LIMITS, scalar, UNKNOWN_ID } from './goals.test-helpers.js';
import { http } from '../../../test/http.js';
import { capture } from '../../../test/capture.js';

let t: TestApp;
const { get, post, del, put } = http(() => t);

beforeAll(async () => {
  t = await createTestApp({ env: NO_RATE_LIMITS });
});
afterAll(async () => t.close());

async function setup(body: Record<string, unknown> = {}) {
  const [creator, member, friend, stranger] = [await makeUser(t.ctx), await makeUser(t.ctx), await makeUser(t.ctx), await makeUser(t.ctx)];
  await makeFriends(t.ctx, creator, member);
  await makeFriends(t.ctx, creator, friend);
  const goal = await createGoal(t, creator, { goal_type: 'group', participant_ids: [member.id], ...body });
  return { creator, member, friend, stranger, goal, url: `/api/v1/goals/${goal.id}/participants` };
}

describe('POST /api/v1/goals/:goalId/participants', () => {
  it('the creator adds a friend as supporter → 201 with the participant card, and goal.participant_added', async () => {
    const added = capture(t.ctx, 'goal.participant_added');
    const { creator, member, friend, goal, url } = await setup();
    const res = await post(url, { user_id: friend.id, role: 'supporter' }, creator);
    expect(res.statusCode).toBe(201);
    expect(res.json()).toEqual({
      user_id: friend.id,
      username: friend.username,
      full_name: friend.user.fullName,
      profile_image_url: null,
      role: 'supporter',
      contribution_amount: 0,
      joined_at: expect.stringMatching(/Z$/),
    });
    expect((await get(`/api/v1/goals/${goal.id}`, friend)).json().my_role).toBe('supporter');
    await t.ctx.bus.drain();
    const event = added.find((e) => e.goal.goalId === goal.id);
    expect(event).toMatchObject({ userId: friend.id, role: 'supporter', actor: { id: creator.id } });
    expect(event?.goal.participantIds.sort()).toEqual([creator.id, member.id, friend.id].sort());
  });

  it('role defaults to member; an active participant again → 409 already_participant', async () => {
    const { creator, member, friend, url } = await setup();
    expect((await post(url, { user_id: friend.id }, creator)).json().role).toBe('member');
    const again = await post(url, { user_id: member.id }, creator);
    expect(again.statusCode).toBe(409);
    expect(again.json().error.code).toBe('already_participant');
    expect((await post(url, { user_id: creator.id }, creator)).statusCode).toBe(409);
  });

  it('someone who left rejoins with their earlier contributions', async () => {
    const { creator, member, goal, url } = await setup();
    await post(`/api/v1/goals/${goal.id}/contributions`, { amount: 12.5 }, member);
    expect((await del(`${url}/${member.id}`, member)).statusCode).toBe(204);
    const back = await post(url, { user_id: member.id, role: 'supporter' }, creator);
    expect(back.statusCode).toBe(201);
    expect(back.json()).toMatchObject({ role: 'supporter', contribution_amount: 12.5 });
    expect(await countRows(t.ctx, `goal_participants where goal_id = '${goal.id}'`)).toBe(2);
  });

  it('a non-friend, a blocked friend or an unknown user → 422 participants_not_friends; nothing written', async () => {
    const { creator, friend, stranger, goal, url } = await setup();
    await makeBlock(t.ctx, friend, creator);
    const before = await countRows(t.ctx, `goal_participants where goal_id = '${goal.id}'`);
    for (const id of [stranger.id, friend.id, UNKNOWN_ID]) {
      const res = await post(url, { user_id: id }, creator);
      expect(res.statusCode).toBe(422);
      expect(res.json().error).toMatchObject({ code: 'participants_not_friends', details: [{ field: 'user_id', user_id: id }] });
    }
    expect(await countRows(t.ctx, `goal_participants where goal_id = '${goal.id}'`)).toBe(before);
  });

  it('an individual goal → 422 not_a_group_goal; a completed goal → 409 goal_not_active', async () => {
    const [creator, friend] = [await makeUser(t.ctx), await makeUser(t.ctx)];
    await makeFriends(t.ctx, creator, friend);
    const solo = await createGoal(t, creator);
    const res = await post(`/api/v1/goals/${solo.id}/participants`, { user_id: friend.id }, creator);
    expect(res.statusCode).toBe(422);
    expect(res.json().error.code).toBe('not_a_group_goal');
    const group = await createGoal(t, creator, { goal_type: 'group' });
    await post(`/api/v1/goals/${group.id}/complete`, undefined, creator);
    expect((await post(`/api/v1/goals/${group.id}/participants`, { user_id: friend.id }, creator)).statusCode).toBe(409);
  });

  it('a member → 403 not_goal_creator, a stranger → 404, no token → 401, bad body → 422', async () => {
    const { creator, member, friend, stranger, url } = await setup();
    const asMember = await post(url, { user_id: friend.id }, member);
    expect(asMember.statusCode).toBe(403);
    expect(asMember.json().error.code).toBe('not_goal_creator');
    expect((await post(url, { user_id: friend.id }, stranger)).statusCode).toBe(404);
    expect((await post(url, { user_id: friend.id })).statusCode).toBe(401);
    for (const body of [{}, { user_id: 'x' }, { user_id: friend.id, role: 'creator' }, { user_id: friend.id, role: 'boss' }, { user_id: friend.id, left_at: null }]) {
      expect((await post(url, body, creator)).statusCode, JSON.stringify(body)).toBe(422);
    }
  });
});

describe('DELETE /api/v1/goals/:goalId/participants/:userId', () => {
  it('a participant leaves: left_at is set, contributions stay, the goal drops out of their list, goal.participant_removed', async () => {
    const removed = capture(t.ctx, 'goal.participant_removed');
    const { creator, member, goal, url } = await setup();
    await post(`/api/v1/goals/${goal.id}/contributions`, { amount: 7 }, member);
    const res = await del(`${url}/${member.id}`, member);
    expect(res.statusCode).toBe(204);
    expect(await scalar(t.ctx, sql`select left_at is not null from goal_participants where goal_id = ${goal.id} and user_id = ${member.id}`)).toBe(true);
    expect(await countRows(t.ctx, `goal_contributions where goal_id = '${goal.id}'`)).toBe(1);
    expect((await get(`/api/v1/goals/${goal.id}`, creator)).json()).toMatchObject({ current_amount: 7 });
    expect((await get(`/api/v1/goals/${goal.id}`, creator)).json().participants).toHaveLength(1);
    expect((await get('/api/v1/goals', member)).json().goals).toEqual([]);
    await t.ctx.bus.drain();
    expect(removed.find((e) => e.goal.goalId === goal.id)).toMatchObject({ userId: member.id, actor: { id: member.id }, goal: { participantIds: [creator.id] } });
  });

  it('the creator removes a member; removing them again → 404 participant_not_found', async () => {
    const { creator, member, url } = await setup();
    expect((await del(`${url}/${member.id}`, creator)).statusCode).toBe(204);
    const again = await del(`${url}/${member.id}`, creator);
    expect(again.statusCode).toBe(404);
    expect(again.json().error.code).toBe('participant_not_found');
  });

  it('the creator cannot leave → 422 creator_cannot_leave; a member cannot remove others → 403', async () => {
    const { creator, member, friend, goal, url } = await setup();
    await post(url, { user_id: friend.id }, creator);
    const leave = await del(`${url}/${creator.id}`, creator);
    expect(leave.statusCode).toBe(422);
    expect(leave.json().error.code).toBe('creator_cannot_leave');
    const kick = await del(`${url}/${friend.id}`, member);
    expect(kick.statusCode).toBe(403);
    expect(kick.json().error.code).toBe('not_goal_creator');
    expect((await del(`${url}/${creator.id}`, member)).statusCode).toBe(403);
    expect((await get(`/api/v1/goals/${goal.id}`, creator)).json().participants).toHaveLength(3);
  });

  it('a stranger → 404, no token → 401, a bad id → 422', async () => {
    const { member, stranger, url } = await setup();
    expect((await del(`${url}/${member.id}`, stranger)).statusCode).toBe(404);
    expect((await del(`${url}/${member.id}`)).statusCode).toBe(401);
    expect((await del(`${url}/nope`, member)).statusCode).toBe(422);
  });

  it('a leaver no longer sees a private goal', async () => {
    const { member, goal, url } = await setup();
    await del(`${url}/${member.id}`, member);
    expect((await get(`/api/v1/goals/${goal.id}`, member)).statusCode).toBe(404);
    expect((await put(`/api/v1/goals/${goal.id}`, { title: 'x' }, member)).statusCode).toBe(404);
  });
});
