import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countRows, makeFriends, makeUser, type TestUser } from '../../../test/factories.js';
import { createTestApp, type TestApp } from '../../../test/harness.js';
import { multipart, png } from '../../../test/media-samples.js';
import { FakeClock } from '../../infra/clock/clock.js';
import { expectSigned, fetchUrl, unsigned } from '../media/media.test-helpers.js';
import { createGoal, goalsAchieved, NO_RATE_LIMITS } from './goals.test-helpers.js';
import { http } from '../../../test/http.js';
import { capture } from '../../../test/capture.js';

/** Completing, illustrating and deleting goals. */
const clock = new FakeClock('2026-03-10T12:00:00Z');
let t: TestApp;
const { get, post, put, del } = http(() => t);

beforeAll(async () => {
  t = await createTestApp({ clock, env: NO_RATE_LIMITS });
});
afterAll(async () => t.close());

describe('POST /api/v1/goals/:goalId/complete', () => {
  it('completes the goal once, crediting goals_achieved to active participants only', async () => {
    const completed = capture(t.ctx, 'goal.completed');
    const [creator, member, leaver] = [await makeUser(t.ctx), await makeUser(t.ctx), await makeUser(t.ctx)];
    await makeFriends(t.ctx, creator, member);
    await makeFriends(t.ctx, creator, leaver);
    const goal = await createGoal(t, creator, { goal_type: 'group', target_type: 'milestone', target_amount: undefined, participant_ids: [member.id, leaver.id] });
    expect((await del(`/api/v1/goals/${goal.id}/participants/${leaver.id}`, leaver)).statusCode).toBe(204);
    const res = await post(`/api/v1/goals/${goal.id}/complete`, undefined, creator);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ status: 'completed', progress_percentage: 100, completed_at: '2026-03-10T12:00:00.000Z' });
    expect([await goalsAchieved(t.ctx, creator), await goalsAchieved(t.ctx, member), await goalsAchieved(t.ctx, leaver)]).toEqual([1, 1, 0]);
    const again = await post(`/api/v1/goals/${goal.id}/complete`, undefined, creator);
    expect(again.statusCode).toBe(409);
    expect(again.json().error.code).toBe('goal_already_completed');
    expect(await goalsAchieved(t.ctx, creator)).toBe(1);
    await t.ctx.bus.drain();
    const event = completed.filter((e) => e.goal.goalId === goal.id);
    expect(event).toHaveLength(1);
    expect(event[0]?.goal.participantIds.sort()).toEqual([creator.id, member.id].sort());
    expect(event[0]?.actor.id).toBe(creator.id);
  });

  it('a paused goal may be completed; a cancelled one → 409 goal_not_active', async () => {
    const u = await makeUser(t.ctx);
    const paused = await createGoal(t, u);
    await put(`/api/v1/goals/${paused.id}`, { status: 'paused' }, u);
    expect((await post(`/api/v1/goals/${paused.id}/complete`, undefined, u)).statusCode).toBe(200);
    const cancelled = await createGoal(t, u);
    await put(`/api/v1/goals/${cancelled.id}`, { status: 'cancelled' }, u);
    const res = await post(`/api/v1/goals/${cancelled.id}/complete`, undefined, u);
    expect(res.statusCode).toBe(409);
    expect(res.json().error.code).toBe('goal_not_active');
  });

  it('a member → 403; a stranger → 404; no token → 401; nothing completes', async () => {
    const [creator, member, stranger] = [await makeUser(t.ctx), await makeUser(t.ctx), await makeUser(t.ctx)];
    await makeFriends(t.ctx, creator, member);
    const goal = await createGoal(t, creator, { goal_type: 'group', participant_ids: [member.id] });
    expect((await post(`/api/v1/goals/${goal.id}/complete`, undefined, member)).statusCode).toBe(403);
    expect((await post(`/api/v1/goals/${goal.id}/complete`, undefined, stranger)).statusCode).toBe(404);
    expect((await post(`/api/v1/goals/${goal.id}/complete`, undefined)).statusCode).toBe(401);
    expect((await get(`/api/v1/goals/${goal.id}`, creator)).json().status).toBe('active');
  });
});

function goalMediaFiles(goalId: string): string[] {
  const dir = path.join(t.dataDir, 'media-private', 'goals', goalId);
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)));
}

async function uploadImage(goalId: string, who: TestUser | undefined, data?: Buffer) {
  const body = multipart([{ name: 'image', filename: 'goal.png', contentType: 'image/png', data: data ?? (await png(600, 400)) }]);
  return t.app.inject({
    method: 'PUT',
    url: `/api/v1/goals/${goalId}/image`,
    headers: { ...body.headers, ...(who ? who.auth : {}) },
    payload: body.payload,
  });
}

describe('PUT /api/v1/goals/:goalId/image', () => {
  it('stores the goal variants, sets image_url, and deletes the previous image when replaced', async () => {
    const u = await makeUser(t.ctx);
    const goal = await createGoal(t, u);
    const first = await uploadImage(goal.id, u);
    expect(first.statusCode).toBe(200);
    const body = first.json();
    expect(body.image_url).toMatch(new RegExp(`/media/private/goals/${goal.id}/[0-9a-f]+/original\\.jpg\\?exp=\\d+&sig=`));
    expect(body.thumbnail_url).toMatch(new RegExp(`/media/private/goals/${goal.id}/[0-9a-f]+/thumb\\.jpg\\?exp=\\d+&sig=`));
    expect(body.updated_at).toMatch(/Z$/);
    expect((await get(`/api/v1/goals/${goal.id}`, u)).json().image_url).toBe(body.image_url);
    expect(goalMediaFiles(goal.id)).toHaveLength(2);

    const second = await uploadImage(goal.id, u);
    expect(second.json().image_url).not.toBe(body.image_url);
    const files = goalMediaFiles(goal.id);
    expect(files).toHaveLength(2);
    expect(files.every((f) => second.json().image_url.includes(f.split(path.sep)[0]!))).toBe(true);
  });

  it('issue 14.3: a goal image is private media: signed URLs for those who may see the goal, 403 unsigned or expired', async () => {
    const [creator, member, stranger] = [await makeUser(t.ctx), await makeUser(t.ctx), await makeUser(t.ctx)];
    await makeFriends(t.ctx, creator, member);
    const goal = await createGoal(t, creator, { goal_type: 'group', participant_ids: [member.id] });
    const uploaded = (await uploadImage(goal.id, creator)).json<{ image_url: string }>();
    const seen = (await get(`/api/v1/goals/${goal.id}`, member)).json<{ image_url: string }>().image_url;
    const listed = (await get('/api/v1/goals', member)).json<{ goals: Array<{ id: string; image_url: string }> }>().goals.find((g) => g.id === goal.id);
    for (const url of [uploaded.image_url, seen, listed?.image_url]) expectSigned(url);
    const served = await fetchUrl(t, seen);
    expect(served.statusCode).toBe(200);
    expect(served.headers['cache-control']).toMatch(/^private, max-age=\d+$/);
    expect((await fetchUrl(t, unsigned(seen))).statusCode).toBe(403);
    expect((await get(`/api/v1/goals/${goal.id}`, stranger)).statusCode).toBe(404);
    const exp = expectSigned(seen);
    const now = clock.now();
    clock.set(new Date(exp * 1000));
    try {
      expect((await fetchUrl(t, seen)).statusCode).toBe(403);
    } finally {
      clock.set(now);
    }
  });

  it('a member → 403, a stranger → 404, no token → 401, not multipart → 415, no file → 422; nothing stored', async () => {
    const [creator, member, stranger] = [await makeUser(t.ctx), await makeUser(t.ctx), await makeUser(t.ctx)];
    await makeFriends(t.ctx, creator, member);
    const goal = await createGoal(t, creator, { goal_type: 'group', participant_ids: [member.id] });
    expect((await uploadImage(goal.id, member)).statusCode).toBe(403);
    expect((await uploadImage(goal.id, stranger)).statusCode).toBe(404);
    expect((await uploadImage(goal.id, undefined)).statusCode).toBe(401);
    expect((await put(`/api/v1/goals/${goal.id}/image`, { image_url: 'https://x' }, creator)).statusCode).toBe(415);
    const empty = multipart([{ name: 'note', value: 'x' }]);
    const noFile = await t.app.inject({
      method: 'PUT',
      url: `/api/v1/goals/${goal.id}/image`,
      headers: { ...empty.headers, ...creator.auth },
      payload: empty.payload,
    });
    expect(noFile.statusCode).toBe(422);
    expect(goalMediaFiles(goal.id)).toEqual([]);
  });
});

describe('DELETE /api/v1/goals/:goalId', () => {
  it('the creator deletes the goal with its rows and media, and goal.deleted names the participants', async () => {
    const deleted = capture(t.ctx, 'goal.deleted');
    const [creator, member] = [await makeUser(t.ctx), await makeUser(t.ctx)];
    await makeFriends(t.ctx, creator, member);
    const goal = await createGoal(t, creator, { goal_type: 'group', participant_ids: [member.id] });
    await post(`/api/v1/goals/${goal.id}/contributions`, { amount: 5 }, member);
    await post(`/api/v1/goals/${goal.id}/milestones`, { title: 'Half', target_value: 50 }, creator);
    await uploadImage(goal.id, creator);
    expect(goalMediaFiles(goal.id).length).toBeGreaterThan(0);

    expect((await del(`/api/v1/goals/${goal.id}`, member)).statusCode).toBe(403);
    const res = await del(`/api/v1/goals/${goal.id}`, creator);
    expect(res.statusCode).toBe(204);
    expect(res.body).toBe('');
    for (const table of ['goals where id', 'goal_participants where goal_id', 'goal_contributions where goal_id', 'goal_milestones where goal_id']) {
      expect(await countRows(t.ctx, `${table} = '${goal.id}'`), table).toBe(0);
    }
    expect(goalMediaFiles(goal.id)).toEqual([]);
    expect((await get(`/api/v1/goals/${goal.id}`, creator)).statusCode).toBe(404);
    await t.ctx.bus.drain();
    const event = deleted.find((e) => e.goalId === goal.id);
    expect(event?.actorId).toBe(creator.id);
    expect(event?.participantIds.sort()).toEqual([creator.id, member.id].sort());
  });

  it('a stranger → 404 and a missing token → 401; the goal stays', async () => {
    const [creator, stranger] = [await makeUser(t.ctx), await makeUser(t.ctx)];
    const goal = await createGoal(t, creator);
    expect((await del(`/api/v1/goals/${goal.id}`, stranger)).statusCode).toBe(404);
    expect((await del(`/api/v1/goals/${goal.id}`)).statusCode).toBe(401);
    expect((await del('/api/v1/goals/123', creator)).statusCode).toBe(422);
    expect(await countRows(t.ctx, `goals where id = '${goal.id}'`)).toBe(1);
  });
});
