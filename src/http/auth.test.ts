import { randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeUser, type TestUser } from '../../test/factories.js';
import { createTestApp, type TestApp } from '../../test/harness.js';
import { FakeClock } from '../infra/clock/clock.js';

let t: TestApp;
let u: TestUser;
const clock = new FakeClock(new Date());

const me = (authorization?: string) =>
  t.app.inject({ method: 'GET', url: '/api/v1/users/me', headers: authorization === undefined ? {} : { authorization } });

function b64(obj: object): string {
  return Buffer.from(JSON.stringify(obj)).toString('base64url');
}

async function sign(claims: Record<string, unknown>, secret: string, expiresInSeconds = 3600): Promise<string> {
  const now = Math.floor(clock.now().getTime() / 1000);
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'HS256' })
    .setIssuedAt(now)
    .setExpirationTime(now + expiresInSeconds)
    .sign(new TextEncoder().encode(secret));
}

beforeAll(async () => {
  t = await createTestApp({ clock });
  u = await makeUser(t.ctx);
});
afterAll(async () => t.close());

describe('access-token authentication on every non-public route', () => {
  it('a valid token is accepted', async () => {
    expect((await me(`Bearer ${u.accessToken}`)).statusCode).toBe(200);
  });

  it.each([
    ['no Authorization header', undefined, 'missing_token'],
    ['an empty header', '', 'missing_token'],
    ['another scheme', `Token ${'x'.repeat(20)}`, 'invalid_token'],
    ['"Bearer" alone', 'Bearer', 'invalid_token'],
    ['garbage', 'Bearer not.a.jwt', 'invalid_token'],
  ])('%s → 401 %s', async (_case, header, code) => {
    const res = await me(header);
    expect(res.statusCode).toBe(401);
    expect(res.json().error.code).toBe(code);
  });

  it('a refresh token used as an access token → 401 invalid_token', async () => {
    const res = await me(`Bearer ${u.refreshToken}`);
    expect(res.statusCode).toBe(401);
    expect(res.json().error.code).toBe('invalid_token');
  });

  it('a token signed with another key → 401 invalid_token', async () => {
    const forged = await sign({ type: 'access', user_id: u.id, username: u.username, sid: randomUUID(), ver: 0 }, 'another-secret-'.repeat(4));
    const res = await me(`Bearer ${forged}`);
    expect(res.statusCode).toBe(401);
    expect(res.json().error.code).toBe('invalid_token');
  });

  it('an unsigned token (alg: none) → 401 invalid_token', async () => {
    const now = Math.floor(clock.now().getTime() / 1000);
    const unsigned = `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ type: 'access', user_id: u.id, username: u.username, sid: randomUUID(), ver: 0, iat: now, exp: now + 3600 })}.`;
    const res = await me(`Bearer ${unsigned}`);
    expect(res.statusCode).toBe(401);
    expect(res.json().error.code).toBe('invalid_token');
  });

  it('a token of another type signed with the right key → 401 invalid_token', async () => {
    const token = await sign({ type: 'refresh', user_id: u.id, token_id: 'x', ver: 0 }, t.config.jwtSecret!);
    expect((await me(`Bearer ${token}`)).json().error.code).toBe('invalid_token');
  });

  it('a token for an account that does not exist → 401 invalid_token', async () => {
    const token = await sign(
      { type: 'access', user_id: '00000000-0000-4000-8000-000000000000', username: 'x', sid: randomUUID(), ver: 0 },
      t.config.jwtSecret!,
    );
    expect((await me(`Bearer ${token}`)).json().error.code).toBe('invalid_token');
  });

  it('an expired token → 401 token_expired', async () => {
    const v = await makeUser(t.ctx);
    clock.advance(3600 * 1000 + 1000);
    const res = await me(`Bearer ${v.accessToken}`);
    expect(res.statusCode).toBe(401);
    expect(res.json().error.code).toBe('token_expired');
  });

  it('errors never echo the token back', async () => {
    const res = await me(`Bearer ${u.refreshToken}`);
    expect(res.body).not.toContain(u.refreshToken);
  });
});
