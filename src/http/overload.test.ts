import { getHeapStatistics } from 'node:v8';
import { describe, expect, it } from 'vitest';
import { makeUser } from '../../test/factories.js';
import { createTestApp } from '../../test/harness.js';
import { ConfigError, loadConfig } from '../config/config.js';
import { heapThresholdBytes } from './overload.js';

const sampled = { timeout: 5_000, interval: 50 };

describe('overload protection (@fastify/under-pressure)', () => {
  it('under normal load every route answers as usual and /readyz reports the load as ok', async () => {
    const t = await createTestApp();
    try {
      const user = await makeUser(t.ctx);
      // Past the start's warm-up (two one-second samples), so every threshold is really being compared.
      await new Promise((resolve) => setTimeout(resolve, 2_100));
      const me = await t.app.inject({ method: 'GET', url: '/api/v1/users/me', headers: { authorization: `Bearer ${user.accessToken}` } });
      expect(me.statusCode).toBe(200);
      const ready = await t.app.inject({ method: 'GET', url: '/readyz' });
      expect(ready.statusCode).toBe(200);
      expect(ready.json().checks.load).toBe('ok');
    } finally {
      await t.close();
    }
  });

  it('over the RSS threshold: every route but the probes answers 503 overloaded with Retry-After, before authentication; /healthz stays 200 and /readyz reports load unavailable', async () => {
    const t = await createTestApp({ env: { OVERLOAD_MAX_RSS_BYTES: '1', OVERLOAD_RETRY_AFTER_SECONDS: '7' } });
    try {
      const user = await makeUser(t.ctx);
      await expect.poll(() => t.app.isUnderPressure(), sampled).toBe(true);
      for (const headers of [{ authorization: `Bearer ${user.accessToken}` }, {}]) {
        const res = await t.app.inject({ method: 'GET', url: '/api/v1/users/me', headers });
        expect(res.statusCode).toBe(503);
        expect(res.headers['retry-after']).toBe('7');
        expect(res.json()).toEqual({ error: { code: 'overloaded', message: 'The server is overloaded; try again later', details: [] } });
      }
      const write = await t.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email: user.email, password: 'whatever-it-is' } });
      expect(write.statusCode).toBe(503);
      expect(write.json().error.code).toBe('overloaded');

      const live = await t.app.inject({ method: 'GET', url: '/healthz' });
      expect(live.statusCode).toBe(200);
      expect(live.json()).toEqual({ status: 'ok' });
      const ready = await t.app.inject({ method: 'GET', url: '/readyz' });
      expect(ready.statusCode).toBe(503);
      expect(ready.json()).toEqual({ status: 'unavailable', checks: expect.objectContaining({ database: 'ok', load: 'unavailable' }) });
    } finally {
      await t.close();
    }
  });

  it('a busy event loop (mean delay over the threshold) sheds requests with 503, and they are served again once it has caught up', { timeout: 60_000 }, async () => {
    const t = await createTestApp({ env: { OVERLOAD_MAX_EVENT_LOOP_DELAY_MS: '30' } });
    try {
      const user = await makeUser(t.ctx);
      const auth = { authorization: `Bearer ${user.accessToken}` };
      let busy = true;
      // Synchronous work of 80 ms between each turn of the loop: every timer fires about 80 ms late.
      const blocker = (async () => {
        while (busy) {
          const end = performance.now() + 80;
          while (performance.now() < end);
          await new Promise((resolve) => setImmediate(resolve));
        }
      })();
      try {
        // From two samples after start on (the start's own work does not count), the delay sheds requests.
        const me = () => t.app.inject({ method: 'GET', url: '/api/v1/users/me', headers: auth });
        await expect.poll(async () => (await me()).statusCode, sampled).toBe(503);
        expect(t.app.memoryUsage().eventLoopDelay).toBeGreaterThan(30);
        const shed = await me();
        expect(shed.statusCode).toBe(503);
        expect(shed.headers['retry-after']).toBe('5');
        expect(shed.json().error.code).toBe('overloaded');
        expect((await t.app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
      } finally {
        busy = false;
        await blocker;
      }
      await expect.poll(() => t.app.isUnderPressure(), sampled).toBe(false);
      const served = await t.app.inject({ method: 'GET', url: '/api/v1/users/me', headers: auth });
      expect(served.statusCode).toBe(200);
      expect((await t.app.inject({ method: 'GET', url: '/readyz' })).json().checks.load).toBe('ok');
    } finally {
      await t.close();
    }
  });

  it('the heap threshold is a percentage of V8\'s heap limit; 0 switches a check off', () => {
    const limit = getHeapStatistics().heap_size_limit;
    expect(heapThresholdBytes(90)).toBe(Math.floor(limit * 0.9));
    expect(heapThresholdBytes(0)).toBe(0);
  });

  it('the OVERLOAD_* variables are validated: defaults, and every bad value named', () => {
    expect(loadConfig({}).overload).toEqual({ maxEventLoopDelayMs: 1_000, maxHeapUsedPercent: 90, maxRssBytes: 0, retryAfterSeconds: 5 });
    const bad = { OVERLOAD_MAX_EVENT_LOOP_DELAY_MS: '-1', OVERLOAD_MAX_HEAP_USED_PERCENT: '150', OVERLOAD_MAX_RSS_BYTES: '1.5GB', OVERLOAD_RETRY_AFTER_SECONDS: '0' };
    try {
      loadConfig(bad);
      expect.unreachable('the configuration was accepted');
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      for (const name of Object.keys(bad)) expect((err as ConfigError).problems.some((p) => p.startsWith(name))).toBe(true);
    }
  });
});
