import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countRows, makeUser, type TestUser } from '../../../test/factories.js';
import { createTestApp, type TestApp } from '../../../test/harness.js';

let t: TestApp;

beforeAll(async () => {
  t = await createTestApp({ env: { RATE_LIMIT_ENABLED: 'false' } });
});
afterAll(async () => t.close());

const me = (accessToken: string) =>
  t.app.inject({ method: 'GET', url: '/api/v1/users/me', headers: { authorization: `Bearer ${accessToken}` } });
const refresh = (refreshToken: string) =>
  t.app.inject({ method: 'POST', url: '/api/v1/auth/refresh', payload: { refresh_token: refreshToken } });
const logout = (accessToken: string, payload?: Record<string, unknown>) =>
  t.app.inject({
    method: 'POST',
    url: '/api/v1/auth/logout',
    headers: { authorization: `Bearer ${accessToken}` },
    ...(payload ? { payload } : {}),
  });
/** A second session of the same account (another device), opened through the service. */
const anotherSession = (u: TestUser) => t.ctx.services.sessions.login(u.email, u.password, { ip: '127.0.0.1', userAgent: 'vitest' });
const claimsOf = (accessToken: string) =>
  JSON.parse(Buffer.from(accessToken.split('.')[1]!, 'base64url').toString()) as Record<string, unknown>;

async function expectRevoked(accessToken: string): Promise<void> {
  const res = await me(accessToken);
  expect(res.statusCode).toBe(401);
  expect(res.json().error.code).toBe('session_revoked');
}

describe('issue 14.7: tokens outlive logout', () => {
  it('after refresh-token reuse is detected, every access token of the family gets 401 at once; other sessions keep working', async () => {
    const u = await makeUser(t.ctx);
    const other = await anotherSession(u);
    const rotated = (await refresh(u.refreshToken)).json() as { access_token: string };
    expect((await me(rotated.access_token)).statusCode).toBe(200);
    expect((await me(u.accessToken)).statusCode).toBe(200);

    const replay = await refresh(u.refreshToken);
    expect(replay.json().error.code).toBe('refresh_token_reused');

    await expectRevoked(u.accessToken);
    await expectRevoked(rotated.access_token);
    expect((await me(other.accessToken)).statusCode).toBe(200);
  });

  it('after logout with only the access token, that session ends at once (access and refresh token); the other session keeps working', async () => {
    const u = await makeUser(t.ctx);
    const other = await anotherSession(u);
    expect((await logout(u.accessToken)).statusCode).toBe(204);
    await expectRevoked(u.accessToken);
    expect((await refresh(u.refreshToken)).statusCode).toBe(401);
    expect((await me(other.accessToken)).statusCode).toBe(200);
    expect((await refresh(other.refreshToken)).statusCode).toBe(200);
  });

  it('after logout with the refresh token of another of the caller’s sessions, both sessions end', async () => {
    const u = await makeUser(t.ctx);
    const other = await anotherSession(u);
    const third = await anotherSession(u);
    expect((await logout(u.accessToken, { refresh_token: other.refreshToken })).statusCode).toBe(204);
    await expectRevoked(u.accessToken);
    await expectRevoked(other.accessToken);
    expect((await me(third.accessToken)).statusCode).toBe(200);
  });

  it('logout with another user’s refresh token ends only the caller’s own session', async () => {
    const [a, b] = [await makeUser(t.ctx), await makeUser(t.ctx)];
    expect((await logout(a.accessToken, { refresh_token: b.refreshToken })).statusCode).toBe(204);
    await expectRevoked(a.accessToken);
    expect((await me(b.accessToken)).statusCode).toBe(200);
    expect((await refresh(b.refreshToken)).statusCode).toBe(200);
  });

  it('after logout-everywhere, every access token of the user gets 401 at once; another user’s tokens are unaffected', async () => {
    const [u, bystander] = [await makeUser(t.ctx), await makeUser(t.ctx)];
    const other = await anotherSession(u);
    expect((await logout(u.accessToken, { all_devices: true })).statusCode).toBe(204);
    for (const token of [u.accessToken, other.accessToken]) expect((await me(token)).statusCode).toBe(401);
    expect((await refresh(other.refreshToken)).statusCode).toBe(401);
    expect((await me(bystander.accessToken)).statusCode).toBe(200);
    const fresh = await anotherSession(u);
    expect((await me(fresh.accessToken)).statusCode).toBe(200);
  });

  it('logging in again on the same device ends the earlier session’s access token too', async () => {
    const u = await makeUser(t.ctx);
    const client = { ip: '127.0.0.1', userAgent: 'vitest', deviceInfo: { device_id: 'phone-14-7' } };
    const first = await t.ctx.services.sessions.login(u.email, u.password, client);
    const second = await t.ctx.services.sessions.login(u.email, u.password, client);
    await expectRevoked(first.accessToken);
    expect((await me(second.accessToken)).statusCode).toBe(200);
    expect((await me(u.accessToken)).statusCode).toBe(200);
  });

  it('revokeAllSessions(userId, reason) ends every access and refresh token of that user only', async () => {
    const [u, bystander] = [await makeUser(t.ctx), await makeUser(t.ctx)];
    const other = await anotherSession(u);
    await t.ctx.services.sessions.revokeAllSessions(u.id, 'email_change_reverted');
    for (const token of [u.accessToken, other.accessToken]) expect((await me(token)).statusCode).toBe(401);
    expect(await countRows(t.ctx, `refresh_tokens where user_id = '${u.id}' and revoked = false`)).toBe(0);
    expect((await me(bystander.accessToken)).statusCode).toBe(200);
    expect((await refresh(bystander.refreshToken)).statusCode).toBe(200);
  });

  it('a token issued before sessions existed (no sid claim) gets 401 invalid_token: the client refreshes', async () => {
    const u = await makeUser(t.ctx);
    const claims = claimsOf(u.accessToken);
    const { sid: _sid, ...legacy } = claims;
    const old = await new SignJWT({ ...legacy, email: u.email })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setIssuedAt(claims.iat as number)
      .setExpirationTime(claims.exp as number)
      .sign(new TextEncoder().encode(t.config.jwtSecret!));
    const res = await me(old);
    expect(res.statusCode).toBe(401);
    expect(res.json().error.code).toBe('invalid_token');
    expect((await refresh(u.refreshToken)).statusCode).toBe(200);
  });

  it('a token with a sid that is not a session id (forged claims need the key anyway) gets 401 invalid_token', async () => {
    const u = await makeUser(t.ctx);
    const claims = claimsOf(u.accessToken);
    const odd = await new SignJWT({ ...claims, sid: 42 })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .sign(new TextEncoder().encode(t.config.jwtSecret!));
    expect((await me(odd)).json().error.code).toBe('invalid_token');
  });
});

describe('issue 14.9: the access token carries no email', () => {
  it('tokens from registration, login and refresh carry user_id, username, ver and sid, never the email', async () => {
    const u = await makeUser(t.ctx);
    const login = await t.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email: u.email, password: u.password } });
    const refreshed = await refresh(u.refreshToken);
    for (const token of [u.accessToken, login.json().access_token as string, refreshed.json().access_token as string]) {
      const claims = claimsOf(token);
      expect(claims).not.toHaveProperty('email');
      expect(JSON.stringify(claims)).not.toContain(u.email);
      expect(claims).toMatchObject({ type: 'access', user_id: u.id, username: u.username });
      expect(claims.sid).toEqual(expect.stringMatching(/^[0-9a-f-]{36}$/));
    }
  });
});
