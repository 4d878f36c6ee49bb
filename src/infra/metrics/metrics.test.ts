import { randomBytes, randomUUID } from 'node:crypto';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeUser, type TestUser } from '../../../test/factories.js';
import { createTestApp, productionMode, type TestApp } from '../../../test/harness.js';
import { http } from '../../../test/http.js';
import { recordSecret } from '../../../test/log-secrets.js';
import { parsePrometheusText, samplesOf, valueOf, type Exposition } from '../../../test/prometheus-text.js';
import { listen, WsClient } from '../../../test/realtime-helpers.js';
import { makeNotification, setPreferences } from '../../features/notifications/notifications.test-helpers.js';
import { AUTH_MAIL_SUBSCRIBER } from '../../features/auth/auth.subscriptions.js';
import { startMetricsServer } from './metrics-server.js';

/** GET /metrics on the API port with METRICS_TOKEN: protection, and what the series say after real traffic. */

const TOKEN = randomBytes(32).toString('hex');
let t: TestApp;
let base: string;
const { get, post } = http(() => t);

beforeAll(async () => {
  t = await createTestApp({
    // A low read budget: the scrapes below would exceed it if /metrics were rate limited.
    env: { METRICS_TOKEN: TOKEN, RATE_LIMIT_READ_PER_MINUTE: '10' },
    overrides: { pushDelivery: { kickOnEnqueue: false } },
  });
  // The suite's log search (test/log-secrets.ts) must never find it.
  recordSecret('token', TOKEN);
  base = await listen(t);
});
afterAll(async () => {
  await t?.close();
});

async function scrape(): Promise<Exposition> {
  const res = await t.app.inject({ method: 'GET', url: '/metrics', headers: { authorization: `Bearer ${TOKEN}` } });
  expect(res.statusCode).toBe(200);
  return parsePrometheusText(res.body);
}

/** Polls the scrape until `check` holds (a socket's close reaches the server a moment after the client's). */
async function eventually(check: (e: Exposition) => boolean, timeoutMs = 5000): Promise<Exposition> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const e = await scrape();
    if (check(e) || Date.now() > until) return e;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

describe('GET /metrics with METRICS_TOKEN', () => {
  it('without a token answers 401 missing_token in the error format, with no metrics in it', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/metrics' });
    expect(res.statusCode).toBe(401);
    expect(res.json()).toEqual({ error: { code: 'missing_token', message: expect.any(String), details: [] } });
    expect(res.body).not.toContain('tribe_');
  });

  it('with a wrong token, another scheme or a user access token answers 401 invalid_token and echoes nothing', async () => {
    const user = await makeUser(t.ctx);
    for (const authorization of [`Bearer ${TOKEN.slice(0, -1)}x`, `Bearer ${TOKEN}extra`, `Basic ${TOKEN}`, `Bearer`, user.auth.authorization]) {
      const res = await t.app.inject({ method: 'GET', url: '/metrics', headers: { authorization } });
      expect(res.statusCode, authorization).toBe(401);
      expect(res.json().error.code).toBe('invalid_token');
      expect(res.body).not.toContain(TOKEN.slice(0, 16));
      expect(res.body).not.toContain('tribe_');
    }
  });

  it('with the token answers the Prometheus text format, outside the rate limits, and is not in the OpenAPI document', async () => {
    for (let i = 0; i < 12; i++) await scrape();
    const res = await t.app.inject({ method: 'GET', url: '/metrics', headers: { authorization: `Bearer ${TOKEN}` } });
    expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.headers['x-ratelimit-limit']).toBeUndefined();
    const e = parsePrometheusText(res.body);
    expect(e.types.get('tribe_http_request_duration_seconds')).toBe('histogram');
    // Process metrics (prom-client's default set) are in it.
    expect(valueOf(e, 'process_cpu_user_seconds_total')).toBeGreaterThan(0);
    expect(valueOf(e, 'nodejs_heap_size_used_bytes')).toBeGreaterThan(0);
    // The scrapes themselves are not recorded.
    expect(samplesOf(e, 'tribe_http_request_duration_seconds_count', { route: '/metrics' })).toEqual([]);
    const docs = await get('/openapi.json');
    expect(Object.keys(docs.json().paths as object)).not.toContain('/metrics');
  });

  it('with METRICS_PORT as well, the internal server answers without a token while the API port still asks for it', async () => {
    const server = await startMetricsServer(t.ctx.metrics, { port: 0, host: '127.0.0.1' }, t.ctx.logger);
    try {
      const res = await fetch(`http://127.0.0.1:${server.port}/metrics`);
      expect(res.status).toBe(200);
      expect(valueOf(parsePrometheusText(await res.text()), 'tribe_http_requests_in_flight')).toBe(0);
      expect((await t.app.inject({ method: 'GET', url: '/metrics' })).statusCode).toBe(401);
    } finally {
      await server.close();
    }
  });
});

describe('HTTP series', () => {
  it('counts requests by route pattern and status, never the raw URL; unmatched ones under one label; nothing left in flight', async () => {
    const [me, other] = [await makeUser(t.ctx), await makeUser(t.ctx)];
    const pattern = { method: 'GET', route: '/api/v1/users/:userId', status: '200' };
    const before = valueOf(await scrape(), 'tribe_http_request_duration_seconds_count', pattern) ?? 0;
    for (let i = 0; i < 3; i++) expect((await get(`/api/v1/users/${other.id}`, me)).statusCode).toBe(200);
    const missing = randomUUID();
    expect((await get(`/api/v1/users/${missing}`, me)).statusCode).toBe(404);
    expect((await get(`/no/such/${missing}`)).statusCode).toBe(404);

    const res = await t.app.inject({ method: 'GET', url: '/metrics', headers: { authorization: `Bearer ${TOKEN}` } });
    const e = parsePrometheusText(res.body);
    expect(valueOf(e, 'tribe_http_request_duration_seconds_count', pattern)).toBe(before + 3);
    expect(valueOf(e, 'tribe_http_request_duration_seconds_bucket', { ...pattern, le: '+Inf' })).toBe(before + 3);
    expect(valueOf(e, 'tribe_http_request_duration_seconds_sum', pattern)).toBeGreaterThan(0);
    expect(valueOf(e, 'tribe_http_request_duration_seconds_count', { ...pattern, status: '404' })).toBe(1);
    expect(valueOf(e, 'tribe_http_request_duration_seconds_count', { method: 'GET', route: 'unmatched', status: '404' })).toBeGreaterThanOrEqual(1);
    for (const id of [me.id, other.id, missing]) expect(res.body).not.toContain(id);
    expect(valueOf(e, 'tribe_http_requests_in_flight')).toBe(0);
  });

  it('a request is in flight from its arrival until its client leaves, even unanswered', async () => {
    const port = Number(new URL(base).port);
    const socket = net.connect(port, '127.0.0.1');
    await new Promise((resolve) => socket.once('connect', resolve));
    // Headers sent, the promised body never: the request has arrived and cannot be answered yet.
    socket.write('POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{');
    expect(valueOf(await eventually((e) => valueOf(e, 'tribe_http_requests_in_flight') === 1), 'tribe_http_requests_in_flight')).toBe(1);
    socket.destroy();
    expect(valueOf(await eventually((e) => valueOf(e, 'tribe_http_requests_in_flight') === 0), 'tribe_http_requests_in_flight')).toBe(0);
  });
});

describe('dependency series', () => {
  it('reports the database pools', async () => {
    const e = await scrape();
    if (productionMode) {
      for (const pool of ['main', 'hot']) {
        expect(valueOf(e, 'tribe_db_pool_connections', { pool })).toBeGreaterThanOrEqual(0);
        expect(valueOf(e, 'tribe_db_pool_idle_connections', { pool })).toBeGreaterThanOrEqual(0);
        expect(valueOf(e, 'tribe_db_pool_waiting_queries', { pool })).toBe(0);
      }
      expect(valueOf(e, 'tribe_db_pool_connections', { pool: 'main' })).toBeGreaterThan(0);
    } else {
      expect(valueOf(e, 'tribe_db_pool_connections', { pool: 'embedded' })).toBe(1);
      expect(valueOf(e, 'tribe_db_pool_idle_connections', { pool: 'embedded' })).toBe(1);
      expect(valueOf(e, 'tribe_db_pool_waiting_queries', { pool: 'embedded' })).toBe(0);
    }
  });

  it('counts cache reads as hits and misses by key space, never by key', async () => {
    const id = randomUUID();
    const read = async () => {
      const e = await scrape();
      return { hits: valueOf(e, 'tribe_cache_hits_total', { keyspace: 'auth-state' }) ?? 0, misses: valueOf(e, 'tribe_cache_misses_total', { keyspace: 'auth-state' }) ?? 0 };
    };
    const before = await read();
    expect(await t.ctx.cache.get(`auth-state:${id}`)).toBeUndefined();
    await t.ctx.cache.set(`auth-state:${id}`, { ok: true }, 60);
    expect(await t.ctx.cache.get(`auth-state:${id}`)).toEqual({ ok: true });
    expect(await read()).toEqual({ hits: before.hits + 1, misses: before.misses + 1 });
    // An authenticated request reads the account's auth state from the cache.
    const user = await makeUser(t.ctx);
    await get('/api/v1/users/me', user);
    const after = await read();
    expect(after.hits + after.misses).toBeGreaterThan(before.hits + before.misses + 2);
    const text = (await t.app.inject({ method: 'GET', url: '/metrics', headers: { authorization: `Bearer ${TOKEN}` } })).body;
    expect(text).not.toContain(id);
  });

  it('counts a registration’s verification mail as sent', async () => {
    const sent = async () => valueOf(await scrape(), 'tribe_mail_deliveries_total', { outcome: 'sent' }) ?? 0;
    const before = await sent();
    const n = randomBytes(3).toString('hex');
    const password = 'Quiet-Horse-Battery-42';
    const res = await post('/api/v1/auth/register', { email: `metrics${n}@example.com`, username: `metrics_${n}`, full_name: 'Metrics Tester', password, confirm_password: password });
    expect(res.statusCode).toBe(201);
    const mails = await t.mails();
    expect(mails.some((m) => m.to.includes(`metrics${n}@example.com`))).toBe(true);
    expect(await sent()).toBe(before + 1);
    expect(valueOf(await scrape(), 'tribe_mail_deliveries_total', { outcome: 'failed' }) ?? 0).toBe(0);
  });

  it('counts pushes by provider and outcome', async () => {
    const user: TestUser = await makeUser(t.ctx);
    const token = `device-${randomBytes(4).toString('hex')}:APA91b${'t'.repeat(30)}`;
    expect((await post('/api/v1/notifications/push-tokens', { token, device_type: 'android' }, user)).statusCode).toBe(201);
    const count = async (outcome: string) => valueOf(await scrape(), 'tribe_push_deliveries_total', { provider: 'log', outcome }) ?? 0;
    const [sentBefore, skippedBefore] = [await count('sent'), await count('skipped')];
    await makeNotification(t.ctx, user, { type: 'achievement' });
    expect(await t.ctx.services.pushDelivery.deliverDue()).toMatchObject({ sent: 1 });
    expect(await count('sent')).toBe(sentBefore + 1);
    await makeNotification(t.ctx, user, { type: 'achievement' });
    await setPreferences(t.ctx, user, { pushEnabled: false });
    expect(await t.ctx.services.pushDelivery.deliverDue()).toMatchObject({ skipped: 1 });
    expect(await count('skipped')).toBe(skippedBefore + 1);
  });
});

describe('job series', () => {
  it('counts job runs and their durations by queue, reads the queue depth of every queue, and reports the job pool', async () => {
    const completed = async () => valueOf(await scrape(), 'tribe_jobs_total', { queue: `events.${AUTH_MAIL_SUBSCRIBER}`, outcome: 'completed' }) ?? 0;
    const before = await completed();
    const n = randomBytes(3).toString('hex');
    const password = 'Quiet-Horse-Battery-42';
    expect((await post('/api/v1/auth/register', { email: `jobs${n}@example.com`, username: `jobs_${n}`, full_name: 'Jobs Tester', password, confirm_password: password })).statusCode).toBe(201);
    await t.ctx.bus.drain();
    expect(await completed()).toBeGreaterThan(before);
    const e = await scrape();
    expect(e.types.get('tribe_job_duration_seconds')).toBe('histogram');
    expect(valueOf(e, 'tribe_job_duration_seconds_count', { queue: `events.${AUTH_MAIL_SUBSCRIBER}` })).toBeGreaterThan(0);
    // Every queue (dead-letter queues too) has a series per unfinished state, zero included.
    const depth = samplesOf(e, 'tribe_queue_depth');
    const queues = new Set(depth.map((s) => s.labels.queue));
    expect(queues).toContain(`events.${AUTH_MAIL_SUBSCRIBER}`);
    expect(queues).toContain(`events.${AUTH_MAIL_SUBSCRIBER}.dead`);
    expect(queues).toContain('cron.push-delivery');
    expect(new Set(depth.map((s) => s.labels.state))).toEqual(new Set(['created', 'retry', 'active', 'failed']));
    expect(valueOf(e, 'tribe_queue_depth', { queue: `events.${AUTH_MAIL_SUBSCRIBER}`, state: 'active' })).toBe(0);
    // A job waiting in a queue is counted as created (nothing consumes this one: it has no handler here).
    await t.ctx.jobs.enqueue(t.ctx.database.db, [{ queue: `events.${AUTH_MAIL_SUBSCRIBER}.dead`, id: randomUUID(), data: { probe: n } }]);
    expect(valueOf(await scrape(), 'tribe_queue_depth', { queue: `events.${AUTH_MAIL_SUBSCRIBER}.dead`, state: 'created' })).toBeGreaterThanOrEqual(1);
    if (productionMode) expect(valueOf(e, 'tribe_db_pool_connections', { pool: 'jobs' })).toBeGreaterThan(0);
    else expect(valueOf(e, 'tribe_db_pool_connections', { pool: 'jobs' })).toBeUndefined();
  });
});

describe('WebSocket series', () => {
  it('a connection raises the gauge until it closes; frames are counted in and out', async () => {
    const user = await makeUser(t.ctx);
    const before = await scrape();
    const frames = (e: Exposition, direction: string) => valueOf(e, 'tribe_websocket_messages_total', { direction }) ?? 0;
    const client = await WsClient.connect(base, `token=${user.accessToken}`);
    client.send({ event: 'no_such_event' });
    await client.next((f) => f.event === 'error');
    const open = await scrape();
    expect(valueOf(open, 'tribe_websocket_connections')).toBe((valueOf(before, 'tribe_websocket_connections') ?? 0) + 1);
    expect(frames(open, 'in')).toBe(frames(before, 'in') + 1);
    // At least the connected frame and the error frame went out.
    expect(frames(open, 'out')).toBeGreaterThanOrEqual(frames(before, 'out') + 2);
    await client.close();
    const closed = await eventually((e) => valueOf(e, 'tribe_websocket_connections') === 0);
    expect(valueOf(closed, 'tribe_websocket_connections')).toBe(0);
  });
});
