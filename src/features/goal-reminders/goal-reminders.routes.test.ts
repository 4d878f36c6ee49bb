import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countRows, makeUser, type TestUser } from '../../../test/factories.js';
import { createTestApp, type TestApp } from '../../../test/harness.js';
import type { AppContext } from '../../context.js';
import { FakeClock } from '../../infra/clock/clock.js';
import { queryRows } from '../../infra/db/rows.js';

let t: TestApp;
const clock = new FakeClock('2026-01-15T12:00:00Z'); // a Thursday
const MISSING = '00000000-0000-4000-8000-000000000000';

const req = (method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, who?: TestUser, payload?: unknown) =>
  t.app.inject({ method, url, headers: who ? who.auth : {}, ...(payload !== undefined ? { payload: payload as object } : {}) });
const base = (goalId: string) => `/api/v1/goals/${goalId}/reminders`;

/**
 * A goal with its participants, written directly (as the factories write social-graph rows) so
 * these tests do not depend on the goals core's endpoints.
 */
async function makeGoal(
  ctx: AppContext,
  creator: TestUser,
  options: { members?: TestUser[]; status?: string } = {},
): Promise<string> {
  const [goal] = await queryRows<{ id: string }>(
    ctx.database.db,
    sql`insert into goals (creator_id, title, goal_type, target_type, status)
        values (${creator.id}, 'Run a marathon', ${options.members?.length ? 'group' : 'individual'}, 'milestone', ${options.status ?? 'active'})
        returning id`,
  );
  await ctx.database.db.execute(
    sql`insert into goal_participants (goal_id, user_id, role) values (${goal!.id}, ${creator.id}, 'creator')`,
  );
  for (const m of options.members ?? []) {
    await ctx.database.db.execute(sql`insert into goal_participants (goal_id, user_id, role) values (${goal!.id}, ${m.id}, 'member')`);
  }
  return goal!.id;
}

const reminderCount = (goalId: string) => countRows(t.ctx, `goal_reminders where goal_id = '${goalId}'`);

beforeAll(async () => {
  t = await createTestApp({ clock });
});
afterAll(async () => t.close());

describe('POST /api/v1/goals/:goalId/reminders', () => {
  it('creates a daily reminder in the caller’s profile time zone with its next firing instant → 201', async () => {
    const u = await makeUser(t.ctx);
    expect((await req('PUT', '/api/v1/users/me', u, { timezone: 'America/New_York' })).statusCode).toBe(200);
    const goalId = await makeGoal(t.ctx, u);
    const res = await req('POST', base(goalId), u, { reminder_type: 'daily', reminder_time: '08:00' });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toEqual({
      id: expect.any(String),
      goal_id: goalId,
      reminder_type: 'daily',
      reminder_time: '08:00',
      reminder_days: null,
      timezone: 'America/New_York',
      is_active: true,
      next_fire_at: '2026-01-15T13:00:00.000Z', // 08:00 EST today: 12:00Z is 07:00 there
      last_fired_at: null,
      created_at: '2026-01-15T12:00:00.000Z',
    });
  });

  it('a weekly reminder with an explicit zone stores its days sorted and fires on the next listed local weekday', async () => {
    const u = await makeUser(t.ctx);
    const goalId = await makeGoal(t.ctx, u);
    const res = await req('POST', base(goalId), u, {
      reminder_type: 'weekly',
      reminder_time: '07:30',
      reminder_days: [5, 1],
      timezone: 'Africa/Nairobi',
    });
    expect(res.statusCode).toBe(201);
    // Thursday 15:00 in Nairobi → Friday 07:30 +03:00.
    expect(res.json()).toMatchObject({ reminder_days: [1, 5], timezone: 'Africa/Nairobi', next_fire_at: '2026-01-16T04:30:00.000Z' });
  });

  it('a zone name in another case is stored canonically', async () => {
    const u = await makeUser(t.ctx);
    const goalId = await makeGoal(t.ctx, u);
    const res = await req('POST', base(goalId), u, { reminder_type: 'daily', reminder_time: '21:00', timezone: 'europe/berlin' });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({ timezone: 'Europe/Berlin', next_fire_at: '2026-01-15T20:00:00.000Z' });
  });

  it('any active participant of a group goal may set their own reminders', async () => {
    const creator = await makeUser(t.ctx);
    const member = await makeUser(t.ctx);
    const goalId = await makeGoal(t.ctx, creator, { members: [member] });
    expect((await req('POST', base(goalId), member, { reminder_type: 'custom', reminder_time: '06:00', reminder_days: [0, 6] })).statusCode).toBe(201);
  });

  it('without a token → 401', async () => {
    const u = await makeUser(t.ctx);
    const goalId = await makeGoal(t.ctx, u);
    expect((await req('POST', base(goalId), undefined, { reminder_type: 'daily', reminder_time: '08:00' })).statusCode).toBe(401);
    expect(await reminderCount(goalId)).toBe(0);
  });

  it('a non-participant, a participant who left, and a missing goal all get 404 goal_not_found; nothing is written', async () => {
    const owner = await makeUser(t.ctx);
    const stranger = await makeUser(t.ctx);
    const leaver = await makeUser(t.ctx);
    const goalId = await makeGoal(t.ctx, owner, { members: [leaver] });
    await t.ctx.database.db.execute(sql`update goal_participants set left_at = now() where goal_id = ${goalId} and user_id = ${leaver.id}`);
    const body = { reminder_type: 'daily', reminder_time: '08:00' };
    for (const [who, id] of [
      [stranger, goalId],
      [leaver, goalId],
      [owner, MISSING],
    ] as const) {
      const res = await req('POST', base(id), who, body);
      expect(res.statusCode).toBe(404);
      expect(res.json().error.code).toBe('goal_not_found');
    }
    expect(await reminderCount(goalId)).toBe(0);
  });

  it('on a completed or cancelled goal → 409 goal_not_active', async () => {
    const u = await makeUser(t.ctx);
    for (const status of ['completed', 'cancelled']) {
      const goalId = await makeGoal(t.ctx, u, { status });
      const res = await req('POST', base(goalId), u, { reminder_type: 'daily', reminder_time: '08:00' });
      expect(res.statusCode).toBe(409);
      expect(res.json().error.code).toBe('goal_not_active');
      expect(await reminderCount(goalId)).toBe(0);
    }
  });

  it('at most 10 per user and goal, even when requested concurrently: the rest → 422 too_many_reminders', async () => {
    const u = await makeUser(t.ctx);
    const other = await makeUser(t.ctx);
    const goalId = await makeGoal(t.ctx, u, { members: [other] });
    const results = await Promise.all(
      Array.from({ length: 13 }, (_, i) =>
        req('POST', base(goalId), u, { reminder_type: 'daily', reminder_time: `0${i % 10}:15` }),
      ),
    );
    expect(results.filter((r) => r.statusCode === 201)).toHaveLength(10);
    const refused = results.filter((r) => r.statusCode !== 201);
    expect(refused.map((r) => r.statusCode)).toEqual([422, 422, 422]);
    expect(refused[0]!.json().error.code).toBe('too_many_reminders');
    expect(await reminderCount(goalId)).toBe(10);
    // The limit is per user: another participant still may.
    expect((await req('POST', base(goalId), other, { reminder_type: 'daily', reminder_time: '08:00' })).statusCode).toBe(201);
  });

  describe('bad input → 422 naming the field, nothing written', () => {
    const cases: Array<[string, unknown, string]> = [
      ['hour 25', { reminder_type: 'daily', reminder_time: '25:00' }, 'reminder_time'],
      ['one-digit hour', { reminder_type: 'daily', reminder_time: '8:00' }, 'reminder_time'],
      ['minute 60', { reminder_type: 'daily', reminder_time: '12:60' }, 'reminder_time'],
      ['seconds', { reminder_type: 'daily', reminder_time: '12:00:00' }, 'reminder_time'],
      ['time as a number', { reminder_type: 'daily', reminder_time: 800 }, 'reminder_time'],
      ['missing time', { reminder_type: 'daily' }, 'reminder_time'],
      ['unknown type', { reminder_type: 'hourly', reminder_time: '08:00' }, 'reminder_type'],
      ['day 7', { reminder_type: 'custom', reminder_time: '08:00', reminder_days: [1, 7] }, 'reminder_days.1'],
      ['day -1', { reminder_type: 'custom', reminder_time: '08:00', reminder_days: [-1] }, 'reminder_days.0'],
      ['duplicate days', { reminder_type: 'custom', reminder_time: '08:00', reminder_days: [1, 1] }, 'reminder_days'],
      ['days as strings', { reminder_type: 'custom', reminder_time: '08:00', reminder_days: ['1'] }, 'reminder_days.0'],
      ['empty days for weekly', { reminder_type: 'weekly', reminder_time: '08:00', reminder_days: [] }, 'reminder_days'],
      ['no days for weekly', { reminder_type: 'weekly', reminder_time: '08:00' }, 'reminder_days'],
      ['no days for custom', { reminder_type: 'custom', reminder_time: '08:00' }, 'reminder_days'],
      ['days for daily', { reminder_type: 'daily', reminder_time: '08:00', reminder_days: [1] }, 'reminder_days'],
      ['unknown zone', { reminder_type: 'daily', reminder_time: '08:00', timezone: 'Mars/Olympus' }, 'timezone'],
      ['raw offset', { reminder_type: 'daily', reminder_time: '08:00', timezone: '+05:00' }, 'timezone'],
      ['extra field', { reminder_type: 'daily', reminder_time: '08:00', is_active: false }, 'is_active'],
      ['server-owned field', { reminder_type: 'daily', reminder_time: '08:00', next_fire_at: '2026-01-01T00:00:00Z' }, 'next_fire_at'],
    ];
    it.each(cases)('%s', async (_name, body, field) => {
      const u = await makeUser(t.ctx);
      const goalId = await makeGoal(t.ctx, u);
      const res = await req('POST', base(goalId), u, body);
      expect(res.statusCode).toBe(422);
      expect(res.json().error.details.map((d: { field?: string }) => d.field)).toContain(field);
      expect(await reminderCount(goalId)).toBe(0);
    });

    it('a goal id that is not a UUID', async () => {
      const u = await makeUser(t.ctx);
      const res = await req('POST', base('not-a-uuid'), u, { reminder_type: 'daily', reminder_time: '08:00' });
      expect(res.statusCode).toBe(422);
      expect(res.json().error.details[0].field).toBe('goalId');
    });
  });
});

describe('GET /api/v1/goals/:goalId/reminders', () => {
  it('lists only the caller’s own reminders on that goal, oldest first', async () => {
    const a = await makeUser(t.ctx);
    const b = await makeUser(t.ctx);
    const goalId = await makeGoal(t.ctx, a, { members: [b] });
    const otherGoal = await makeGoal(t.ctx, a);
    const first = (await req('POST', base(goalId), a, { reminder_type: 'daily', reminder_time: '08:00' })).json();
    clock.advance(1000);
    const second = (await req('POST', base(goalId), a, { reminder_type: 'custom', reminder_time: '20:00', reminder_days: [2] })).json();
    await req('POST', base(goalId), b, { reminder_type: 'daily', reminder_time: '09:00' });
    await req('POST', base(otherGoal), a, { reminder_type: 'daily', reminder_time: '10:00' });
    const res = await req('GET', base(goalId), a);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ reminders: [first, second] });
  });

  it('an active participant without reminders gets an empty list', async () => {
    const u = await makeUser(t.ctx);
    const goalId = await makeGoal(t.ctx, u);
    expect((await req('GET', base(goalId), u)).json()).toEqual({ reminders: [] });
  });

  it('without a token → 401; a non-participant → 404 goal_not_found', async () => {
    const u = await makeUser(t.ctx);
    const stranger = await makeUser(t.ctx);
    const goalId = await makeGoal(t.ctx, u);
    expect((await req('GET', base(goalId))).statusCode).toBe(401);
    const res = await req('GET', base(goalId), stranger);
    expect(res.statusCode).toBe(404);
    expect(res.json().error.code).toBe('goal_not_found');
  });
});

describe('PUT /api/v1/goals/:goalId/reminders/:reminderId', () => {
  async function setup() {
    const u = await makeUser(t.ctx);
    const goalId = await makeGoal(t.ctx, u);
    const created = (
      await req('POST', base(goalId), u, { reminder_type: 'weekly', reminder_time: '08:00', reminder_days: [1], timezone: 'UTC' })
    ).json();
    return { u, goalId, created, url: `${base(goalId)}/${created.id}` };
  }

  it('changes only the given fields and moves next_fire_at to the new schedule', async () => {
    const { u, url, created } = await setup();
    expect(created.next_fire_at).toBe('2026-01-19T08:00:00.000Z'); // next Monday
    const res = await req('PUT', url, u, { reminder_time: '18:45', reminder_days: [4, 2] });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      ...created,
      reminder_time: '18:45',
      reminder_days: [2, 4],
      next_fire_at: '2026-01-15T18:45:00.000Z', // today (Thursday), still ahead
    });
    expect((await req('GET', base(created.goal_id), u)).json().reminders).toEqual([res.json()]);
  });

  it('is_active false pauses (no next_fire_at); true resumes from now, not from where it stopped', async () => {
    const u = await makeUser(t.ctx);
    const goalId = await makeGoal(t.ctx, u);
    const start = clock.now();
    try {
      clock.set('2026-01-15T12:00:00Z');
      const created = (await req('POST', base(goalId), u, { reminder_type: 'daily', reminder_time: '12:05', timezone: 'UTC' })).json();
      expect(created.next_fire_at).toBe('2026-01-15T12:05:00.000Z');
      const url = `${base(goalId)}/${created.id}`;
      const paused = await req('PUT', url, u, { is_active: false });
      expect(paused.json()).toMatchObject({ is_active: false, next_fire_at: null });
      clock.set('2026-01-15T12:10:00Z'); // within the access token's lifetime
      const resumed = await req('PUT', url, u, { is_active: true });
      expect(resumed.json()).toMatchObject({ is_active: true, next_fire_at: '2026-01-16T12:05:00.000Z' });
    } finally {
      clock.set(start);
    }
  });

  it('switching to daily drops the days; switching back needs days again', async () => {
    const { u, url } = await setup();
    const toDaily = await req('PUT', url, u, { reminder_type: 'daily' });
    expect(toDaily.json()).toMatchObject({ reminder_type: 'daily', reminder_days: null, next_fire_at: '2026-01-16T08:00:00.000Z' });
    const noDays = await req('PUT', url, u, { reminder_type: 'custom' });
    expect(noDays.statusCode).toBe(422);
    expect(noDays.json().error.details[0].field).toBe('reminder_days');
    const withDays = await req('PUT', url, u, { reminder_type: 'custom', reminder_days: [6] });
    expect(withDays.json()).toMatchObject({ reminder_type: 'custom', reminder_days: [6] });
  });

  it('an empty body changes nothing', async () => {
    const { u, url, created } = await setup();
    const res = await req('PUT', url, u, {});
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual(created);
  });

  it('bad input → 422 naming the field, the reminder unchanged', async () => {
    const { u, url, created } = await setup();
    const cases: Array<[unknown, string]> = [
      [{ reminder_time: '24:00' }, 'reminder_time'],
      [{ reminder_days: [8] }, 'reminder_days.0'],
      [{ reminder_days: [] }, 'reminder_days'],
      [{ timezone: 'Nowhere/Land' }, 'timezone'],
      [{ is_active: 'no' }, 'is_active'],
      [{ reminder_type: 'daily', reminder_days: [1] }, 'reminder_days'],
      [{ user_id: u.id }, 'user_id'],
    ];
    for (const [body, field] of cases) {
      const res = await req('PUT', url, u, body);
      expect(res.statusCode, JSON.stringify(body)).toBe(422);
      expect(res.json().error.details.map((d: { field?: string }) => d.field)).toContain(field);
    }
    expect((await req('GET', base(created.goal_id), u)).json().reminders).toEqual([created]);
  });

  it('days on a daily reminder → 422', async () => {
    const u = await makeUser(t.ctx);
    const goalId = await makeGoal(t.ctx, u);
    const created = (await req('POST', base(goalId), u, { reminder_type: 'daily', reminder_time: '08:00' })).json();
    const res = await req('PUT', `${base(goalId)}/${created.id}`, u, { reminder_days: [1] });
    expect(res.statusCode).toBe(422);
    expect(res.json().error.code).toBe('invalid_reminder_days');
  });

  it('another participant’s reminder, or one of another goal → 404 reminder_not_found, unchanged', async () => {
    const a = await makeUser(t.ctx);
    const b = await makeUser(t.ctx);
    const goalId = await makeGoal(t.ctx, a, { members: [b] });
    const otherGoal = await makeGoal(t.ctx, b);
    const mine = (await req('POST', base(goalId), a, { reminder_type: 'daily', reminder_time: '08:00' })).json();
    for (const [who, url] of [
      [b, `${base(goalId)}/${mine.id}`],
      [b, `${base(otherGoal)}/${mine.id}`],
      [a, `${base(goalId)}/${MISSING}`],
    ] as const) {
      const res = await req('PUT', url, who, { is_active: false });
      expect(res.statusCode).toBe(404);
      expect(res.json().error.code).toBe('reminder_not_found');
    }
    expect((await req('GET', base(goalId), a)).json().reminders).toEqual([mine]);
  });

  it('without a token → 401; a stranger → 404 goal_not_found', async () => {
    const { url } = await setup();
    const stranger = await makeUser(t.ctx);
    expect((await req('PUT', url, undefined, { is_active: false })).statusCode).toBe(401);
    const res = await req('PUT', url, stranger, { is_active: false });
    expect(res.statusCode).toBe(404);
    expect(res.json().error.code).toBe('goal_not_found');
  });
});

describe('DELETE /api/v1/goals/:goalId/reminders/:reminderId', () => {
  it('deletes the caller’s reminder → 204; again → 404', async () => {
    const u = await makeUser(t.ctx);
    const goalId = await makeGoal(t.ctx, u);
    const created = (await req('POST', base(goalId), u, { reminder_type: 'daily', reminder_time: '08:00' })).json();
    const res = await req('DELETE', `${base(goalId)}/${created.id}`, u);
    expect(res.statusCode).toBe(204);
    expect(res.body).toBe('');
    expect(await reminderCount(goalId)).toBe(0);
    expect((await req('DELETE', `${base(goalId)}/${created.id}`, u)).statusCode).toBe(404);
  });

  it('without a token → 401; another user’s reminder → 404 and it stays; a stranger → 404 goal_not_found', async () => {
    const a = await makeUser(t.ctx);
    const b = await makeUser(t.ctx);
    const stranger = await makeUser(t.ctx);
    const goalId = await makeGoal(t.ctx, a, { members: [b] });
    const created = (await req('POST', base(goalId), a, { reminder_type: 'daily', reminder_time: '08:00' })).json();
    const url = `${base(goalId)}/${created.id}`;
    expect((await req('DELETE', url)).statusCode).toBe(401);
    const other = await req('DELETE', url, b);
    expect(other.statusCode).toBe(404);
    expect(other.json().error.code).toBe('reminder_not_found');
    const strangers = await req('DELETE', url, stranger);
    expect(strangers.statusCode).toBe(404);
    expect(strangers.json().error.code).toBe('goal_not_found');
    expect((await req('DELETE', `${base(goalId)}/nope`, a)).statusCode).toBe(422);
    expect(await reminderCount(goalId)).toBe(1);
  });
});

describe('leaving a goal', () => {
  it('goal.participant_removed deletes that participant’s reminders on that goal only', async () => {
    const a = await makeUser(t.ctx);
    const b = await makeUser(t.ctx);
    const goalId = await makeGoal(t.ctx, a, { members: [b] });
    const otherGoal = await makeGoal(t.ctx, b);
    await req('POST', base(goalId), a, { reminder_type: 'daily', reminder_time: '08:00' });
    await req('POST', base(goalId), b, { reminder_type: 'daily', reminder_time: '08:00' });
    await req('POST', base(otherGoal), b, { reminder_type: 'daily', reminder_time: '08:00' });
    await t.ctx.database.db.execute(sql`update goal_participants set left_at = now() where goal_id = ${goalId} and user_id = ${b.id}`);
    await t.ctx.bus.publish(t.ctx.database.db, 'goal.participant_removed', {
      goal: { goalId, title: 'Run a marathon', goalType: 'group', category: null, isPublic: false, creatorId: a.id, participantIds: [a.id] },
      actor: { id: b.id, username: b.username, fullName: 'B', profileImageUrl: null },
      userId: b.id,
      at: clock.now().toISOString(),
    });
    await t.ctx.bus.drain();
    expect(await countRows(t.ctx, `goal_reminders where goal_id = '${goalId}' and user_id = '${b.id}'`)).toBe(0);
    expect(await countRows(t.ctx, `goal_reminders where goal_id = '${goalId}' and user_id = '${a.id}'`)).toBe(1);
    expect(await countRows(t.ctx, `goal_reminders where goal_id = '${otherGoal}'`)).toBe(1);
  });
});
