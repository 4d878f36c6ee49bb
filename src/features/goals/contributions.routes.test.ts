import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countRows, makeFriends, makeUser, type TestUser } from '../../../test/factories.js';
import { createTestApp, type TestApp } from '../../../test/harness.js';
import { FakeClock } from '../../infra/clock/clock.js';
import { createGoal, goalsAchieved, makePartners, NO_RATE_LIMITS, UNKNOWN_ID } from './goals.test-helpers.js';
import { http } from '../../../test/http.js';
import { capture } from '../../../test/capture.js';

const clock = new FakeClock('2026-03-10T12:00:00Z');
let t: TestApp;
const { get, post, put, del } = http(() => t);

beforeAll(async () => {
  t = await createTestApp({ clock, env: NO_RATE_LIMITS });
});
afterAll(async () => t.close());

async function groupGoal(body: Record<string, unknown> = {}) {
  const [creator, member] = [await makeUser(t.ctx), await makeUser(t.ctx)];
  await makeFriends(t.ctx, creator, member);
  const goal = await createGoal(t, creator, { goal_type: 'group', participant_ids: [member.id], target_amount: 3000, ...body });
  return { creator, member, goal };
}

const contribute = (goalId: string, body: unknown, who?: TestUser) => post(`/api/v1/goals/${goalId}/contributions`, body, who);

describe('POST /api/v1/goals/:goalId/contributions', () => {
  it('records the contribution and answers with the plan’s body and goal_progress; totals move exactly', async () => {
    const added = capture(t.ctx, 'goal.contribution_added');
    const { creator, member, goal } = await groupGoal();
    await contribute(goal.id, { amount: 1950 }, creator);
    const res = await contribute(goal.id, { amount: 150.1, note: '  From my savings! ', contribution_type: 'monetary' }, member);
    expect(res.statusCode).toBe(201);
    const body = res.json();
    expect(body).toEqual({
      id: expect.any(String),
      goal_id: goal.id,
      user_id: member.id,
      // Issue 15.11: the contributor's card, as GET /goals/:goalId/contributions shows it.
      user: { id: member.id, username: member.username, full_name: expect.any(String), profile_image_url: null },
      amount: 150.1,
      note: 'From my savings!',
      contribution_type: 'monetary',
      created_at: '2026-03-10T12:00:00.000Z',
      goal_progress: { current_amount: 2100.1, progress_percentage: 70, status: 'active' },
    });
    const after = (await get(`/api/v1/goals/${goal.id}`, member)).json();
    expect(after.current_amount).toBe(2100.1);
    expect(after.participants.map((p: { contribution_amount: number }) => p.contribution_amount)).toEqual([1950, 150.1]);
    await t.ctx.bus.drain();
    const event = added.find((e) => e.contributionId === body.id);
    expect(event).toEqual({
      goal: expect.objectContaining({ goalId: goal.id, participantIds: expect.arrayContaining([creator.id, member.id]) }),
      actor: { id: member.id, username: member.username, fullName: member.user.fullName, profileImageUrl: null },
      contributionId: body.id,
      amount: '150.10',
      contributionType: 'monetary',
      currency: 'USD',
      currentAmount: '2100.10',
      progressPercentage: 70,
      at: '2026-03-10T12:00:00.000Z',
    });
  });

  it('a check-in may carry no money (amount omitted or 0) but never a negative amount', async () => {
    const { member, goal } = await groupGoal();
    const omitted = await contribute(goal.id, { contribution_type: 'checkin', note: 'Went for a run' }, member);
    expect(omitted.statusCode).toBe(201);
    expect(omitted.json()).toMatchObject({ amount: 0, contribution_type: 'checkin', goal_progress: { current_amount: 0 } });
    expect((await contribute(goal.id, { amount: 0, contribution_type: 'checkin' }, member)).statusCode).toBe(201);
    expect((await contribute(goal.id, { amount: 5, contribution_type: 'milestone' }, member)).json().goal_progress.current_amount).toBe(5);
    const negative = await contribute(goal.id, { amount: -1, contribution_type: 'checkin' }, member);
    expect(negative.statusCode).toBe(422);
    expect(negative.json().error.code).toBe('invalid_amount');
  });

  it.each([
    [{ amount: -5 }, 'invalid_amount'],
    [{ amount: 0 }, 'invalid_amount'],
    [{}, 'invalid_amount'],
    [{ amount: 0.001 }, 'invalid_amount'],
    [{ amount: 10.555 }, 'invalid_amount'],
    [{ amount: 1_000_000.01 }, 'invalid_amount'],
    [{ amount: 1e7 }, 'invalid_amount'],
    [{ amount: 1e21 }, 'invalid_amount'],
    [{ amount: '150.00' }, 'validation_failed'],
    [{ amount: 'NaN' }, 'validation_failed'],
    [{ amount: null }, 'validation_failed'],
    [{ amount: true }, 'validation_failed'],
    [{ amount: [1] }, 'validation_failed'],
    [{ amount: 1, contribution_type: 'gift' }, 'validation_failed'],
    [{ amount: 1, note: 'x'.repeat(1001) }, 'validation_failed'],
    [{ amount: 1, user_id: UNKNOWN_ID }, 'validation_failed'],
    [{ amount: 1, current_amount: 999 }, 'validation_failed'],
  ])('refuses %j with 422 %s and writes nothing', async (body, code) => {
    const { member, goal } = await groupGoal();
    const before = await countRows(t.ctx, 'goal_contributions');
    const res = await contribute(goal.id, body, member);
    expect(res.statusCode).toBe(422);
    expect(res.json().error.code).toBe(code);
    expect(await countRows(t.ctx, 'goal_contributions')).toBe(before);
    const after = (await get(`/api/v1/goals/${goal.id}`, member)).json();
    expect(after.current_amount).toBe(0);
    expect(after.participants.every((p: { contribution_amount: number }) => p.contribution_amount === 0)).toBe(true);
  });

  it('accepts exactly 1,000,000 and exactly 0.01', async () => {
    const { member, goal } = await groupGoal({ target_amount: 5_000_000 });
    expect((await contribute(goal.id, { amount: 1_000_000 }, member)).statusCode).toBe(201);
    const res = await contribute(goal.id, { amount: 0.01 }, member);
    expect(res.json().goal_progress.current_amount).toBe(1_000_000.01);
  });

  it('who may not contribute: a visible non-participant → 403, someone who cannot see it → 404, a leaver → 403; nothing written', async () => {
    const { creator, member, goal } = await groupGoal({ is_public: true });
    const [friendOfCreator, stranger, partner] = [await makeUser(t.ctx), await makeUser(t.ctx), await makeUser(t.ctx)];
    await makeFriends(t.ctx, creator, friendOfCreator);
    await makePartners(t.ctx, partner, member);
    const before = await countRows(t.ctx, 'goal_contributions');
    const asFriend = await contribute(goal.id, { amount: 5 }, friendOfCreator);
    expect(asFriend.statusCode).toBe(403);
    expect(asFriend.json().error.code).toBe('not_a_participant');
    expect((await contribute(goal.id, { amount: 5 }, partner)).statusCode).toBe(403);
    const asStranger = await contribute(goal.id, { amount: 5 }, stranger);
    expect(asStranger.statusCode).toBe(404);
    expect(asStranger.json().error.code).toBe('goal_not_found');
    await del(`/api/v1/goals/${goal.id}/participants/${member.id}`, member);
    // Still the creator's friend and the goal is public: they see it, but no longer take part.
    const asLeaver = await contribute(goal.id, { amount: 5 }, member);
    expect(asLeaver.statusCode).toBe(403);
    expect(asLeaver.json().error.code).toBe('not_a_participant');
    expect((await contribute(goal.id, { amount: 5 })).statusCode).toBe(401);
    expect((await contribute('nope', { amount: 5 }, member)).statusCode).toBe(422);
    expect((await contribute(UNKNOWN_ID, { amount: 5 }, member)).statusCode).toBe(404);
    expect(await countRows(t.ctx, 'goal_contributions')).toBe(before);
  });

  it('a paused, cancelled or completed goal → 409 goal_not_active', async () => {
    const { creator, member, goal } = await groupGoal();
    await put(`/api/v1/goals/${goal.id}`, { status: 'paused' }, creator);
    const paused = await contribute(goal.id, { amount: 5 }, member);
    expect(paused.statusCode).toBe(409);
    expect(paused.json().error.code).toBe('goal_not_active');
    await put(`/api/v1/goals/${goal.id}`, { status: 'active' }, creator);
    await post(`/api/v1/goals/${goal.id}/complete`, undefined, creator);
    expect((await contribute(goal.id, { amount: 5 }, member)).statusCode).toBe(409);
  });

  it('reaching the target completes the goal in the same request, credits every active participant once and publishes goal.completed', async () => {
    const completed = capture(t.ctx, 'goal.completed');
    const { creator, member, goal } = await groupGoal({ target_amount: 100 });
    await contribute(goal.id, { amount: 60 }, creator);
    const res = await contribute(goal.id, { amount: 50 }, member);
    expect(res.json().goal_progress).toEqual({ current_amount: 110, progress_percentage: 100, status: 'completed' });
    const after = (await get(`/api/v1/goals/${goal.id}`, creator)).json();
    expect(after).toMatchObject({ status: 'completed', completed_at: '2026-03-10T12:00:00.000Z', progress_percentage: 100 });
    expect([await goalsAchieved(t.ctx, creator), await goalsAchieved(t.ctx, member)]).toEqual([1, 1]);
    expect((await contribute(goal.id, { amount: 1 }, member)).statusCode).toBe(409);
    await t.ctx.bus.drain();
    const events = completed.filter((e) => e.goal.goalId === goal.id);
    expect(events).toHaveLength(1);
    expect(events[0]?.actor.id).toBe(member.id);
  });

  it('the contribution that crosses a milestone’s target_value achieves it, credited to that contributor', async () => {
    const achieved = capture(t.ctx, 'goal.milestone_achieved');
    const { creator, member, goal } = await groupGoal({ target_amount: 1000 });
    const m = async (title: string, target_value?: number) =>
      (await post(`/api/v1/goals/${goal.id}/milestones`, { title, ...(target_value ? { target_value } : {}) }, creator)).json();
    const quarter = await m('Quarter', 250);
    const half = await m('Half', 500);
    const manual = await m('Booked flights');
    await contribute(goal.id, { amount: 249.99 }, creator);
    let milestones = (await get(`/api/v1/goals/${goal.id}`, creator)).json().milestones;
    expect(milestones.map((x: { achieved: boolean }) => x.achieved)).toEqual([false, false, false]);
    clock.advance(60_000);
    await contribute(goal.id, { amount: 300.01 }, member);
    milestones = (await get(`/api/v1/goals/${goal.id}`, creator)).json().milestones;
    expect(milestones).toEqual([
      expect.objectContaining({ id: quarter.id, achieved: true, achieved_by: member.id, achieved_at: '2026-03-10T12:01:00.000Z' }),
      expect.objectContaining({ id: half.id, achieved: true, achieved_by: member.id }),
      expect.objectContaining({ id: manual.id, achieved: false, achieved_by: null }),
    ]);
    await contribute(goal.id, { amount: 1 }, creator);
    expect((await get(`/api/v1/goals/${goal.id}`, creator)).json().milestones[0].achieved_by).toBe(member.id);
    await t.ctx.bus.drain();
    expect(achieved.filter((e) => e.goal.goalId === goal.id).map((e) => [e.milestoneTitle, e.actor.id]).sort()).toEqual(
      [
        ['Half', member.id],
        ['Quarter', member.id],
      ].sort(),
    );
  });

  it('a milestone goal’s progress is the share of achieved milestones', async () => {
    const { creator, member, goal } = await groupGoal({ target_type: 'milestone', target_amount: undefined });
    for (const [title, target_value] of [['a', 10], ['b', 20], ['c', 30], ['d', 40]] as const) {
      await post(`/api/v1/goals/${goal.id}/milestones`, { title, target_value }, creator);
    }
    const res = await contribute(goal.id, { amount: 25 }, member);
    expect(res.json().goal_progress).toEqual({ current_amount: 25, progress_percentage: 50, status: 'active' });
  });
});

describe('GET /api/v1/goals/:goalId/contributions', () => {
  it('lists contributions newest first with the contributor’s card, paged', async () => {
    const { creator, member, goal } = await groupGoal();
    const made: string[] = [];
    for (const [who, amount] of [[creator, 1], [member, 2], [creator, 3]] as const) {
      clock.advance(1000);
      made.push((await contribute(goal.id, { amount }, who)).json().id);
    }
    const res = await get(`/api/v1/goals/${goal.id}/contributions?limit=2`, member);
    expect(res.statusCode).toBe(200);
    expect(res.json().pagination).toEqual({ page: 1, limit: 2, total: 3, total_pages: 2 });
    expect(res.json().contributions.map((c: { id: string }) => c.id)).toEqual([made[2], made[1]]);
    expect(res.json().contributions[1]).toEqual({
      id: made[1],
      goal_id: goal.id,
      user_id: member.id,
      user: { id: member.id, username: member.username, full_name: member.user.fullName, profile_image_url: null },
      amount: 2,
      note: null,
      contribution_type: 'monetary',
      created_at: expect.stringMatching(/Z$/),
    });
    const page2 = await get(`/api/v1/goals/${goal.id}/contributions?limit=2&page=2`, member);
    expect(page2.json().contributions.map((c: { id: string }) => c.id)).toEqual([made[0]]);
    const recent = (await get(`/api/v1/goals/${goal.id}`, member)).json().recent_contributions;
    expect(recent.map((c: { id: string }) => c.id)).toEqual([...made].reverse());
  });

  it('follows the goal’s visibility: stranger 404, public-goal friend 200, no token 401, bad query 422', async () => {
    const { creator, goal } = await groupGoal();
    const [stranger, friend] = [await makeUser(t.ctx), await makeUser(t.ctx)];
    await makeFriends(t.ctx, creator, friend);
    expect((await get(`/api/v1/goals/${goal.id}/contributions`, stranger)).statusCode).toBe(404);
    expect((await get(`/api/v1/goals/${goal.id}/contributions`, friend)).statusCode).toBe(404);
    await put(`/api/v1/goals/${goal.id}`, { is_public: true }, creator);
    expect((await get(`/api/v1/goals/${goal.id}/contributions`, friend)).statusCode).toBe(200);
    expect((await get(`/api/v1/goals/${goal.id}/contributions`)).statusCode).toBe(401);
    expect((await get(`/api/v1/goals/${goal.id}/contributions?limit=0`, creator)).statusCode).toBe(422);
  });
});
