import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countRows, makeUser, type TestUser } from '../../../test/factories.js';
import { createTestApp, type TestApp } from '../../../test/harness.js';

let t: TestApp;
const get = (url: string, who?: TestUser) => t.app.inject({ method: 'GET', url, headers: who ? who.auth : {} });
const put = (url: string, payload: unknown, who?: TestUser) =>
  t.app.inject({ method: 'PUT', url, headers: who ? who.auth : {}, payload: payload as object });

beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => t.close());

describe('GET /api/v1/settings', () => {
  it('a new account has the plan’s defaults in every group', async () => {
    const u = await makeUser(t.ctx);
    await t.ctx.bus.drain();
    const res = await get('/api/v1/settings', u);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      user_id: u.id,
      privacy: {
        profile_visibility: 'friends_only',
        online_status_visible: true,
        appear_in_suggestions: true,
        who_can_send_friend_requests: 'friends_of_friends',
        who_can_send_messages: 'friends_only',
        share_activity_with_friends: true,
      },
      appearance: { theme_mode: 'system', accent_color: '#FF6B6B', font_size_multiplier: 1 },
      notifications: {
        push_enabled: true,
        email_enabled: false,
        goal_reminders: true,
        friend_requests: true,
        messages: true,
        achievements: true,
        post_likes: true,
        post_comments: true,
        goal_updates: true,
      },
    });
    expect(await countRows(t.ctx, `user_settings where user_id = '${u.id}'`)).toBe(1);
    expect(await countRows(t.ctx, `notification_preferences where user_id = '${u.id}'`)).toBe(1);
  });

  it('without a token → 401', async () => {
    expect((await get('/api/v1/settings')).statusCode).toBe(401);
  });
});

describe('PUT /api/v1/settings/privacy', () => {
  it('updates only the given fields and returns them all with updated_at', async () => {
    const u = await makeUser(t.ctx);
    const res = await put('/api/v1/settings/privacy', { profile_visibility: 'private', who_can_send_messages: 'everyone' }, u);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      profile_visibility: 'private',
      who_can_send_messages: 'everyone',
      online_status_visible: true,
      who_can_send_friend_requests: 'friends_of_friends',
    });
    expect(res.json().updated_at).toMatch(/Z$/);
    const again = await get('/api/v1/settings/privacy', u);
    expect(again.json()).toEqual(res.json());
  });

  it('profile_visibility takes effect on the profile others see', async () => {
    const owner = await makeUser(t.ctx);
    const stranger = await makeUser(t.ctx);
    expect((await get(`/api/v1/users/${owner.id}`, stranger)).json().limited).toBe(true);
    await put('/api/v1/settings/privacy', { profile_visibility: 'everyone' }, owner);
    expect((await get(`/api/v1/users/${owner.id}`, stranger)).json().limited).toBe(false);
  });

  it('online_status_visible false hides last_seen_at on the profile', async () => {
    const owner = await makeUser(t.ctx);
    const viewer = await makeUser(t.ctx);
    await put('/api/v1/settings/privacy', { profile_visibility: 'everyone' }, owner);
    await t.ctx.services.users.touchLastSeen(owner.id);
    expect((await get(`/api/v1/users/${owner.id}`, viewer)).json().last_seen_at).not.toBeNull();
    await put('/api/v1/settings/privacy', { online_status_visible: false }, owner);
    expect((await get(`/api/v1/users/${owner.id}`, viewer)).json().last_seen_at).toBeNull();
  });

  it.each([
    [{ profile_visibility: 'public' }, 'profile_visibility'],
    [{ who_can_send_friend_requests: 'friends' }, 'who_can_send_friend_requests'],
    [{ who_can_send_messages: 'no_one' }, 'who_can_send_messages'],
    [{ online_status_visible: 'yes' }, 'online_status_visible'],
    [{ user_id: '00000000-0000-4000-8000-000000000000' }, 'user_id'],
  ])('refuses %j with 422 naming the field, and writes nothing', async (body, field) => {
    const u = await makeUser(t.ctx);
    const before = (await get('/api/v1/settings/privacy', u)).json();
    const res = await put('/api/v1/settings/privacy', body, u);
    expect(res.statusCode).toBe(422);
    expect(res.json().error.details.map((d: { field: string }) => d.field)).toContain(field);
    expect((await get('/api/v1/settings/privacy', u)).json()).toEqual(before);
  });
});

describe('PUT /api/v1/settings/appearance', () => {
  it('updates theme, colour and font size', async () => {
    const u = await makeUser(t.ctx);
    const res = await put('/api/v1/settings/appearance', { theme_mode: 'dark', accent_color: '#00aaff', font_size_multiplier: 1.25 }, u);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ theme_mode: 'dark', accent_color: '#00AAFF', font_size_multiplier: 1.25 });
    const partial = await put('/api/v1/settings/appearance', { theme_mode: 'light' }, u);
    expect(partial.json()).toMatchObject({ theme_mode: 'light', accent_color: '#00AAFF', font_size_multiplier: 1.25 });
  });

  it.each([
    [{ accent_color: 'red' }, 'accent_color'],
    [{ accent_color: '#FFF' }, 'accent_color'],
    [{ accent_color: '#GGGGGG' }, 'accent_color'],
    [{ font_size_multiplier: 0.79 }, 'font_size_multiplier'],
    [{ font_size_multiplier: 2.01 }, 'font_size_multiplier'],
    [{ font_size_multiplier: '1.2' }, 'font_size_multiplier'],
    [{ theme_mode: 'sepia' }, 'theme_mode'],
  ])('refuses %j with 422', async (body, field) => {
    const u = await makeUser(t.ctx);
    const res = await put('/api/v1/settings/appearance', body, u);
    expect(res.statusCode).toBe(422);
    expect(res.json().error.details.map((d: { field: string }) => d.field)).toContain(field);
    expect((await get('/api/v1/settings/appearance', u)).json()).toMatchObject({ theme_mode: 'system', accent_color: '#FF6B6B' });
  });

  it('without a token → 401', async () => {
    expect((await put('/api/v1/settings/appearance', { theme_mode: 'dark' })).statusCode).toBe(401);
  });
});

describe('PUT /api/v1/settings', () => {
  it('updates several groups at once', async () => {
    const u = await makeUser(t.ctx);
    const res = await put(
      '/api/v1/settings',
      {
        privacy: { appear_in_suggestions: false },
        appearance: { theme_mode: 'dark' },
        notifications: { post_likes: false, email_enabled: true },
      },
      u,
    );
    expect(res.statusCode).toBe(200);
    expect(res.json().privacy.appear_in_suggestions).toBe(false);
    expect(res.json().appearance.theme_mode).toBe('dark');
    expect(res.json().notifications).toMatchObject({ post_likes: false, email_enabled: true, push_enabled: true });
  });

  it('an invalid value in one group refuses the whole request and changes nothing', async () => {
    const u = await makeUser(t.ctx);
    const res = await put('/api/v1/settings', { privacy: { profile_visibility: 'private' }, appearance: { theme_mode: 'neon' } }, u);
    expect(res.statusCode).toBe(422);
    expect(res.json().error.details[0].field).toBe('appearance.theme_mode');
    expect((await get('/api/v1/settings/privacy', u)).json().profile_visibility).toBe('friends_only');
  });

  it('an unknown group → 422', async () => {
    const u = await makeUser(t.ctx);
    expect((await put('/api/v1/settings', { billing: {} }, u)).statusCode).toBe(422);
  });
});
