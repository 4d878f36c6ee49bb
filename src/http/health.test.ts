import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test/harness.js';

describe('health and readiness', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => t.close());

  it('GET /healthz answers 200 {"status":"ok"} without a token', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/healthz' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'ok' });
  });

  it('GET /readyz answers 200 when the database (and Redis when configured) answer', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/readyz' });
    expect(res.statusCode).toBe(200);
    expect(res.json().status).toBe('ready');
    expect(res.json().checks.database).toBe('ok');
    if (t.ctx.redis) expect(res.json().checks.redis).toBe('ok');
  });

  it('GET /readyz answers 503 naming the dependency when the database does not answer', async () => {
    const broken = await createTestApp();
    try {
      const original = broken.ctx.database.ping.bind(broken.ctx.database);
      broken.ctx.database.ping = async () => {
        throw new Error('connection refused');
      };
      const res = await broken.app.inject({ method: 'GET', url: '/readyz' });
      expect(res.statusCode).toBe(503);
      expect(res.json()).toEqual({ status: 'unavailable', checks: expect.objectContaining({ database: 'unavailable' }) });
      broken.ctx.database.ping = original;
    } finally {
      await broken.close();
    }
  });

  it('GET /readyz answers 503 naming redis when Redis does not answer', async () => {
    const broken = await createTestApp({ env: { REDIS_URL: 'redis://127.0.0.1:1' } });
    try {
      const res = await broken.app.inject({ method: 'GET', url: '/readyz' });
      expect(res.statusCode).toBe(503);
      expect(res.json().checks).toMatchObject({ database: 'ok', redis: 'unavailable' });
    } finally {
      await broken.close();
    }
  });

  it('GET /docs serves the interactive API reference without a token', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/docs' });
    const page = res.statusCode === 302 ? await t.app.inject({ method: 'GET', url: res.headers.location as string }) : res;
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toMatch(/text\/html/);
    expect(page.body).toMatch(/swagger/i);
  });

  it('responses carry security headers and a request id', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/healthz' });
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['x-frame-options']).toBeDefined();
    expect(res.headers['strict-transport-security']).toBeDefined();
    expect(res.headers['x-request-id']).toMatch(/^[\w-]{8,64}$/);
  });

  it('CORS allows a configured origin and not another', async () => {
    const allowed = t.config.allowedOrigins[0]!;
    const ok = await t.app.inject({
      method: 'OPTIONS',
      url: '/api/v1/auth/login',
      headers: { origin: allowed, 'access-control-request-method': 'POST' },
    });
    expect(ok.headers['access-control-allow-origin']).toBe(allowed);
    const other = await t.app.inject({
      method: 'OPTIONS',
      url: '/api/v1/auth/login',
      headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' },
    });
    expect(other.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('an unknown route is a 404 in the error format', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/v1/nope' });
    expect(res.statusCode).toBe(404);
    expect(res.json().error.code).toBe('route_not_found');
  });
});

describe('JSON bodies', () => {
  it('an empty body sent as application/json counts as no body, not a parse error', async () => {
    const t2 = await createTestApp();
    try {
      const res = await t2.app.inject({
        method: 'POST',
        url: '/api/v1/auth/refresh',
        headers: { 'content-type': 'application/json' },
        payload: '',
      });
      // No body → the schema's required field is missing: a 422 naming it, not a 400 parse error.
      expect(res.statusCode).toBe(422);
      expect(res.json().error.details[0].field).toBe('body');
    } finally {
      await t2.close();
    }
  });
});
