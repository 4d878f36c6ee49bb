import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeBlock, makeFriends, makeUser, setProfileVisibility, type TestUser } from '../../../test/factories.js';
import { createTestApp, type TestApp } from '../../../test/harness.js';

let t: TestApp;

const get = (url: string, who?: TestUser) => t.app.inject({ method: 'GET', url, headers: who ? who.auth : {} });
const put = (payload: unknown, who?: TestUser) =>
  t.app.inject({ method: 'PUT', url: '/api/v1/users/me', headers: who ? who.auth : {}, payload: payload as object });

beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => t.close());

describe('GET /api/v1/users/me and /api/v1/auth/me', () => {
  it('return the caller’s account with the plan’s fields and nothing secret', async () => {
    const u = await makeUser(t.ctx, { fullName: 'Brian Okuku' });
    for (const url of ['/api/v1/users/me', '/api/v1/auth/me']) {
      const res = await get(url, u);
      expect(res.statusCode).toBe(200);
      const body = res.json();
      expect(body).toMatchObject({
        id: u.id,
        email: u.email,
        username: u.username,
        full_name: 'Brian Okuku',
        bio: null,
        goals_achieved: 0,
        photos_shared: 0,
        email_verified: false,
        is_active: true,
        timezone: 'UTC',
      });
      expect(body).not.toHaveProperty('password_hash');
      expect(body).not.toHaveProperty('token_version');
      expect(body.created_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    }
  });

  it('without a token → 401', async () => {
    expect((await get('/api/v1/users/me')).statusCode).toBe(401);
  });
});

describe('PUT /api/v1/users/me', () => {
  it('updates the given fields only and returns the profile', async () => {
    const u = await makeUser(t.ctx);
    const res = await put({ full_name: '  Clarie   Gor ', bio: 'Chasing goals ✨', timezone: 'Africa/Nairobi' }, u);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ full_name: 'Clarie Gor', bio: 'Chasing goals ✨', timezone: 'Africa/Nairobi', username: u.username });
    expect(new Date(res.json().updated_at).getTime()).toBeGreaterThanOrEqual(new Date(res.json().created_at).getTime());
    const cleared = await put({ bio: null }, u);
    expect(cleared.json().bio).toBeNull();
  });

  it('a new username is stored lower-case; one taken in any case → 409 username_taken', async () => {
    const a = await makeUser(t.ctx);
    const b = await makeUser(t.ctx);
    const res = await put({ username: 'New.Name_1' }, a);
    expect(res.json().username).toBe('new.name_1');
    const clash = await put({ username: 'NEW.NAME_1' }, b);
    expect(clash.statusCode).toBe(409);
    expect(clash.json().error.code).toBe('username_taken');
    expect((await put({ username: a.username.toUpperCase() }, a)).statusCode).toBe(200);
  });

  it('an email taken by another account → 409 email_taken, nothing changed', async () => {
    const a = await makeUser(t.ctx);
    const b = await makeUser(t.ctx);
    const res = await put({ email: a.email.toUpperCase(), current_password: b.password, bio: 'should not stick' }, b);
    expect(res.statusCode).toBe(409);
    expect(res.json().error.code).toBe('email_taken');
    expect((await get('/api/v1/users/me', b)).json().bio).toBeNull();
  });

  it.each([
    ['a bio over 500 characters', { bio: 'x'.repeat(501) }, 'bio'],
    ['a blank full name', { full_name: '   ' }, 'full_name'],
    ['an invalid username', { username: 'no spaces allowed' }, 'username'],
    ['an invalid email', { email: 'nope' }, 'email'],
    ['an unknown time zone', { timezone: 'Mars/Olympus' }, 'timezone'],
    ['a server-owned field (email_verified)', { email_verified: true }, 'email_verified'],
    ['a server-owned field (goals_achieved)', { goals_achieved: 99 }, 'goals_achieved'],
    ['a server-owned field (is_active)', { is_active: false }, 'is_active'],
    ['a server-owned field (id)', { id: '00000000-0000-4000-8000-000000000000' }, 'id'],
    ['a wrongly typed bio', { bio: 5 }, 'bio'],
  ])('with %s → 422 naming the field, nothing written', async (_case, body: Record<string, unknown>, field) => {
    const u = await makeUser(t.ctx);
    const before = (await get('/api/v1/users/me', u)).json();
    const res = await put({ full_name: 'Should Not Stick', ...body }, u);
    expect(res.statusCode).toBe(422);
    expect(res.json().error.details.map((d: { field: string }) => d.field)).toContain(field);
    expect((await get('/api/v1/users/me', u)).json()).toEqual(before);
  });

  it('a bio of exactly 500 characters (emoji count as one) is accepted', async () => {
    const u = await makeUser(t.ctx);
    const res = await put({ bio: '✨'.repeat(500) }, u);
    expect(res.statusCode).toBe(200);
  });

  it('without a token → 401', async () => {
    expect((await put({ bio: 'x' })).statusCode).toBe(401);
  });
});

describe('GET /api/v1/users/:userId', () => {
  let viewer: TestUser;
  beforeAll(async () => {
    viewer = await makeUser(t.ctx);
  });

  async function profileOf(target: TestUser) {
    return get(`/api/v1/users/${target.id}`, viewer);
  }

  it('an everyone profile is shown in full to anyone, without its email', async () => {
    const target = await makeUser(t.ctx);
    await setProfileVisibility(t.ctx, target, 'everyone');
    const res = await profileOf(target);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ id: target.id, username: target.username, limited: false, goals_achieved: 0 });
    expect(res.json()).not.toHaveProperty('email');
  });

  it('a friends_only profile (the default) is the card for a stranger and full for a friend', async () => {
    const target = await makeUser(t.ctx);
    const stranger = await profileOf(target);
    expect(stranger.statusCode).toBe(200);
    expect(stranger.json()).toEqual({
      id: target.id,
      username: target.username,
      full_name: target.user.fullName,
      profile_image_url: null,
      limited: true,
      can_send_friend_request: false,
    });
    await makeFriends(t.ctx, target, viewer);
    const friend = await profileOf(target);
    expect(friend.json().limited).toBe(false);
    expect(friend.json()).toHaveProperty('bio');
  });

  it('a private profile is the card even for friends; the owner sees it in full', async () => {
    const target = await makeUser(t.ctx);
    await setProfileVisibility(t.ctx, target, 'private');
    await makeFriends(t.ctx, viewer, target);
    expect((await profileOf(target)).json().limited).toBe(true);
    expect((await get(`/api/v1/users/${target.id}`, target)).json().limited).toBe(false);
  });

  it('a user blocked in either direction gets 404, exactly like an unknown id', async () => {
    const blocker = await makeUser(t.ctx);
    const blockedByViewer = await makeUser(t.ctx);
    await setProfileVisibility(t.ctx, blocker, 'everyone');
    await makeBlock(t.ctx, blocker, viewer);
    await makeBlock(t.ctx, viewer, blockedByViewer);
    const unknown = await get('/api/v1/users/00000000-0000-4000-8000-000000000000', viewer);
    for (const target of [blocker, blockedByViewer]) {
      const res = await profileOf(target);
      expect(res.statusCode).toBe(404);
      expect(res.json()).toEqual(unknown.json());
      expect((await get(`/api/v1/users/${target.id}/stats`, viewer)).statusCode).toBe(404);
    }
  });

  it('a deactivated user is 404', async () => {
    const target = await makeUser(t.ctx);
    await t.ctx.services.users.deactivate(target.id);
    expect((await profileOf(target)).statusCode).toBe(404);
  });

  it('a malformed id → 422; no token → 401', async () => {
    const bad = await get('/api/v1/users/not-a-uuid', viewer);
    expect(bad.statusCode).toBe(422);
    expect(bad.json().error.details[0].field).toBe('userId');
    expect((await get(`/api/v1/users/${viewer.id}`)).statusCode).toBe(401);
  });
});

describe('GET /api/v1/users/:userId/stats', () => {
  it('returns goals_achieved, photos_shared, friends_count and active_goals under the profile’s visibility', async () => {
    const owner = await makeUser(t.ctx);
    const friend = await makeUser(t.ctx);
    const stranger = await makeUser(t.ctx);
    await makeFriends(t.ctx, owner, friend);
    const res = await get(`/api/v1/users/${owner.id}/stats`, friend);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ goals_achieved: 0, photos_shared: 0, friends_count: 1, active_goals: 0 });
    expect((await get(`/api/v1/users/${owner.id}/stats`, owner)).statusCode).toBe(200);
    expect((await get(`/api/v1/users/${owner.id}/stats`, stranger)).statusCode).toBe(404);
  });
});
