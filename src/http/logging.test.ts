import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test/harness.js';
import { maskTokenInUrl } from '../infra/logger.js';
import { captureLogs } from '../../test/capture.js';

let t: TestApp;
const { logger, lines } = captureLogs();

beforeAll(async () => {
  t = await createTestApp({ overrides: { logger } });
});
afterAll(async () => t.close());

describe('logs', () => {
  it('never contain passwords, tokens or hashes, even at trace level', async () => {
    const password = 'VerySecret123!';
    const reg = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/register',
      payload: { email: 'logs@example.com', username: 'logs_user', full_name: 'Log User', password, confirm_password: password },
    });
    const { access_token, refresh_token } = reg.json();
    const refreshed = await t.app.inject({ method: 'POST', url: '/api/v1/auth/refresh', payload: { refresh_token } });
    await t.app.inject({ method: 'GET', url: `/api/v1/users/me?token=${access_token}`, headers: { authorization: `Bearer ${access_token}` } });
    await t.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email: 'logs@example.com', password: 'WrongPass123!' } });
    await t.app.inject({ method: 'POST', url: '/api/v1/auth/forgot-password', payload: { email: 'logs@example.com' } });
    await t.ctx.bus.drain();
    const all = lines.join('\n');
    expect(all.length).toBeGreaterThan(0);
    const hash = (await t.ctx.services.users.findByEmail('logs@example.com'))!.passwordHash;
    for (const secret of [password, 'WrongPass123!', access_token, refresh_token, refreshed.json().refresh_token, hash]) {
      expect(all).not.toContain(secret);
    }
    expect(all).toContain('token=[redacted]');
  });

  it('maskTokenInUrl hides token, access_token and refresh_token query values', () => {
    expect(maskTokenInUrl('/ws?token=abc&x=1')).toBe('/ws?token=[redacted]&x=1');
    expect(maskTokenInUrl('/a?x=1&access_token=abc')).toBe('/a?x=1&access_token=[redacted]');
    expect(maskTokenInUrl('/a?refresh_token=abc#f')).toBe('/a?refresh_token=[redacted]#f');
  });

  it('issue 14.3: hides the signature of signed media URLs (disk sig, S3 X-Amz-Signature)', () => {
    expect(maskTokenInUrl('/media/private/posts/p/v/large.jpg?exp=1&sig=abc')).toBe('/media/private/posts/p/v/large.jpg?exp=1&sig=[redacted]');
    expect(maskTokenInUrl('/b/private/k.jpg?X-Amz-Date=1&X-Amz-Signature=f00&x=1')).toBe('/b/private/k.jpg?X-Amz-Date=1&X-Amz-Signature=[redacted]&x=1');
    expect(maskTokenInUrl('/posts?signal=1')).toBe('/posts?signal=1');
  });
});

describe('issue 15.15: one log line per request', () => {
  const linesOf = (requestId: string) =>
    lines
      .flatMap((chunk) => chunk.split('\n'))
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as Record<string, unknown>)
      .filter((log) => log.reqId === requestId && (log.level as number) >= 30);

  it('an authenticated request leaves exactly one line: method, URL, status, duration, request id and user id', async () => {
    const password = 'SecurePass123!';
    const reg = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/register',
      payload: { email: 'one-line@example.com', username: 'one_line', full_name: 'One Line', password, confirm_password: password },
    });
    const { access_token, user } = reg.json();
    const requestId = 'one-line-request-0001';
    const res = await t.app.inject({
      method: 'GET',
      url: '/api/v1/users/me',
      headers: { authorization: `Bearer ${access_token}`, 'x-request-id': requestId },
    });
    expect(res.statusCode).toBe(200);
    const logged = linesOf(requestId);
    expect(logged).toHaveLength(1);
    const [line] = logged as [Record<string, unknown>];
    expect(line).toMatchObject({
      msg: 'request completed',
      req: { id: requestId, method: 'GET', url: '/api/v1/users/me' },
      res: { statusCode: 200 },
      userId: user.id,
    });
    expect(typeof line.responseTime).toBe('number');
    expect(JSON.stringify(line)).not.toContain(access_token);
  });

  it('an anonymous request and a 404 leave one line each, without a user id, a token in the URL masked', async () => {
    const cases = [
      ['/healthz', '/healthz', 200],
      ['/api/v1/no-such-route?token=not-for-logs&x=1', '/api/v1/no-such-route?token=[redacted]&x=1', 404],
    ] as const;
    for (const [url, loggedUrl, status] of cases) {
      const requestId = `one-line-${status}-request`;
      const res = await t.app.inject({ method: 'GET', url, headers: { 'x-request-id': requestId } });
      expect(res.statusCode).toBe(status);
      const logged = linesOf(requestId);
      expect(logged).toHaveLength(1);
      expect(logged[0]).toMatchObject({ msg: 'request completed', req: { method: 'GET', url: loggedUrl }, res: { statusCode: status } });
      expect(JSON.stringify(logged[0])).not.toContain('not-for-logs');
      expect(logged[0]).not.toHaveProperty('userId');
    }
  });
});
