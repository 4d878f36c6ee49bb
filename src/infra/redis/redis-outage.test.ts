import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeUser, type TestUser } from '../../../test/factories.js';
import { createTestApp, type TestApp } from '../../../test/harness.js';
import { OwnRedis } from '../../../test/own-redis.js';

let redis: OwnRedis;
let t: TestApp;
let u: TestUser;

beforeAll(async () => {
  redis = await OwnRedis.start();
  t = await createTestApp({ env: { REDIS_URL: redis.url, REDIS_COMMAND_TIMEOUT_MS: '200' } });
  u = await makeUser(t.ctx);
});
afterAll(async () => {
  await t?.close();
  await redis?.stop();
});

/** A request and how long it took. */
async function timed(method: 'GET' | 'PUT' | 'POST', url: string, payload?: object, headers: Record<string, string> = u.auth) {
  const started = Date.now();
  const res = await t.app.inject({ method, url, payload, headers });
  return { status: res.statusCode, ms: Date.now() - started };
}

describe('issue 15.2: a Redis outage is not an API outage', () => {
  it('while Redis is down, reads, writes and login keep answering, fast; afterwards Redis is used again', async () => {
    expect(t.ctx.redis).toBeDefined();
    expect((await timed('GET', '/api/v1/users/me')).status).toBe(200);

    await redis.stop();
    for (let i = 0; i < 3; i++) {
      const read = await timed('GET', '/api/v1/users/me');
      const write = await timed('PUT', '/api/v1/users/me', { bio: `outage ${i}` });
      expect([read.status, write.status]).toEqual([200, 200]);
      // Each Redis call gives up within the 200 ms command timeout (or at once while disconnected).
      expect(read.ms).toBeLessThan(2000);
      expect(write.ms).toBeLessThan(2000);
    }
    const login = await timed('POST', '/api/v1/auth/login', { email: u.email, password: u.password }, {});
    expect(login.status).toBe(200);
    expect((await timed('GET', '/api/v1/users/me')).status).toBe(200);

    await redis.start();
    const back = Date.now() + 10_000;
    while (t.ctx.redis?.status !== 'ready' && Date.now() < back) await new Promise((r) => setTimeout(r, 50));
    expect(t.ctx.redis?.status).toBe('ready');
    expect((await timed('PUT', '/api/v1/users/me', { bio: 'after' })).status).toBe(200);
    expect(await t.ctx.redis?.keys('*')).not.toEqual([]);
  });
});
