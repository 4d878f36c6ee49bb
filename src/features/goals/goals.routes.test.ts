import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countRows, makeBlock, makeFriends, makeUser } from '../../../test/factories.js';
import { createTestApp, type TestApp } from '../../../test/harness.js';
import { FakeClock } from '../../infra/clock/clock.js';
import { createGoal, goalsAchieved, NO_RATE_LIMITS, UNKNOWN_ID } from './goals.test-helpers.js';
import { http } from '../../../test/http.js';
import { capture } from '../../../test/capture.js';

const clock = new FakeClock('2026-03-10T12:00:00Z');
let t: TestApp;
const { get, post, put } = http(() => t);

/** Creating and editing goals. */
beforeAll(async () => {
  t = await createTestApp({ clock, env: NO_RATE_LIMITS });
});
afterAll(async () => t.close());

const fields = (res: { json: () => { error: { details: Array<{ field: string }> } } }) =>
  res.json().error.details.map((d) => d.field);

describe('POST /api/v1/goals', () => {
  it('creates an individual amount goal with the creator as its only participant, and publishes goal.created', async () => {
    const created = capture(t.ctx, 'goal.created');
    const u = await makeUser(t.ctx, { fullName: 'Brian Okuku' });
    const res = await post(
      '/api/v1/goals',
      {
        title: '  Trip to Costa Rica 🌴 ',
        description: 'Save money for our dream vacation',
        category: 'Travel',
        goal_type: 'individual',
        target_type: 'amount',
        target_amount: 3000,
        target_currency: 'EUR',
        target_date: '2026-06-30',
      },
      u,
    );
    expect(res.statusCode).toBe(201);
    const body = res.json();
    expect(body).toMatchObject({
      creator_id: u.id,
      title: 'Trip to Costa Rica 🌴',
      description: 'Save money for our dream vacation',
      category: 'travel',
      goal_type: 'individual',
      target_type: 'amount',
      target_amount: 3000,
      target_currency: 'EUR',
      target_date: '2026-06-30',
      days_remaining: 112,
      current_amount: 0,
      progress_percentage: 0,
      image_url: null,
      status: 'active',
      is_public: false,
      completed_at: null,
      my_role: 'creator',
      milestones: [],
      recent_contributions: [],
    });
    expect(body.created_at).toBe('2026-03-10T12:00:00.000Z');
    expect(body.participants).toEqual([
      {
        user_id: u.id,
        username: u.username,
        full_name: 'Brian Okuku',
        profile_image_url: null,
        role: 'creator',
        contribution_amount: 0,
        joined_at: '2026-03-10T12:00:00.000Z',
      },
    ]);
    await t.ctx.bus.drain();
    expect(created.find((e) => e.goal.goalId === body.id)).toEqual({
      goal: {
        goalId: body.id,
        title: 'Trip to Costa Rica 🌴',
        goalType: 'individual',
        category: 'travel',
        isPublic: false,
        creatorId: u.id,
        participantIds: [u.id],
      },
      actor: { id: u.id, username: u.username, fullName: 'Brian Okuku', profileImageUrl: null },
      at: '2026-03-10T12:00:00.000Z',
    });
  });

  it('creates a group goal with the creator’s friends as members', async () => {
    const [creator, a, b] = [await makeUser(t.ctx), await makeUser(t.ctx), await makeUser(t.ctx)];
    await makeFriends(t.ctx, creator, a);
    await makeFriends(t.ctx, b, creator);
    const goal = await createGoal(t, creator, { goal_type: 'group', participant_ids: [a.id, b.id, a.id, creator.id] });
    expect(goal.participants.map((p) => [p.user_id, p.role])).toEqual([
      [creator.id, 'creator'],
      ...[a.id, b.id].sort().map((id) => [id, 'member']),
    ]);
    expect((await get(`/api/v1/goals/${goal.id}`, a)).json().my_role).toBe('member');
  });

  it('when a participant is not a friend (or is blocked), returns 422 participants_not_friends naming them, and writes nothing', async () => {
    const [creator, friend, stranger, blocked] = [await makeUser(t.ctx), await makeUser(t.ctx), await makeUser(t.ctx), await makeUser(t.ctx)];
    await makeFriends(t.ctx, creator, friend);
    await makeFriends(t.ctx, creator, blocked);
    await makeBlock(t.ctx, blocked, creator);
    const before = await countRows(t.ctx, 'goals');
    const res = await post(
      '/api/v1/goals',
      { title: 'x', goal_type: 'group', target_type: 'milestone', participant_ids: [friend.id, stranger.id, blocked.id, UNKNOWN_ID] },
      creator,
    );
    expect(res.statusCode).toBe(422);
    expect(res.json().error.code).toBe('participants_not_friends');
    expect(res.json().error.details.map((d: { user_id: string }) => d.user_id).sort()).toEqual([stranger.id, blocked.id, UNKNOWN_ID].sort());
    expect(await countRows(t.ctx, 'goals')).toBe(before);
  });

  it('an individual goal with participant_ids → 422 participants_require_group_goal', async () => {
    const [creator, friend] = [await makeUser(t.ctx), await makeUser(t.ctx)];
    await makeFriends(t.ctx, creator, friend);
    const res = await post('/api/v1/goals', { title: 'x', goal_type: 'individual', target_type: 'milestone', participant_ids: [friend.id] }, creator);
    expect(res.statusCode).toBe(422);
    expect(res.json().error.code).toBe('participants_require_group_goal');
  });

  it.each([
    [{ target_type: 'amount' }, 'invalid_target', 'target_amount'],
    [{ target_type: 'date' }, 'invalid_target', 'target_date'],
    [{ target_type: 'milestone', target_amount: 10 }, 'invalid_target', 'target_amount'],
    [{ target_type: 'amount', target_amount: 0 }, 'invalid_target_amount', 'target_amount'],
    [{ target_type: 'amount', target_amount: -5 }, 'invalid_target_amount', 'target_amount'],
    [{ target_type: 'amount', target_amount: 10.005 }, 'invalid_target_amount', 'target_amount'],
    [{ target_type: 'amount', target_amount: 10_000_000_000 }, 'invalid_target_amount', 'target_amount'],
    [{ target_type: 'amount', target_amount: '100' }, 'validation_failed', 'target_amount'],
    [{ target_type: 'milestone', target_currency: 'usd' }, 'validation_failed', 'target_currency'],
    [{ target_type: 'milestone', target_currency: 'XYZ' }, 'invalid_currency', 'target_currency'],
    [{ target_type: 'milestone', target_date: '2026-02-30' }, 'validation_failed', 'target_date'],
    [{ target_type: 'milestone', target_date: '2026-03-09' }, 'target_date_in_past', 'target_date'],
    [{ target_type: 'milestone', title: '   ' }, 'invalid_title', 'title'],
    [{ target_type: 'milestone', title: 'x'.repeat(256) }, 'validation_failed', 'title'],
    [{ target_type: 'milestone', description: 'x'.repeat(5001) }, 'validation_failed', 'description'],
    [{ target_type: 'milestone', category: 'bad/slug!' }, 'invalid_category', 'category'],
    [{ target_type: 'forever' }, 'validation_failed', 'target_type'],
    [{ target_type: 'milestone', goal_type: 'solo' }, 'validation_failed', 'goal_type'],
    [{ target_type: 'milestone', image_url: 'https://evil.example/x.jpg' }, 'validation_failed', 'image_url'],
    [{ target_type: 'milestone', current_amount: 50 }, 'validation_failed', 'current_amount'],
    [{ target_type: 'milestone', creator_id: UNKNOWN_ID }, 'validation_failed', 'creator_id'],
    [{ target_type: 'milestone', status: 'completed' }, 'validation_failed', 'status'],
    [{ target_type: 'milestone', participant_ids: ['not-a-uuid'] }, 'validation_failed', 'participant_ids.0'],
  ])('refuses %j with 422 %s naming %s, and writes nothing', async (body, code, field) => {
    const u = await makeUser(t.ctx);
    const before = await countRows(t.ctx, 'goals');
    const res = await post('/api/v1/goals', { title: 'A goal', goal_type: 'individual', ...body }, u);
    expect(res.statusCode).toBe(422);
    expect(res.json().error.code).toBe(code);
    expect(fields(res)).toContain(field);
    expect(await countRows(t.ctx, 'goals')).toBe(before);
  });

  it('judges “not in the past” by the creator’s own time zone', async () => {
    // 2026-03-10T12:00Z is already 2026-03-11 in Kiritimati (UTC+14) but still 2026-03-10 in Honolulu.
    const east = await makeUser(t.ctx);
    const west = await makeUser(t.ctx);
    await t.ctx.database.db.execute(sql`update users set timezone = 'Pacific/Kiritimati' where id = ${east.id}`);
    await t.ctx.database.db.execute(sql`update users set timezone = 'Pacific/Honolulu' where id = ${west.id}`);
    const body = { title: 'x', goal_type: 'individual', target_type: 'date', target_date: '2026-03-10' };
    expect((await post('/api/v1/goals', body, west)).statusCode).toBe(201);
    const refused = await post('/api/v1/goals', body, east);
    expect(refused.statusCode).toBe(422);
    expect(refused.json().error.code).toBe('target_date_in_past');
  });

  it('without a token → 401', async () => {
    expect((await post('/api/v1/goals', { title: 'x', goal_type: 'individual', target_type: 'milestone' })).statusCode).toBe(401);
  });
});

describe('PUT /api/v1/goals/:goalId', () => {
  it('the creator edits fields partially and goal.updated names them', async () => {
    const updated = capture(t.ctx, 'goal.updated');
    const u = await makeUser(t.ctx);
    const goal = await createGoal(t, u, { category: 'travel' });
    const res = await put(`/api/v1/goals/${goal.id}`, { title: 'Bigger bike', description: null, is_public: true, status: 'paused' }, u);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ title: 'Bigger bike', description: null, category: 'travel', is_public: true, status: 'paused', target_amount: 100 });
    await t.ctx.bus.drain();
    expect(updated.find((e) => e.goal.goalId === goal.id)?.changed).toEqual(['title', 'description', 'is_public', 'status']);
  });

  it('switching target_type away from amount clears target_amount; to date needs target_date', async () => {
    const u = await makeUser(t.ctx);
    const goal = await createGoal(t, u);
    const toMilestone = await put(`/api/v1/goals/${goal.id}`, { target_type: 'milestone' }, u);
    expect(toMilestone.json()).toMatchObject({ target_type: 'milestone', target_amount: null });
    const toDate = await put(`/api/v1/goals/${goal.id}`, { target_type: 'date' }, u);
    expect(toDate.statusCode).toBe(422);
    expect(fields(toDate)).toEqual(['target_date']);
    const ok = await put(`/api/v1/goals/${goal.id}`, { target_type: 'date', target_date: '2026-12-31' }, u);
    expect(ok.json()).toMatchObject({ target_type: 'date', target_date: '2026-12-31', days_remaining: 296 });
  });

  it('lowering an active amount goal’s target to its current amount completes it and credits goals_achieved once', async () => {
    const completed = capture(t.ctx, 'goal.completed');
    const u = await makeUser(t.ctx);
    const goal = await createGoal(t, u, { target_amount: 100 });
    await post(`/api/v1/goals/${goal.id}/contributions`, { amount: 40 }, u);
    const res = await put(`/api/v1/goals/${goal.id}`, { target_amount: 40 }, u);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ status: 'completed', progress_percentage: 100, completed_at: '2026-03-10T12:00:00.000Z' });
    expect(await goalsAchieved(t.ctx, u)).toBe(1);
    const again = await put(`/api/v1/goals/${goal.id}`, { target_amount: 30 }, u);
    expect(again.statusCode).toBe(409);
    expect(again.json().error.code).toBe('goal_already_completed');
    expect((await put(`/api/v1/goals/${goal.id}`, { status: 'active' }, u)).statusCode).toBe(409);
    expect((await put(`/api/v1/goals/${goal.id}`, { title: 'Still editable' }, u)).statusCode).toBe(200);
    expect(await goalsAchieved(t.ctx, u)).toBe(1);
    await t.ctx.bus.drain();
    expect(completed.filter((e) => e.goal.goalId === goal.id)).toHaveLength(1);
  });

  it('raising the target recomputes progress_percentage', async () => {
    const u = await makeUser(t.ctx);
    const goal = await createGoal(t, u, { target_amount: 100 });
    await post(`/api/v1/goals/${goal.id}/contributions`, { amount: 25 }, u);
    expect((await put(`/api/v1/goals/${goal.id}`, { target_amount: 200 }, u)).json().progress_percentage).toBe(12.5);
  });

  it('a non-creator participant → 403 not_goal_creator; a stranger → 404; nothing changes', async () => {
    const [creator, member, stranger] = [await makeUser(t.ctx), await makeUser(t.ctx), await makeUser(t.ctx)];
    await makeFriends(t.ctx, creator, member);
    const goal = await createGoal(t, creator, { goal_type: 'group', participant_ids: [member.id] });
    const asMember = await put(`/api/v1/goals/${goal.id}`, { title: 'Mine now' }, member);
    expect(asMember.statusCode).toBe(403);
    expect(asMember.json().error.code).toBe('not_goal_creator');
    const asStranger = await put(`/api/v1/goals/${goal.id}`, { title: 'Mine now' }, stranger);
    expect(asStranger.statusCode).toBe(404);
    expect(asStranger.json().error.code).toBe('goal_not_found');
    expect((await get(`/api/v1/goals/${goal.id}`, creator)).json().title).toBe('Save for a bike');
  });

  it.each([
    [{ status: 'completed' }, 'status'],
    [{ current_amount: 1 }, 'current_amount'],
    [{ creator_id: UNKNOWN_ID }, 'creator_id'],
    [{ image_url: 'https://evil.example/x.jpg' }, 'image_url'],
    [{ progress_percentage: 100 }, 'progress_percentage'],
    [{ target_amount: 1.234 }, 'target_amount'],
    [{ target_date: '2020-01-01' }, 'target_date'],
    [{ target_currency: 'ABC' }, 'target_currency'],
  ])('refuses %j with 422 naming %s and changes nothing', async (body, field) => {
    const u = await makeUser(t.ctx);
    const goal = await createGoal(t, u);
    const res = await put(`/api/v1/goals/${goal.id}`, body, u);
    expect(res.statusCode).toBe(422);
    expect(fields(res)).toContain(field);
    const after = (await get(`/api/v1/goals/${goal.id}`, u)).json();
    expect(after).toMatchObject({ status: 'active', current_amount: 0, target_amount: 100, updated_at: goal.updated_at });
  });

  it('an empty body changes nothing, not even updated_at', async () => {
    const u = await makeUser(t.ctx);
    const goal = await createGoal(t, u);
    clock.advance(1000);
    const res = await put(`/api/v1/goals/${goal.id}`, {}, u);
    expect(res.statusCode).toBe(200);
    expect(res.json().updated_at).toBe(goal.updated_at);
  });

  it('a non-UUID id → 422; an unknown id → 404; no token → 401', async () => {
    const u = await makeUser(t.ctx);
    expect((await put('/api/v1/goals/nope', { title: 'x' }, u)).statusCode).toBe(422);
    expect((await put(`/api/v1/goals/${UNKNOWN_ID}`, { title: 'x' }, u)).statusCode).toBe(404);
    expect((await put(`/api/v1/goals/${UNKNOWN_ID}`, { title: 'x' })).statusCode).toBe(401);
  });
});
