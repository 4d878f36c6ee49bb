import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeClock } from '../../infra/clock/clock.js';
import { queryRows } from '../../infra/db/rows.js';
import { FcmSender, parseServiceAccount } from '../../infra/push/fcm-sender.js';
import { WebPushSender } from '../../infra/push/web-push-sender.js';
import { makeFriends, makeUser, type TestUser } from '../../../test/factories.js';
import { createTestApp, type TestApp } from '../../../test/harness.js';
import {
  decryptWebPush,
  startFcmServer,
  startWebPushServer,
  vapidKeys,
  verifyVapidHeader,
  type BrowserSubscription,
  type FcmServer,
  type WebPushServer,
} from '../../../test/push-servers.js';
import { makePost } from '../posts/posts.test-helpers.js';
import { makeNotification, NO_RATE_LIMITS, scalar, setPreferences } from './notifications.test-helpers.js';
import { http } from '../../../test/http.js';
import { PushDeliveryService } from './push-delivery.service.js';
import { PushOutboxRepo } from './push-outbox.repo.js';

let t: TestApp;
let fcm: FcmServer;
let wp: WebPushServer;
/** A local server that is not on the allow-list: it records every request that reaches it. */
let intruder: { url: string; hits: string[]; stop(): Promise<void> };
const vapid = vapidKeys();
const SUBJECT = 'mailto:ops@tribe.test';
const clock = new FakeClock('2026-06-01T12:00:00Z');

beforeAll(async () => {
  [fcm, wp, intruder] = await Promise.all([startFcmServer(), startWebPushServer(), startRecordingServer()]);
  t = await createTestApp({
    env: {
      ...NO_RATE_LIMITS,
      ACCESS_TOKEN_EXPIRE_MINUTES: '1440',
      FCM_CREDENTIALS_JSON: fcm.credentialsJson,
      FCM_API_BASE_URL: fcm.url,
      FCM_OAUTH_TOKEN_URL: fcm.tokenUrl,
      VAPID_PUBLIC_KEY: vapid.publicKey,
      VAPID_PRIVATE_KEY: vapid.privateKey,
      VAPID_SUBJECT: SUBJECT,
      // Only the local push service (and the closed port 9 of the network-error test) is allowed.
      WEB_PUSH_ALLOWED_HOSTS: `${wp.url},http://127.0.0.1:9`,
    },
    clock,
    overrides: { pushDelivery: { kickOnEnqueue: false, baseBackoffMs: 1000 } },
  });
});
afterAll(async () => {
  await t?.close();
  await Promise.all([fcm?.stop(), wp?.stop(), intruder?.stop()]);
});

async function startRecordingServer(): Promise<{ url: string; hits: string[]; stop(): Promise<void> }> {
  const hits: string[] = [];
  const server = createServer((req, res) => {
    hits.push(`${req.method ?? ''} ${req.url ?? ''}`);
    res.writeHead(201).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    hits,
    stop: () => {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
/** A browser subscription whose endpoint is on the intruder (keys from the real push server's generator). */
function intruderSubscription(): { id: string; json: string; endpoint: string } {
  const sub = wp.subscribe();
  const endpoint = `${intruder.url}/push/${sub.id}`;
  return { id: sub.id, endpoint, json: JSON.stringify({ ...(JSON.parse(sub.json) as object), endpoint }) };
}

const { post } = http(() => t);
let tokenCounter = 0;
const fcmToken = () => `device-${++tokenCounter}-${Math.random().toString(36).slice(2)}:APA91b${'t'.repeat(30)}`;

async function registerFcm(user: TestUser, deviceType: 'android' | 'ios' = 'android'): Promise<{ id: string; token: string }> {
  const token = fcmToken();
  const res = await post('/api/v1/notifications/push-tokens', { token, device_type: deviceType }, user);
  if (res.statusCode !== 201) throw new Error(res.body);
  return { id: res.json().id as string, token };
}
async function registerWeb(user: TestUser): Promise<{ id: string; sub: BrowserSubscription }> {
  const sub = wp.subscribe();
  const res = await post('/api/v1/notifications/push-tokens', { token: sub.json, device_type: 'web' }, user);
  if (res.statusCode !== 201) throw new Error(res.body);
  return { id: res.json().id as string, sub };
}
const deliver = () => t.ctx.services.pushDelivery.deliverDue();
const outbox = (notificationId: string) =>
  queryRows<{ status: string; attempts: number; last_error: string | null; provider: string; push_token_id: string }>(
    t.ctx.database.db,
    sql`select status, attempts, last_error, provider, push_token_id from push_outbox where notification_id = ${notificationId} order by created_at`,
  );
const tokenActive = (id: string) => scalar<boolean>(t.ctx, sql`select is_active from push_tokens where id = ${id}`);
const sendsTo = (token: string) => fcm.sends.filter((s) => s.message.token === token);
const webRequestsTo = (sub: BrowserSubscription) => wp.requests.filter((r) => r.id === sub.id);

describe('FCM HTTP v1', () => {
  it('exchanges a signed JWT for an access token once, then sends the plan’s notification with android TTL and APNs headers', async () => {
    const [me, ann] = [await makeUser(t.ctx), await makeUser(t.ctx, { fullName: 'Ann Akinyi' })];
    const android = await registerFcm(me, 'android');
    const ios = await registerFcm(me, 'ios');
    const tokenRequestsBefore = fcm.tokenRequests.length;
    const id = await makeNotification(t.ctx, me, { from: ann, title: 'New Friend Request' });
    const started = Math.floor(Date.now() / 1000);
    expect(await deliver()).toMatchObject({ sent: 2, retried: 0, failed: 0 });

    expect(fcm.tokenRequests.length - tokenRequestsBefore).toBeLessThanOrEqual(1);
    const [grant] = fcm.tokenRequests;
    expect(grant?.header).toMatchObject({ alg: 'RS256', kid: 'key-1' });
    expect(grant?.claims).toMatchObject({ iss: 'push@tribe-test.iam.gserviceaccount.com', aud: fcm.tokenUrl, scope: 'https://www.googleapis.com/auth/firebase.messaging' });

    const [send] = sendsTo(android.token);
    expect(send?.project).toBe(fcm.projectId);
    expect(send?.authorization).toMatch(/^Bearer ya29\./);
    expect(send?.message).toMatchObject({
      token: android.token,
      notification: { title: 'New Friend Request', body: 'Someone sent you a friend request' },
      data: { notification_id: id, notification_type: 'friend_request', action_url: `/users/${ann.id}` },
      android: { ttl: '86400s', priority: 'HIGH' },
      apns: { headers: { 'apns-priority': '10', 'apns-push-type': 'alert' }, payload: { aps: { sound: 'default' } } },
    });
    const expiration = Number(send?.message.apns.headers['apns-expiration']);
    expect(expiration).toBeGreaterThanOrEqual(started + 86400 - 5);
    expect(expiration).toBeLessThanOrEqual(Math.floor(Date.now() / 1000) + 86400 + 5);
    expect(sendsTo(ios.token)).toHaveLength(1);

    expect((await outbox(id)).map((r) => [r.status, r.provider, r.attempts])).toEqual([['sent', 'fcm', 1], ['sent', 'fcm', 1]]);
    const pushed = await queryRows<{ push_sent: boolean; push_sent_at: Date | null }>(t.ctx.database.db, sql`select push_sent, push_sent_at from notifications where id = ${id}`);
    expect(pushed[0]?.push_sent).toBe(true);
    expect(new Date(pushed[0]?.push_sent_at ?? 0).toISOString()).toBe(clock.now().toISOString());

    // The access token is cached: another push exchanges nothing.
    const grants = fcm.tokenRequests.length;
    await makeNotification(t.ctx, me, { type: 'achievement' });
    await deliver();
    expect(fcm.tokenRequests.length).toBe(grants);
    expect(sendsTo(android.token)).toHaveLength(2);
    // A delivered push is never sent again.
    await deliver();
    expect(sendsTo(android.token)).toHaveLength(2);
  });

  it('UNREGISTERED (404) and INVALID_ARGUMENT for the token (400) deactivate the token; another 400 only fails that push', async () => {
    const me = await makeUser(t.ctx);
    const [gone, invalid, fine] = [await registerFcm(me), await registerFcm(me), await registerFcm(me)];
    fcm.script(gone.token, { status: 404, body: { error: { code: 404, status: 'NOT_FOUND', message: 'Requested entity was not found.', details: [{ '@type': 'type.googleapis.com/google.firebase.fcm.v1.FcmError', errorCode: 'UNREGISTERED' }] } } });
    fcm.script(invalid.token, { status: 400, body: { error: { code: 400, status: 'INVALID_ARGUMENT', message: 'The registration token is not a valid FCM registration token', details: [{ '@type': 'type.googleapis.com/google.firebase.fcm.v1.FcmError', errorCode: 'INVALID_ARGUMENT' }, { '@type': 'type.googleapis.com/google.rpc.BadRequest', fieldViolations: [{ field: 'message.token', description: 'Invalid registration token' }] }] } } });
    fcm.script(fine.token, { status: 400, body: { error: { code: 400, status: 'INVALID_ARGUMENT', message: 'Invalid value at message.android.ttl', details: [{ '@type': 'type.googleapis.com/google.rpc.BadRequest', fieldViolations: [{ field: 'message.android.ttl' }] }] } } });
    const id = await makeNotification(t.ctx, me, { type: 'achievement' });
    expect(await deliver()).toMatchObject({ deactivated: 2, failed: 1, sent: 0 });
    expect([await tokenActive(gone.id), await tokenActive(invalid.id), await tokenActive(fine.id)]).toEqual([false, false, true]);
    const rows = await outbox(id);
    expect(rows.every((r) => r.status === 'failed')).toBe(true);
    expect(rows.find((r) => r.push_token_id === gone.id)?.last_error).toContain('UNREGISTERED');
    // Inactive tokens get nothing more; the other one does.
    const next = await makeNotification(t.ctx, me, { type: 'achievement' });
    expect((await outbox(next)).map((r) => r.push_token_id)).toEqual([fine.id]);
  });

  it('a 500 is retried after the backoff (not before) and then sent once', async () => {
    const me = await makeUser(t.ctx);
    const device = await registerFcm(me);
    fcm.script(device.token, { status: 500, body: { error: { code: 500, status: 'INTERNAL', message: 'Internal error encountered.' } } });
    const id = await makeNotification(t.ctx, me, { type: 'achievement' });
    expect(await deliver()).toMatchObject({ retried: 1 });
    expect(await outbox(id)).toMatchObject([{ status: 'pending', attempts: 1, last_error: 'fcm 500 INTERNAL' }]);
    await deliver();
    expect(sendsTo(device.token)).toHaveLength(1);
    clock.advance(1200);
    expect(await deliver()).toMatchObject({ sent: 1 });
    expect(sendsTo(device.token)).toHaveLength(2);
    expect(await outbox(id)).toMatchObject([{ status: 'sent', attempts: 2, last_error: null }]);
    expect(await scalar<boolean>(t.ctx, sql`select push_sent from notifications where id = ${id}`)).toBe(true);
  });
});

describe('Web Push', () => {
  it('POSTs the encrypted payload with VAPID auth, TTL and aes128gcm; the subscription’s private key decrypts it', async () => {
    const me = await makeUser(t.ctx);
    const { sub } = await registerWeb(me);
    const id = await makeNotification(t.ctx, me, { type: 'goal_reminder', title: 'Goal Reminder' });
    expect(await deliver()).toMatchObject({ sent: 1 });
    const [request] = webRequestsTo(sub);
    expect(request?.headers).toMatchObject({ ttl: '86400', 'content-encoding': 'aes128gcm', 'content-type': 'application/octet-stream', urgency: 'high' });
    const { claims, publicKey } = await verifyVapidHeader(request?.headers.authorization);
    expect(publicKey).toBe(vapid.publicKey);
    expect(claims.aud).toBe(new URL(wp.url).origin);
    expect(claims.sub).toBe(SUBJECT);
    const now = Math.floor(Date.now() / 1000);
    expect(Number(claims.exp)).toBeGreaterThan(now);
    expect(Number(claims.exp)).toBeLessThanOrEqual(now + 24 * 3600);
    const payload = JSON.parse(decryptWebPush(request?.body ?? Buffer.alloc(0), sub.privateKey, sub.auth).toString()) as Record<string, unknown>;
    expect(payload).toEqual({
      title: 'Goal Reminder',
      body: 'Someone sent you a friend request',
      data: { notification_id: id, notification_type: 'goal_reminder', action_url: '/achievements' },
    });
    expect(await outbox(id)).toMatchObject([{ status: 'sent', provider: 'webpush' }]);
  });

  it('410 and 404 deactivate the subscription; 503 with Retry-After waits that long; a network error is retried', async () => {
    const me = await makeUser(t.ctx);
    const [gone, missing, busy] = [await registerWeb(me), await registerWeb(me), await registerWeb(me)];
    wp.script(gone.sub.id, { status: 410 });
    wp.script(missing.sub.id, { status: 404 });
    wp.script(busy.sub.id, { status: 503, headers: { 'retry-after': '30' } });
    const id = await makeNotification(t.ctx, me, { type: 'achievement' });
    expect(await deliver()).toMatchObject({ deactivated: 2, retried: 1 });
    expect([await tokenActive(gone.id), await tokenActive(missing.id), await tokenActive(busy.id)]).toEqual([false, false, true]);
    clock.advance(5000);
    await deliver();
    expect(webRequestsTo(busy.sub)).toHaveLength(1);
    clock.advance(30_000);
    expect(await deliver()).toMatchObject({ sent: 1 });
    expect(webRequestsTo(busy.sub)).toHaveLength(2);
    expect((await outbox(id)).find((r) => r.push_token_id === busy.id)).toMatchObject({ status: 'sent', attempts: 2 });

    // An endpoint nobody listens on: a network error, retried later.
    const closedPort = wp.subscribe();
    const unreachable = JSON.stringify({ ...JSON.parse(closedPort.json), endpoint: 'http://127.0.0.1:9/push/nobody' });
    await post('/api/v1/notifications/push-tokens', { token: unreachable, device_type: 'web' }, me);
    const next = await makeNotification(t.ctx, me, { type: 'achievement' });
    await deliver();
    const rows = await outbox(next);
    const stuck = rows.find((r) => r.status === 'pending');
    expect(stuck?.last_error).toMatch(/^network error|^timeout/);
  });
});

describe('send-time checks and at-most-once', () => {
  it('push_enabled or the type switched off after enqueueing: nothing is sent; push_enabled off at enqueue: nothing is queued', async () => {
    const [me, other] = [await makeUser(t.ctx), await makeUser(t.ctx)];
    const device = await registerFcm(me);
    const a = await makeNotification(t.ctx, me, { type: 'achievement' });
    await setPreferences(t.ctx, me, { pushEnabled: false });
    await deliver();
    expect(sendsTo(device.token)).toEqual([]);
    expect(await outbox(a)).toMatchObject([{ status: 'failed', last_error: 'skipped: push disabled by the user' }]);
    const b = await makeNotification(t.ctx, me, { type: 'achievement' });
    expect(await outbox(b)).toEqual([]);

    await setPreferences(t.ctx, me, { pushEnabled: true });
    const c = await makeNotification(t.ctx, me, { type: 'achievement' });
    await setPreferences(t.ctx, me, { achievements: false });
    await deliver();
    expect(await outbox(c)).toMatchObject([{ status: 'failed', last_error: 'skipped: achievements disabled by the user' }]);

    // A token that moved to another account after enqueueing is not sent the first owner's push.
    await setPreferences(t.ctx, me, { achievements: true });
    const d = await makeNotification(t.ctx, me, { type: 'achievement' });
    await post('/api/v1/notifications/push-tokens', { token: device.token, device_type: 'android' }, other);
    await deliver();
    expect(sendsTo(device.token)).toEqual([]);
    expect(await outbox(d)).toMatchObject([{ status: 'failed', last_error: 'skipped: token now belongs to another account' }]);
  });

  it('gives up after maxAttempts transient failures; a deleted notification is not pushed', async () => {
    const me = await makeUser(t.ctx);
    const device = await registerFcm(me);
    const impatient = new PushDeliveryService(
      t.ctx.database,
      clock,
      { info: () => undefined, warn: () => undefined, error: () => undefined },
      { fcm: new FcmSender({ account: parseServiceAccount(fcm.credentialsJson, 'test'), apiBaseUrl: fcm.url, oauthTokenUrl: fcm.tokenUrl }) },
      { maxAttempts: 2, baseBackoffMs: 1000, kickOnEnqueue: false },
    );
    fcm.script(device.token, { status: 503 }, { status: 503 });
    const id = await makeNotification(t.ctx, me, { type: 'achievement' });
    await impatient.deliverDue();
    clock.advance(1200);
    await impatient.deliverDue();
    expect(await outbox(id)).toMatchObject([{ status: 'failed', attempts: 2, last_error: 'gave up after 2 attempts: fcm 503' }]);
    expect(sendsTo(device.token)).toHaveLength(2);
    expect(await tokenActive(device.id)).toBe(true);

    const deleted = await makeNotification(t.ctx, me, { type: 'achievement' });
    await t.ctx.services.notifications.remove(me.id, deleted);
    await deliver();
    expect(sendsTo(device.token)).toHaveLength(2);
  });

  it('a claim whose sender died is taken again after the lease, and the stale sender cannot overwrite the outcome', async () => {
    const me = await makeUser(t.ctx);
    const device = await registerFcm(me);
    const id = await makeNotification(t.ctx, me, { type: 'achievement' });
    const repo = new PushOutboxRepo(t.ctx.database.db);
    // A sender claims the row and "dies" before sending.
    const claimed = (await repo.claim(clock.now(), new Date(clock.now().getTime() + 120_000), 100)).filter((r) => r.notificationId === id);
    expect(claimed).toHaveLength(1);
    await deliver();
    expect(sendsTo(device.token)).toEqual([]);
    clock.advance(121_000);
    await deliver();
    expect(sendsTo(device.token)).toHaveLength(1);
    expect(await outbox(id)).toMatchObject([{ status: 'sent', attempts: 2 }]);
    // The first claim's late failure report is fenced off by its attempt number.
    await repo.markFailed(claimed[0]?.id ?? '', claimed[0]?.attempts ?? 0, 'late');
    expect(await outbox(id)).toMatchObject([{ status: 'sent', last_error: null }]);
  });

  it('a like collapsing into a notification whose push is still queued refreshes that push’s text (one push)', async () => {
    const [author, a, b] = [await makeUser(t.ctx), await makeUser(t.ctx, { fullName: 'Amy' }), await makeUser(t.ctx, { fullName: 'Bob' })];
    await makeFriends(t.ctx, author, a);
    await makeFriends(t.ctx, author, b);
    const device = await registerFcm(author);
    const postId = await makePost(t.ctx, author);
    await post(`/api/v1/posts/${postId}/like`, undefined, a);
    await post(`/api/v1/posts/${postId}/like`, undefined, b);
    await t.ctx.bus.drain();
    await deliver();
    const likes = sendsTo(device.token).filter((s) => s.message.data.notification_type === 'post_like');
    expect(likes.map((s) => s.message.notification.body)).toEqual(['Bob and 1 other liked your memory']);
  });

  it('two workers draining the same outbox concurrently send every (notification, device) exactly once', async () => {
    const account = parseServiceAccount(fcm.credentialsJson, 'test');
    const worker = () =>
      new PushDeliveryService(
        t.ctx.database,
        clock,
        { info: () => undefined, warn: () => undefined, error: () => undefined },
        {
          fcm: new FcmSender({ account, apiBaseUrl: fcm.url, oauthTokenUrl: fcm.tokenUrl }),
          webpush: new WebPushSender({ vapid: { ...vapid, subject: SUBJECT }, allowedHosts: t.config.push.webPushAllowedHosts }),
        },
        { batchSize: 4, concurrency: 2, kickOnEnqueue: false },
      );
    const people = [await makeUser(t.ctx), await makeUser(t.ctx), await makeUser(t.ctx)];
    const devices = [];
    for (const p of people) devices.push({ fcm: await registerFcm(p), web: await registerWeb(p) });
    const ids: string[] = [];
    for (let i = 0; i < 8; i++) for (const p of people) ids.push(await makeNotification(t.ctx, p, { type: 'achievement' }));

    const [a, b] = [worker(), worker()];
    const stats = await Promise.all([a.deliverDue(), b.deliverDue(), a.deliverDue(), b.deliverDue()]);
    expect(stats.reduce((n, s) => n + s.sent, 0)).toBe(ids.length * 2);

    const delivered: string[] = [];
    for (const d of devices) {
      for (const s of sendsTo(d.fcm.token)) delivered.push(`${s.message.data.notification_id}:${d.fcm.id}`);
      for (const r of webRequestsTo(d.web.sub)) {
        const data = (JSON.parse(decryptWebPush(r.body, d.web.sub.privateKey, d.web.sub.auth).toString()) as { data: { notification_id: string } }).data;
        delivered.push(`${data.notification_id}:${d.web.id}`);
      }
    }
    expect(delivered).toHaveLength(ids.length * 2);
    expect(new Set(delivered).size).toBe(ids.length * 2);
    const statuses = await queryRows<{ status: string; n: number }>(
      t.ctx.database.db,
      sql`select status, count(*)::int as n from push_outbox where notification_id = any(${`{${ids.join(',')}}`}::uuid[]) group by status`,
    );
    expect(statuses).toEqual([{ status: 'sent', n: ids.length * 2 }]);
  });
});

describe('issue 14.2: SSRF through Web Push subscriptions', () => {
  it('registering an endpoint on a host that is not allow-listed (another local port) is 422 invalid_push_endpoint; nothing stored or fetched', async () => {
    const me = await makeUser(t.ctx);
    const sub = intruderSubscription();
    const res = await post('/api/v1/notifications/push-tokens', { token: sub.json, device_type: 'web' }, me);
    expect(res.statusCode, res.body).toBe(422);
    expect(res.json().error).toMatchObject({ code: 'invalid_push_endpoint', details: [{ field: 'token.endpoint' }] });
    expect(await scalar<number>(t.ctx, sql`select count(*)::int from push_tokens where user_id = ${me.id}`)).toBe(0);
    await makeNotification(t.ctx, me, { type: 'achievement' });
    await deliver();
    expect(intruder.hits).toEqual([]);
  });

  it('a stored subscription whose endpoint is no longer allowed is not fetched at send time: the token is deactivated, the reason names no endpoint', async () => {
    const me = await makeUser(t.ctx);
    const sub = intruderSubscription();
    // Written straight to the table, as if registered before the allow-list existed.
    const [row] = await queryRows<{ id: string }>(
      t.ctx.database.db,
      sql`insert into push_tokens (user_id, token, device_type, is_active) values (${me.id}, ${sub.json}, 'web', true) returning id`,
    );
    const id = await makeNotification(t.ctx, me, { type: 'achievement' });
    expect(await deliver()).toMatchObject({ sent: 0, deactivated: 1 });
    expect(intruder.hits).toEqual([]);
    const [outcome] = await outbox(id);
    expect(outcome).toMatchObject({ status: 'failed', provider: 'webpush' });
    expect(outcome?.last_error).toMatch(/not on an allowed push service/);
    expect(outcome?.last_error).not.toContain(sub.id);
    expect(outcome?.last_error).not.toContain(new URL(intruder.url).port);
    expect(await tokenActive(row?.id ?? '')).toBe(false);
  });

  it('a push service answering with a redirect: the Location is not followed, the push fails and is not retried', async () => {
    const me = await makeUser(t.ctx);
    const { id: tokenId, sub } = await registerWeb(me);
    const target = intruderSubscription();
    // 302 first: fetch would follow it as a GET (307/308 with a Buffer body fail in undici instead).
    for (const status of [302, 307, 308]) wp.script(sub.id, { status, headers: { location: target.endpoint } });
    for (let i = 0; i < 3; i++) {
      const id = await makeNotification(t.ctx, me, { type: 'achievement' });
      expect(await deliver()).toMatchObject({ sent: 0, failed: 1 });
      expect((await outbox(id))[0]?.last_error).toMatch(/^web push 30[278]: redirect not followed$/);
    }
    clock.advance(3600_000);
    await deliver();
    expect(webRequestsTo(sub)).toHaveLength(3);
    expect(intruder.hits).toEqual([]);
    expect(await tokenActive(tokenId)).toBe(true);
  });
});
