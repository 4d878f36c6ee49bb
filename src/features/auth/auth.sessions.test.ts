import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countRows, makeUser, type TestUser } from '../../../test/factories.js';
import { createTestApp, type TestApp } from '../../../test/harness.js';

let t: TestApp;
let ipCounter = 0;
const nextIp = () => `10.2.${Math.floor(++ipCounter / 250)}.${ipCounter % 250}`;

function login(body: Record<string, unknown>, remoteAddress = nextIp()) {
  return t.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: body, remoteAddress });
}
function refresh(refreshToken: unknown) {
  return t.app.inject({ method: 'POST', url: '/api/v1/auth/refresh', payload: { refresh_token: refreshToken }, remoteAddress: nextIp() });
}
function me(accessToken: string) {
  return t.app.inject({ method: 'GET', url: '/api/v1/users/me', headers: { authorization: `Bearer ${accessToken}` } });
}

beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => t.close());

describe('POST /api/v1/auth/login', () => {
  let u: TestUser;
  beforeAll(async () => {
    u = await makeUser(t.ctx);
  });

  it('with the right password, answers 200 with the plan body and tokens', async () => {
    const res = await login({
      email: u.email.toUpperCase(),
      password: u.password,
      device_info: { device_type: 'ios', device_id: 'device-1', app_version: '1.0.0' },
    });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({ token_type: 'bearer', expires_in: 3600, user: { id: u.id, email: u.email } });
    expect(Object.keys(body.user).sort()).toEqual(
      [
        'bio', 'cover_image_url', 'created_at', 'email', 'email_verified', 'full_name', 'goals_achieved', 'id',
        'photos_shared', 'profile_image_url', 'username',
      ].sort(),
    );
    expect((await me(body.access_token)).statusCode).toBe(200);
  });

  it('the access token carries the plan claims but the email (type, user_id, username, iat, exp = iat + 1 h) and its session (sid)', async () => {
    const res = await login({ email: u.email, password: u.password });
    const payload = JSON.parse(Buffer.from(res.json().access_token.split('.')[1], 'base64url').toString());
    expect(payload).toMatchObject({ type: 'access', user_id: u.id, username: u.username, sid: expect.any(String) });
    expect(payload).not.toHaveProperty('email');
    expect(payload.exp - payload.iat).toBe(3600);
    const header = JSON.parse(Buffer.from(res.json().access_token.split('.')[0], 'base64url').toString());
    expect(header.alg).toBe('HS256');
  });

  it('a wrong password and an unknown email give the same 401 invalid_credentials', async () => {
    const wrong = await login({ email: u.email, password: 'WrongPass123!' });
    const unknown = await login({ email: 'nobody-here@example.com', password: 'WrongPass123!' });
    expect(wrong.statusCode).toBe(401);
    expect(unknown.statusCode).toBe(401);
    expect(wrong.json()).toEqual(unknown.json());
    expect(wrong.json().error.code).toBe('invalid_credentials');
  });

  it('an unknown email costs about as long as a wrong password (a password hash is verified either way)', async () => {
    const time = async (email: string) => {
      const start = process.hrtime.bigint();
      await login({ email, password: 'WrongPass123!' });
      return Number(process.hrtime.bigint() - start) / 1e6;
    };
    await time('warm-up@example.com');
    const wrong: number[] = [];
    const unknown: number[] = [];
    for (let i = 0; i < 3; i++) {
      wrong.push(await time(u.email));
      unknown.push(await time(`ghost${i}@example.com`));
    }
    const median = (xs: number[]) => xs.sort((a, b) => a - b)[1]!;
    // Both include an argon2 verification (tens of ms); a skipped hash would be ~1 ms. The bound is
    // loose because other work on the machine (parallel test files) adds noise to either side.
    expect(median(unknown)).toBeGreaterThan(median(wrong) * 0.25);
  });

  it('with bad input (missing password, unknown field, wrongly typed email), returns 422', async () => {
    for (const body of [{ email: u.email }, { email: u.email, password: 'x', admin: true }, { email: 5, password: 'x' }]) {
      const res = await login(body);
      expect(res.statusCode).toBe(422);
      expect(res.json().error.code).toBe('validation_failed');
    }
  });

  it('a deactivated account cannot log in (403 account_deactivated) and its tokens stop working at once', async () => {
    const gone = await makeUser(t.ctx);
    expect((await me(gone.accessToken)).statusCode).toBe(200);
    await t.ctx.services.users.deactivate(gone.id);
    const res = await me(gone.accessToken);
    expect(res.statusCode).toBe(401);
    expect(res.json().error.code).toBe('account_inactive');
    expect((await refresh(gone.refreshToken)).statusCode).toBe(401);
    const again = await login({ email: gone.email, password: gone.password });
    expect(again.statusCode).toBe(403);
    expect(again.json().error.code).toBe('account_deactivated');
  });

  // The login limits (wrong passwords per account and address, per address, account cap) are
  // tested in auth.limits.test.ts.

  it('logging in again on the same device ends that device’s previous session', async () => {
    const d = await makeUser(t.ctx);
    const first = await login({ email: d.email, password: d.password, device_info: { device_id: 'phone-A' } });
    const second = await login({ email: d.email, password: d.password, device_info: { device_id: 'phone-A' } });
    const other = await login({ email: d.email, password: d.password, device_info: { device_id: 'phone-B' } });
    expect((await refresh(first.json().refresh_token)).statusCode).toBe(401);
    expect((await refresh(second.json().refresh_token)).statusCode).toBe(200);
    expect((await refresh(other.json().refresh_token)).statusCode).toBe(200);
  });
});

describe('POST /api/v1/auth/refresh', () => {
  it('rotates: returns a new pair, and the new refresh token works once more', async () => {
    const u = await makeUser(t.ctx);
    const first = await refresh(u.refreshToken);
    expect(first.statusCode).toBe(200);
    expect(first.json()).toMatchObject({ token_type: 'bearer', expires_in: 3600 });
    expect(first.json().refresh_token).not.toBe(u.refreshToken);
    expect((await me(first.json().access_token)).statusCode).toBe(200);
    const second = await refresh(first.json().refresh_token);
    expect(second.statusCode).toBe(200);
  });

  it('presenting an already-rotated token again revokes the whole family (401 refresh_token_reused)', async () => {
    const u = await makeUser(t.ctx);
    const rotated = await refresh(u.refreshToken);
    const current = rotated.json().refresh_token;
    const replay = await refresh(u.refreshToken);
    expect(replay.statusCode).toBe(401);
    expect(replay.json().error.code).toBe('refresh_token_reused');
    // The thief's replay also signs out the legitimate holder of the newest token.
    const afterTheft = await refresh(current);
    expect(afterTheft.statusCode).toBe(401);
  });

  it('concurrent refreshes of one token: exactly one succeeds, the rest are treated as reuse', async () => {
    const u = await makeUser(t.ctx);
    const results = await Promise.all(Array.from({ length: 5 }, () => refresh(u.refreshToken)));
    const codes = results.map((r) => r.statusCode).sort();
    expect(codes).toEqual([200, 401, 401, 401, 401]);
    for (const r of results.filter((x) => x.statusCode === 401)) expect(r.json().error.code).toBe('refresh_token_reused');
    // The whole family is revoked, including the winner's new token.
    const winner = results.find((r) => r.statusCode === 200)!;
    expect((await refresh(winner.json().refresh_token)).statusCode).toBe(401);
    expect(await countRows(t.ctx, `refresh_tokens where user_id = '${u.id}' and revoked = false`)).toBe(0);
  });

  it('reuse in one family leaves the user’s other sessions alone', async () => {
    const u = await makeUser(t.ctx);
    const other = await login({ email: u.email, password: u.password });
    await refresh(u.refreshToken);
    await refresh(u.refreshToken);
    expect((await refresh(other.json().refresh_token)).statusCode).toBe(200);
  });

  it('an unknown token, or an access token used as a refresh token, is 401 invalid_refresh_token', async () => {
    const u = await makeUser(t.ctx);
    for (const token of ['a'.repeat(43), u.accessToken]) {
      const res = await refresh(token);
      expect(res.statusCode).toBe(401);
      expect(res.json().error.code).toBe('invalid_refresh_token');
    }
  });

  it('an expired refresh token is 401 refresh_token_expired', async () => {
    const { FakeClock } = await import('../../infra/clock/clock.js');
    const clock = new FakeClock(new Date());
    const timed = await createTestApp({ clock });
    try {
      const u = await makeUser(timed.ctx);
      clock.advance(31 * 24 * 3600 * 1000);
      const res = await timed.app.inject({ method: 'POST', url: '/api/v1/auth/refresh', payload: { refresh_token: u.refreshToken } });
      expect(res.statusCode).toBe(401);
      expect(res.json().error.code).toBe('refresh_token_expired');
    } finally {
      await timed.close();
    }
  });

  it('with bad input (missing, wrongly typed, too short), returns 422 and writes nothing', async () => {
    const before = await countRows(t.ctx, 'refresh_tokens');
    for (const payload of [{}, { refresh_token: 42 }, { refresh_token: 'short' }]) {
      const res = await t.app.inject({ method: 'POST', url: '/api/v1/auth/refresh', payload, remoteAddress: nextIp() });
      expect(res.statusCode).toBe(422);
    }
    expect(await countRows(t.ctx, 'refresh_tokens')).toBe(before);
  });

  it('refresh tokens are stored only as hashes', async () => {
    const u = await makeUser(t.ctx);
    const raw = await countRows(t.ctx, `refresh_tokens where token_hash = '${u.refreshToken}'`);
    expect(raw).toBe(0);
  });
});

describe('POST /api/v1/auth/logout', () => {
  it('revokes the given refresh token (204); it stops working', async () => {
    const u = await makeUser(t.ctx);
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/logout',
      headers: u.auth,
      payload: { refresh_token: u.refreshToken },
    });
    expect(res.statusCode).toBe(204);
    expect((await refresh(u.refreshToken)).statusCode).toBe(401);
  });

  it('with all_devices, revokes every session and every access token of the account', async () => {
    const u = await makeUser(t.ctx);
    const other = await login({ email: u.email, password: u.password });
    const res = await t.app.inject({ method: 'POST', url: '/api/v1/auth/logout', headers: u.auth, payload: { all_devices: true } });
    expect(res.statusCode).toBe(204);
    expect((await refresh(u.refreshToken)).statusCode).toBe(401);
    expect((await refresh(other.json().refresh_token)).statusCode).toBe(401);
    expect((await me(u.accessToken)).statusCode).toBe(401);
    expect((await me(other.json().access_token)).statusCode).toBe(401);
    const fresh = await login({ email: u.email, password: u.password });
    expect((await me(fresh.json().access_token)).statusCode).toBe(200);
  });

  it('with another user’s refresh token, answers 204 but leaves that token working', async () => {
    const a = await makeUser(t.ctx);
    const b = await makeUser(t.ctx);
    const res = await t.app.inject({ method: 'POST', url: '/api/v1/auth/logout', headers: a.auth, payload: { refresh_token: b.refreshToken } });
    expect(res.statusCode).toBe(204);
    expect((await refresh(b.refreshToken)).statusCode).toBe(200);
  });

  it('with no body, answers 204', async () => {
    const u = await makeUser(t.ctx);
    const res = await t.app.inject({ method: 'POST', url: '/api/v1/auth/logout', headers: u.auth });
    expect(res.statusCode).toBe(204);
  });

  it('without a token, answers 401; with bad input, 422', async () => {
    expect((await t.app.inject({ method: 'POST', url: '/api/v1/auth/logout', payload: {} })).statusCode).toBe(401);
    const u = await makeUser(t.ctx);
    const res = await t.app.inject({ method: 'POST', url: '/api/v1/auth/logout', headers: u.auth, payload: { all_devices: 'yes' } });
    expect(res.statusCode).toBe(422);
  });
});
