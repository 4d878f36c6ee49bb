import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countRows, makeFriends, makeUser } from '../../../test/factories.js';
import { createTestApp, type TestApp } from '../../../test/harness.js';
import { FakeClock } from '../../infra/clock/clock.js';
import { createGoal, NO_RATE_LIMITS, UNKNOWN_ID } from './goals.test-helpers.js';
import { http } from '../../../test/http.js';
import { capture } from '../../../test/capture.js';

const clock = new FakeClock('2026-03-10T12:00:00Z');
let t: TestApp;
const { get, post, put, del } = http(() => t);

beforeAll(async () => {
  t = await createTestApp({ clock, env: NO_RATE_LIMITS });
});
afterAll(async () => t.close());

async function setup(body: Record<string, unknown> = {}) {
  const [creator, member, stranger] = [await makeUser(t.ctx), await makeUser(t.ctx), await makeUser(t.ctx)];
  await makeFriends(t.ctx, creator, member);
  const goal = await createGoal(t, creator, { goal_type: 'group', participant_ids: [member.id], target_amount: 1000, ...body });
  const base = `/api/v1/goals/${goal.id}/milestones`;
  return { creator, member, stranger, goal, base };
}

describe('POST /api/v1/goals/:goalId/milestones', () => {
  it('the creator adds milestones; without order_index each goes last; the goal lists them by order_index', async () => {
    const { creator, member, goal, base } = await setup();
    const first = await post(base, { title: 'Book flights', description: 'cheap ones' }, creator);
    expect(first.statusCode).toBe(201);
    expect(first.json()).toEqual({
      id: expect.any(String),
      goal_id: goal.id,
      title: 'Book flights',
      description: 'cheap ones',
      target_value: null,
      achieved: false,
      achieved_at: null,
      achieved_by: null,
      order_index: 0,
      created_at: '2026-03-10T12:00:00.000Z',
    });
    const second = await post(base, { title: 'Half way', target_value: 500 }, creator);
    expect(second.json()).toMatchObject({ order_index: 1, target_value: 500 });
    const early = await post(base, { title: 'First step', order_index: 0 }, creator);
    const late = await post(base, { title: 'Unordered', order_index: null }, creator);
    expect(late.json().order_index).toBe(2);
    const titles = (await get(`/api/v1/goals/${goal.id}`, member)).json().milestones.map((m: { title: string }) => m.title);
    expect(titles.slice(0, 2).sort()).toEqual(['Book flights', 'First step']);
    expect(titles.slice(2)).toEqual(['Half way', 'Unordered']);
    expect(early.statusCode).toBe(201);
  });

  it('a milestone whose target_value the goal already reached is created achieved, with achieved_by null and no event', async () => {
    const achieved = capture(t.ctx, 'goal.milestone_achieved');
    const { creator, member, goal, base } = await setup();
    await post(`/api/v1/goals/${goal.id}/contributions`, { amount: 300 }, member);
    const res = await post(base, { title: 'Quarter', target_value: 250 }, creator);
    expect(res.json()).toMatchObject({ achieved: true, achieved_by: null, achieved_at: '2026-03-10T12:00:00.000Z' });
    await t.ctx.bus.drain();
    expect(achieved.filter((e) => e.goal.goalId === goal.id)).toEqual([]);
  });

  it('a member → 403, a stranger → 404, no token → 401; bad input → 422; nothing written', async () => {
    const { creator, member, stranger, base } = await setup();
    const before = await countRows(t.ctx, 'goal_milestones');
    const asMember = await post(base, { title: 'x' }, member);
    expect(asMember.statusCode).toBe(403);
    expect(asMember.json().error.code).toBe('not_goal_creator');
    expect((await post(base, { title: 'x' }, stranger)).statusCode).toBe(404);
    expect((await post(base, { title: 'x' })).statusCode).toBe(401);
    for (const body of [
      {},
      { title: '' },
      { title: '  ' },
      { title: 'x', target_value: 0 },
      { title: 'x', target_value: -1 },
      { title: 'x', target_value: 1.001 },
      { title: 'x', target_value: '5' },
      { title: 'x', order_index: -1 },
      { title: 'x', order_index: 1.5 },
      { title: 'x', achieved: true },
      { title: 'x', goal_id: UNKNOWN_ID },
    ]) {
      const res = await post(base, body, creator);
      expect(res.statusCode, JSON.stringify(body)).toBe(422);
    }
    expect(await countRows(t.ctx, 'goal_milestones')).toBe(before);
  });
});

describe('PUT /api/v1/goals/:goalId/milestones/:milestoneId', () => {
  it('the creator edits fields; lowering target_value to a reached amount achieves it (achieved_by null)', async () => {
    const { creator, member, goal, base } = await setup();
    const m = (await post(base, { title: 'Half', target_value: 500 }, creator)).json();
    await post(`/api/v1/goals/${goal.id}/contributions`, { amount: 300 }, member);
    const res = await put(`${base}/${m.id}`, { title: 'Quarter', description: 'a start', target_value: 250, order_index: 7 }, creator);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ title: 'Quarter', description: 'a start', target_value: 250, order_index: 7, achieved: true, achieved_by: null });
  });

  it('any active participant ticks a milestone without target_value: achieved_by = caller, event published once', async () => {
    const achieved = capture(t.ctx, 'goal.milestone_achieved');
    const { creator, member, goal, base } = await setup({ target_type: 'milestone', target_amount: undefined });
    const m = (await post(base, { title: 'Booked flights' }, creator)).json();
    await post(base, { title: 'Packed bags' }, creator);
    clock.advance(5000);
    const res = await put(`${base}/${m.id}`, { achieved: true }, member);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ achieved: true, achieved_by: member.id, achieved_at: '2026-03-10T12:00:05.000Z' });
    expect((await get(`/api/v1/goals/${goal.id}`, member)).json().progress_percentage).toBe(50);
    const again = await put(`${base}/${m.id}`, { achieved: true }, creator);
    expect(again.statusCode).toBe(200);
    expect(again.json().achieved_by).toBe(member.id);
    await t.ctx.bus.drain();
    const events = achieved.filter((e) => e.goal.goalId === goal.id);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ milestoneId: m.id, milestoneTitle: 'Booked flights', actor: { id: member.id } });
  });

  it('a milestone with a target_value cannot be ticked by hand → 422 milestone_has_target', async () => {
    const { creator, member, base } = await setup();
    const m = (await post(base, { title: 'Half', target_value: 500 }, creator)).json();
    const res = await put(`${base}/${m.id}`, { achieved: true }, member);
    expect(res.statusCode).toBe(422);
    expect(res.json().error.code).toBe('milestone_has_target');
  });

  it('who may not: a member editing fields → 403, a non-participant ticking → 403, a stranger → 404, a paused goal → 409', async () => {
    const { creator, member, stranger, goal, base } = await setup({ is_public: true });
    const friend = await makeUser(t.ctx);
    await makeFriends(t.ctx, creator, friend);
    const m = (await post(base, { title: 'Manual' }, creator)).json();
    const edit = await put(`${base}/${m.id}`, { title: 'Mine' }, member);
    expect(edit.statusCode).toBe(403);
    expect(edit.json().error.code).toBe('not_goal_creator');
    const tick = await put(`${base}/${m.id}`, { achieved: true }, friend);
    expect(tick.statusCode).toBe(403);
    expect(tick.json().error.code).toBe('not_a_participant');
    expect((await put(`${base}/${m.id}`, { achieved: true }, stranger)).statusCode).toBe(404);
    await put(`/api/v1/goals/${goal.id}`, { status: 'paused' }, creator);
    const paused = await put(`${base}/${m.id}`, { achieved: true }, member);
    expect(paused.statusCode).toBe(409);
    expect(paused.json().error.code).toBe('goal_not_active');
    expect((await get(`/api/v1/goals/${goal.id}`, creator)).json().milestones[0]).toMatchObject({ title: 'Manual', achieved: false });
  });

  it('unknown milestone → 404 milestone_not_found; achieved: false → 422; bad ids → 422; no token → 401', async () => {
    const { creator, base } = await setup();
    const m = (await post(base, { title: 'x' }, creator)).json();
    const missing = await put(`${base}/${UNKNOWN_ID}`, { title: 'y' }, creator);
    expect(missing.statusCode).toBe(404);
    expect(missing.json().error.code).toBe('milestone_not_found');
    expect((await put(`${base}/${m.id}`, { achieved: false }, creator)).statusCode).toBe(422);
    expect((await put(`${base}/not-a-uuid`, { title: 'y' }, creator)).statusCode).toBe(422);
    expect((await put(`${base}/${m.id}`, { title: 'y' })).statusCode).toBe(401);
  });

  it('a milestone of another goal is not found through this one', async () => {
    const a = await setup();
    const b = await setup();
    const m = (await post(b.base, { title: 'b’s' }, b.creator)).json();
    expect((await put(`${a.base}/${m.id}`, { title: 'hijack' }, a.creator)).statusCode).toBe(404);
    expect((await del(`${a.base}/${m.id}`, a.creator)).statusCode).toBe(404);
    expect((await get(`/api/v1/goals/${b.goal.id}`, b.creator)).json().milestones[0].title).toBe('b’s');
  });
});

describe('DELETE /api/v1/goals/:goalId/milestones/:milestoneId', () => {
  it('the creator deletes a milestone and the progress of a milestone goal is recomputed', async () => {
    const { creator, member, goal, base } = await setup({ target_type: 'milestone', target_amount: undefined });
    const a = (await post(base, { title: 'a' }, creator)).json();
    const b = (await post(base, { title: 'b' }, creator)).json();
    await put(`${base}/${a.id}`, { achieved: true }, member);
    expect((await get(`/api/v1/goals/${goal.id}`, creator)).json().progress_percentage).toBe(50);
    expect((await del(`${base}/${b.id}`, member)).statusCode).toBe(403);
    const res = await del(`${base}/${b.id}`, creator);
    expect(res.statusCode).toBe(204);
    expect((await get(`/api/v1/goals/${goal.id}`, creator)).json().progress_percentage).toBe(100);
    expect((await del(`${base}/${b.id}`, creator)).statusCode).toBe(404);
  });

  it('a stranger → 404 and no token → 401', async () => {
    const { creator, stranger, base } = await setup();
    const m = (await post(base, { title: 'x' }, creator)).json();
    expect((await del(`${base}/${m.id}`, stranger)).statusCode).toBe(404);
    expect((await del(`${base}/${m.id}`)).statusCode).toBe(401);
    expect(await countRows(t.ctx, `goal_milestones where id = '${m.id}'`)).toBe(1);
  });
});
