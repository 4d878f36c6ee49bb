import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeBlock, makeFriends, makeUser, setProfileVisibility, type TestUser } from '../../../test/factories.js';
import { createTestApp, type TestApp } from '../../../test/harness.js';
import { createGoal, makePartnershipRowOnly, scalar } from '../goals/goals.test-helpers.js';
import { http, imagePart } from '../posts/posts.test-helpers.js';

let t: TestApp;
const api = http(() => t);
const statsOf = (target: TestUser, viewer: TestUser) => api.get(`/api/v1/users/${target.id}/stats`, viewer);

let owner: TestUser;
let friend: TestUser;
let stranger: TestUser;
let partner: TestUser;

async function photoPost(who: TestUser, visibility: 'public' | 'friends' | 'private'): Promise<void> {
  const res = await api.postForm([await imagePart(), { name: 'visibility', value: visibility }], who);
  expect(res.statusCode, res.body).toBe(201);
}

async function goal(who: TestUser, isPublic: boolean, completed: boolean): Promise<void> {
  const created = await createGoal(t, who, { title: `${isPublic ? 'public' : 'private'} ${completed ? 'done' : 'open'}`, is_public: isPublic });
  if (completed) expect((await api.post(`/api/v1/goals/${created.id}/complete`, {}, who)).statusCode).toBe(200);
}

beforeAll(async () => {
  t = await createTestApp({ env: { RATE_LIMIT_ENABLED: 'false' } });
  [owner, friend, stranger, partner] = await Promise.all([makeUser(t.ctx), makeUser(t.ctx), makeUser(t.ctx), makeUser(t.ctx)]);
  await setProfileVisibility(t.ctx, owner, 'everyone');
  await makeFriends(t.ctx, owner, friend);
  // A partner who is not a friend: what the goal rule alone lets a partner see.
  await makePartnershipRowOnly(t.ctx, owner, partner);
  for (const visibility of ['public', 'friends', 'private'] as const) await photoPost(owner, visibility);
  await goal(owner, true, false);
  await goal(owner, false, false);
  await goal(owner, true, true);
  await goal(owner, false, true);
});
afterAll(async () => t.close());

describe('issue 14.9: GET /users/:id/stats counts only the goals and posts the viewer may see', () => {
  it('the owner sees every goal and photo post counted (the stored statistics)', async () => {
    const res = await statsOf(owner, owner);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ goals_achieved: 2, photos_shared: 3, friends_count: 1, active_goals: 2 });
  });

  it('a friend sees public and friends-only posts and the public goals, not the private ones', async () => {
    const res = await statsOf(owner, friend);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ goals_achieved: 1, photos_shared: 2, friends_count: 1, active_goals: 1 });
  });

  it('a stranger (profile open to everyone) sees only the public post and the public goals', async () => {
    const res = await statsOf(owner, stranger);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ goals_achieved: 1, photos_shared: 1, friends_count: 1, active_goals: 1 });
  });

  it('an accountability partner sees the private goals (the goal rule lets partners in), but only the public post', async () => {
    const res = await statsOf(owner, partner);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ goals_achieved: 2, photos_shared: 1, friends_count: 1, active_goals: 2 });
  });

  it('GET /users/:id shows the same figures as the stats: goals_achieved and photos_shared of what the viewer may see', async () => {
    const counts = async (viewer: TestUser) => {
      const res = await api.get(`/api/v1/users/${owner.id}`, viewer);
      expect(res.statusCode).toBe(200);
      const { goals_achieved, photos_shared } = res.json();
      return { goals_achieved, photos_shared };
    };
    expect(await counts(owner)).toEqual({ goals_achieved: 2, photos_shared: 3 });
    expect(await counts(friend)).toEqual({ goals_achieved: 1, photos_shared: 2 });
    expect(await counts(stranger)).toEqual({ goals_achieved: 1, photos_shared: 1 });
    expect(await counts(partner)).toEqual({ goals_achieved: 2, photos_shared: 1 });
  });

  it('a blocked viewer gets 404, no token 401, and the stored statistics are unchanged by any of it', async () => {
    const blocked = await makeUser(t.ctx);
    await makeBlock(t.ctx, owner, blocked);
    expect((await statsOf(owner, blocked)).statusCode).toBe(404);
    expect((await t.app.inject({ method: 'GET', url: `/api/v1/users/${owner.id}/stats` })).statusCode).toBe(401);
    const stored = await scalar<string>(t.ctx, sql`select goals_achieved || '/' || photos_shared from users where id = ${owner.id}`);
    expect(stored).toBe('2/3');
  });
});
