import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeClock } from '../../infra/clock/clock.js';
import { countRows, makeUser } from '../../../test/factories.js';
import { createTestApp, type TestApp } from '../../../test/harness.js';
import { createGoal } from '../goals/goals.test-helpers.js';
import { makeNotification, NO_RATE_LIMITS, scalar, UNKNOWN_ID } from './notifications.test-helpers.js';
import { http } from '../../../test/http.js';

let t: TestApp;
const clock = new FakeClock('2026-03-10T09:00:00Z');
beforeAll(async () => {
  t = await createTestApp({ env: { ...NO_RATE_LIMITS, ACCESS_TOKEN_EXPIRE_MINUTES: '1440' }, clock, overrides: { pushDelivery: { kickOnEnqueue: false } } });
});
afterAll(async () => t.close());

const { get, post, put, del } = http(() => t);
const isRead = (id: string) => scalar<boolean>(t.ctx, sql`select is_read from notifications where id = ${id}`);

describe('GET /api/v1/notifications', () => {
  it('the plan body: newest first, related user and goal, time_ago, pagination with total and unread_count; only the caller’s', async () => {
    const [me, alvin, other] = [await makeUser(t.ctx, { fullName: 'Me' }), await makeUser(t.ctx, { fullName: 'Alvin Amwata' }), await makeUser(t.ctx)];
    const first = await makeNotification(t.ctx, me, { from: alvin });
    clock.advance(60_000);
    const goal = await createGoal(t, alvin, { title: 'Run a 5k' });
    const [second] = await t.ctx.services.notifier.notify(
      [{ userId: me.id, type: 'goal_completed', title: 'Goal Completed! 🎉', message: 'You and 3 friends completed “Run a 5k”', relatedUserId: alvin.id,
        relatedGoalId: goal.id, actionUrl: `/goals/${goal.id}` }],
      alvin.id,
    );
    await makeNotification(t.ctx, other, { from: alvin });
    clock.advance(2 * 3600_000);

    const res = await get('/api/v1/notifications?limit=1', me);
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json();
    expect(body.pagination).toEqual({ page: 1, limit: 1, total: 2, total_pages: 2, unread_count: 2 });
    expect(body.notifications).toEqual([
      {
        id: second?.id,
        notification_type: 'goal_completed',
        title: 'Goal Completed! 🎉',
        message: 'You and 3 friends completed “Run a 5k”',
        related_user: { id: alvin.id, username: alvin.username, full_name: 'Alvin Amwata', profile_image_url: null },
        related_goal: { id: goal.id, title: 'Run a 5k' },
        related_post_id: null,
        related_comment_id: null,
        image_url: null,
        icon_type: 'celebration',
        icon_color: '#FF6B6B',
        action_url: `/goals/${goal.id}`,
        actor_count: 1,
        is_read: false,
        time_ago: '2 hours ago',
        created_at: '2026-03-10T09:01:00.000Z',
      },
    ]);
    const page2 = (await get('/api/v1/notifications?limit=1&page=2', me)).json();
    expect(page2.notifications.map((n: { id: string }) => n.id)).toEqual([first]);
    expect(page2.notifications[0].related_goal).toBeNull();
  });

  it('filter=goals|social|system and unread_only select by group and state', async () => {
    const [me, friend] = [await makeUser(t.ctx), await makeUser(t.ctx)];
    const social = await makeNotification(t.ctx, me, { from: friend, type: 'friend_request' });
    const goals = await makeNotification(t.ctx, me, { type: 'goal_reminder' });
    const system = await makeNotification(t.ctx, me, { type: 'achievement' });
    await put(`/api/v1/notifications/${social}/read`, undefined, me);
    const ids = async (query: string) => (await get(`/api/v1/notifications${query}`, me)).json().notifications.map((n: { id: string }) => n.id);
    expect(await ids('?filter=goals')).toEqual([goals]);
    expect(await ids('?filter=social')).toEqual([social]);
    expect(await ids('?filter=system')).toEqual([system]);
    expect((await ids('?filter=all')).sort()).toEqual([social, goals, system].sort());
    expect((await ids('?unread_only=true')).sort()).toEqual([goals, system].sort());
    const unreadSocial = (await get('/api/v1/notifications?filter=social&unread_only=true', me)).json();
    expect(unreadSocial.pagination).toMatchObject({ total: 0, unread_count: 2 });
  });

  it('401 without a token or with a bad one; 422 for a bad filter, page or limit', async () => {
    const me = await makeUser(t.ctx);
    expect((await get('/api/v1/notifications')).statusCode).toBe(401);
    const bad = await t.app.inject({ method: 'GET', url: '/api/v1/notifications', headers: { authorization: 'Bearer nope' } });
    expect(bad.statusCode).toBe(401);
    for (const q of ['?filter=friends', '?limit=101', '?page=0', '?unread_only=maybe']) {
      const res = await get(`/api/v1/notifications${q}`, me);
      expect(res.statusCode, q).toBe(422);
    }
  });
});

describe('unread count, mark read, mark all read, delete', () => {
  it('PUT /:id/read marks one (idempotent) and answers the new unread count; GET /unread-count agrees', async () => {
    const [me, friend] = [await makeUser(t.ctx), await makeUser(t.ctx)];
    const a = await makeNotification(t.ctx, me, { from: friend });
    await makeNotification(t.ctx, me, { type: 'achievement' });
    expect((await get('/api/v1/notifications/unread-count', me)).json()).toEqual({ unread_count: 2 });
    const res = await put(`/api/v1/notifications/${a}/read`, undefined, me);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toEqual({ id: a, is_read: true, unread_count: 1 });
    expect((await put(`/api/v1/notifications/${a}/read`, undefined, me)).json().unread_count).toBe(1);
    expect((await get('/api/v1/notifications/unread-count', me)).json()).toEqual({ unread_count: 1 });
    expect((await get('/api/v1/notifications/unread-count')).statusCode).toBe(401);
    const badToken = await t.app.inject({ method: 'PUT', url: `/api/v1/notifications/${a}/read`, headers: { authorization: `Bearer ${me.accessToken}x` } });
    expect(badToken.statusCode).toBe(401);
  });

  it('another user’s notification (or an unknown id) is 404 notification_not_found and stays as it was; 401; 422', async () => {
    const [me, stranger] = [await makeUser(t.ctx), await makeUser(t.ctx)];
    const mine = await makeNotification(t.ctx, me, { type: 'achievement' });
    for (const id of [mine, UNKNOWN_ID]) {
      const read = await put(`/api/v1/notifications/${id}/read`, undefined, stranger);
      expect(read.statusCode).toBe(404);
      expect(read.json().error.code).toBe('notification_not_found');
      const gone = await del(`/api/v1/notifications/${id}`, stranger);
      expect(gone.statusCode).toBe(404);
      expect(gone.json().error.code).toBe('notification_not_found');
    }
    expect(await isRead(mine)).toBe(false);
    expect(await scalar<number>(t.ctx, sql`select count(*)::int from notifications where id = ${mine}`)).toBe(1);
    expect((await put(`/api/v1/notifications/${mine}/read`, undefined)).statusCode).toBe(401);
    expect((await del(`/api/v1/notifications/${mine}`)).statusCode).toBe(401);
    expect((await put('/api/v1/notifications/not-a-uuid/read', undefined, me)).statusCode).toBe(422);
    expect((await del('/api/v1/notifications/not-a-uuid', me)).statusCode).toBe(422);
  });

  it('PUT /mark-all-read marks only the caller’s; 401 without a token', async () => {
    const [me, other] = [await makeUser(t.ctx), await makeUser(t.ctx)];
    const mine = [await makeNotification(t.ctx, me, { type: 'achievement' }), await makeNotification(t.ctx, me, { type: 'goal_reminder' })];
    const theirs = await makeNotification(t.ctx, other, { type: 'achievement' });
    expect((await put('/api/v1/notifications/mark-all-read', undefined)).statusCode).toBe(401);
    const res = await put('/api/v1/notifications/mark-all-read', undefined, me);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toEqual({ updated: 2, unread_count: 0 });
    expect(await Promise.all(mine.map(isRead))).toEqual([true, true]);
    expect(await isRead(theirs)).toBe(false);
    expect((await put('/api/v1/notifications/mark-all-read', undefined, me)).json()).toEqual({ updated: 0, unread_count: 0 });
  });

  it('DELETE /:id removes the caller’s notification (204), then 404', async () => {
    const me = await makeUser(t.ctx);
    const id = await makeNotification(t.ctx, me, { type: 'achievement' });
    expect((await del(`/api/v1/notifications/${id}`, me)).statusCode).toBe(204);
    expect((await get('/api/v1/notifications', me)).json().pagination.total).toBe(0);
    expect((await del(`/api/v1/notifications/${id}`, me)).statusCode).toBe(404);
  });
});

describe('GET|PUT /api/v1/notifications/preferences', () => {
  it('defaults first (all on but email, updated_at null), a partial PUT changes only what it names', async () => {
    const me = await makeUser(t.ctx);
    const defaults = await get('/api/v1/notifications/preferences', me);
    expect(defaults.statusCode, defaults.body).toBe(200);
    expect(defaults.json()).toMatchObject({
      push_enabled: true, email_enabled: false, goal_reminders: true, friend_requests: true, messages: true,
      achievements: true, post_likes: true, post_comments: true, goal_updates: true,
    });
    const res = await put('/api/v1/notifications/preferences', { post_likes: false, push_enabled: false }, me);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toEqual({
      push_enabled: false, email_enabled: false, goal_reminders: true, friend_requests: true, messages: true,
      achievements: true, post_likes: false, post_comments: true, goal_updates: true, updated_at: clock.now().toISOString(),
    });
    expect((await get('/api/v1/notifications/preferences', me)).json()).toEqual(res.json());
    // The settings view is the same row.
    expect((await get('/api/v1/settings', me)).json().notifications.post_likes).toBe(false);
  });

  it('unknown fields and wrong types are 422 and change nothing; 401 without a token', async () => {
    const me = await makeUser(t.ctx);
    const before = await countRows(t.ctx, 'notification_preferences');
    for (const body of [{ post_likes: 'no' }, { sms_enabled: true }, { post_likes: false, user_id: UNKNOWN_ID }]) {
      const res = await put('/api/v1/notifications/preferences', body, me);
      expect(res.statusCode, JSON.stringify(body)).toBe(422);
    }
    expect((await get('/api/v1/notifications/preferences', me)).json().post_likes).toBe(true);
    expect(await countRows(t.ctx, 'notification_preferences')).toBe(before);
    expect((await get('/api/v1/notifications/preferences')).statusCode).toBe(401);
    expect((await put('/api/v1/notifications/preferences', { post_likes: false })).statusCode).toBe(401);
  });
});

describe('POST|DELETE /api/v1/notifications/push-tokens', () => {
  const fcmToken = () => `fcm-${Math.random().toString(36).slice(2)}:APA91b${'x'.repeat(40)}`;
  const tokenRow = (token: string) =>
    scalar<{ user_id: string; is_active: boolean; device_type: string } | undefined>(
      t.ctx,
      sql`select json_build_object('user_id', user_id, 'is_active', is_active, 'device_type', device_type) from push_tokens where token = ${token}`,
    );
  const subscription = (endpoint = 'https://fcm.googleapis.com/fcm/send/abc') =>
    JSON.stringify({
      endpoint,
      expirationTime: null,
      keys: { p256dh: 'BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4', auth: 'BTBZMqHH6r4Tts7J_aSIgg' },
    });

  it('201 with the token’s id and device, never the token; the same token registered by another account moves and reactivates', async () => {
    const [me, next] = [await makeUser(t.ctx), await makeUser(t.ctx)];
    const token = fcmToken();
    const res = await post('/api/v1/notifications/push-tokens', { token, device_type: 'android', device_id: 'pixel-7' }, me);
    expect(res.statusCode, res.body).toBe(201);
    const body = res.json();
    expect(body).toEqual({ id: expect.any(String), device_type: 'android', device_id: 'pixel-7', is_active: true, created_at: expect.any(String), updated_at: expect.any(String) });
    expect(res.body).not.toContain(token);
    await t.ctx.database.db.execute(sql`update push_tokens set is_active = false where token = ${token}`);
    const moved = await post('/api/v1/notifications/push-tokens', { token, device_type: 'ios' }, next);
    expect(moved.statusCode).toBe(201);
    expect(moved.json().id).toBe(body.id);
    expect(await tokenRow(token)).toEqual({ user_id: next.id, is_active: true, device_type: 'ios' });
    expect(await scalar<number>(t.ctx, sql`select count(*)::int from push_tokens where token = ${token}`)).toBe(1);
  });

  it('a new token for the same device_id retires the caller’s older token of that device', async () => {
    const me = await makeUser(t.ctx);
    const [old, fresh] = [fcmToken(), fcmToken()];
    await post('/api/v1/notifications/push-tokens', { token: old, device_type: 'android', device_id: 'phone-1' }, me);
    await post('/api/v1/notifications/push-tokens', { token: fresh, device_type: 'android', device_id: 'phone-1' }, me);
    expect((await tokenRow(old))?.is_active).toBe(false);
    expect((await tokenRow(fresh))?.is_active).toBe(true);
  });

  it('web: the PushSubscription JSON, stored canonically (re-registering it is the same token)', async () => {
    const me = await makeUser(t.ctx);
    const a = await post('/api/v1/notifications/push-tokens', { token: subscription(), device_type: 'web' }, me);
    expect(a.statusCode, a.body).toBe(201);
    const reordered = JSON.stringify({ keys: { auth: 'BTBZMqHH6r4Tts7J_aSIgg', p256dh: 'BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4' }, endpoint: 'https://fcm.googleapis.com/fcm/send/abc' });
    const b = await post('/api/v1/notifications/push-tokens', { token: reordered, device_type: 'web' }, me);
    expect(b.json().id).toBe(a.json().id);
    expect(a.body).not.toContain('BTBZMqHH6r4Tts7J_aSIgg');
  });

  it('bad input is 4xx with a clear code and writes nothing; 401 without a token', async () => {
    const me = await makeUser(t.ctx);
    const before = await countRows(t.ctx, 'push_tokens');
    const cases: Array<[unknown, string]> = [
      [{ token: subscription(), device_type: 'android' }, 'invalid_push_token'],
      [{ token: 'short', device_type: 'ios' }, 'invalid_push_token'],
      [{ token: '{"endpoint":"https://push.example/x"}', device_type: 'web' }, 'invalid_push_token'],
      [{ token: 'not json', device_type: 'web' }, 'invalid_push_token'],
      [{ token: fcmToken(), device_type: 'windows' }, 'validation_failed'],
      [{ token: '', device_type: 'ios' }, 'validation_failed'],
      [{ token: fcmToken(), device_type: 'ios', user_id: UNKNOWN_ID }, 'validation_failed'],
    ];
    for (const [body, code] of cases) {
      const res = await post('/api/v1/notifications/push-tokens', body, me);
      expect(res.statusCode, JSON.stringify(body)).toBe(422);
      expect(res.json().error.code, JSON.stringify(body)).toBe(code);
    }
    expect(await countRows(t.ctx, 'push_tokens')).toBe(before);
    expect((await post('/api/v1/notifications/push-tokens', { token: fcmToken(), device_type: 'ios' })).statusCode).toBe(401);
    expect(await countRows(t.ctx, 'push_tokens')).toBe(before);
  });

  it('DELETE: 204 for the caller’s token; another user’s or an unknown id is 404 and the token stays; 401; 422', async () => {
    const [me, stranger] = [await makeUser(t.ctx), await makeUser(t.ctx)];
    const id = (await post('/api/v1/notifications/push-tokens', { token: fcmToken(), device_type: 'android' }, me)).json().id as string;
    for (const tokenId of [id, UNKNOWN_ID]) {
      const res = await del(`/api/v1/notifications/push-tokens/${tokenId}`, stranger);
      expect(res.statusCode).toBe(404);
      expect(res.json().error.code).toBe('push_token_not_found');
    }
    expect((await del(`/api/v1/notifications/push-tokens/${id}`)).statusCode).toBe(401);
    expect((await del('/api/v1/notifications/push-tokens/nope', me)).statusCode).toBe(422);
    expect(await scalar<number>(t.ctx, sql`select count(*)::int from push_tokens where id = ${id}`)).toBe(1);
    expect((await del(`/api/v1/notifications/push-tokens/${id}`, me)).statusCode).toBe(204);
    expect(await scalar<number>(t.ctx, sql`select count(*)::int from push_tokens where id = ${id}`)).toBe(0);
  });
});

describe('issue 14.2: SSRF through Web Push subscriptions', () => {
  const keys = { p256dh: 'BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4', auth: 'BTBZMqHH6r4Tts7J_aSIgg' };
  const webToken = (endpoint: string) => JSON.stringify({ endpoint, expirationTime: null, keys });

  it('an endpoint off the browser push services (loopback, private, link-local, metadata, IPv6, http, a port, userinfo, other hosts) is 422 invalid_push_endpoint and nothing is stored', async () => {
    const me = await makeUser(t.ctx);
    const before = await countRows(t.ctx, 'push_tokens');
    const refused = [
      'http://127.0.0.1:9/push/abc',
      'https://127.0.0.1/push/abc',
      'https://localhost/push/abc',
      'https://2130706433/push/abc',
      'https://10.0.0.5/push/abc',
      'https://172.16.0.1/push/abc',
      'https://192.168.1.1/push/abc',
      'https://169.254.169.254/latest/meta-data/',
      'https://metadata.google.internal/computeMetadata/v1/',
      'https://[::1]/push/abc',
      'https://[fe80::1]/push/abc',
      'https://[::ffff:127.0.0.1]/push/abc',
      'http://fcm.googleapis.com/fcm/send/abc',
      'https://fcm.googleapis.com:8443/fcm/send/abc',
      'https://user:secret@fcm.googleapis.com/fcm/send/abc',
      'https://push.example/abc',
      'https://fcm.googleapis.com.attacker.example/fcm/send/abc',
      'https://evil-push.apple.com/abc',
      'https://storage.googleapis.com/bucket/abc',
      'ftp://fcm.googleapis.com/fcm/send/abc',
    ];
    for (const endpoint of refused) {
      const res = await post('/api/v1/notifications/push-tokens', { token: webToken(endpoint), device_type: 'web' }, me);
      expect(res.statusCode, endpoint).toBe(422);
      const error = res.json().error;
      expect(error.code, endpoint).toBe('invalid_push_endpoint');
      expect(error.details, endpoint).toEqual([{ field: 'token.endpoint', message: expect.any(String) }]);
      expect(res.body, endpoint).not.toContain('secret');
    }
    expect(await countRows(t.ctx, 'push_tokens')).toBe(before);
  });

  it('endpoints of FCM, Mozilla autopush, Apple and Windows push are accepted (201)', async () => {
    const me = await makeUser(t.ctx);
    for (const endpoint of [
      'https://fcm.googleapis.com/fcm/send/dXs:APA91b',
      'https://fcm.googleapis.com:443/fcm/send/explicit-default-port',
      'https://android.googleapis.com/gcm/send/dXs:APA91b',
      'https://updates.push.services.mozilla.com/wpush/v2/gAAAAABh',
      'https://web.push.apple.com/QGuQyavXutnMH4X',
      'https://wns2-by3p.notify.windows.com/w/?token=BQYAAAB',
    ]) {
      const res = await post('/api/v1/notifications/push-tokens', { token: webToken(endpoint), device_type: 'web' }, me);
      expect(res.statusCode, `${endpoint}: ${res.body}`).toBe(201);
    }
  });
});
