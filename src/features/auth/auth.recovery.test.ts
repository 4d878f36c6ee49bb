import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countRows, makeUser } from '../../../test/factories.js';
import { createTestApp, tokenFromMail, type TestApp } from '../../../test/harness.js';
import { FakeClock } from '../../infra/clock/clock.js';

let t: TestApp;
const clock = new FakeClock(new Date());
let ipCounter = 0;
const nextIp = () => `10.4.${Math.floor(++ipCounter / 250)}.${ipCounter % 250}`;
const post = (url: string, payload: unknown, headers: Record<string, string> = {}, remoteAddress = nextIp()) =>
  t.app.inject({ method: 'POST', url, payload: payload as object, headers, remoteAddress });

beforeAll(async () => {
  t = await createTestApp({ clock });
});
afterAll(async () => t.close());

describe('email verification', () => {
  it('the token from the registration mail verifies the address once', async () => {
    const u = await makeUser(t.ctx);
    const token = tokenFromMail(await t.mails(), u.email, '/verify-email');
    const res = await post('/api/v1/auth/verify-email', { token });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ message: 'Email verified', email_verified: true });
    const me = await t.app.inject({ method: 'GET', url: '/api/v1/users/me', headers: u.auth });
    expect(me.json().email_verified).toBe(true);
    const again = await post('/api/v1/auth/verify-email', { token });
    expect(again.statusCode).toBe(400);
    expect(again.json().error.code).toBe('invalid_verification_token');
  });

  it('an unknown token is refused with 400 invalid_verification_token', async () => {
    const res = await post('/api/v1/auth/verify-email', { token: 'x'.repeat(43) });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe('invalid_verification_token');
  });

  it('a token older than 48 hours is refused', async () => {
    const u = await makeUser(t.ctx);
    const token = tokenFromMail(await t.mails(), u.email, '/verify-email');
    clock.advance(48 * 3600 * 1000 + 1000);
    const res = await post('/api/v1/auth/verify-email', { token });
    expect(res.statusCode).toBe(400);
  });

  it('resend-verification mails a new link (202); when already verified, 409', async () => {
    const u = await makeUser(t.ctx);
    const res = await post('/api/v1/auth/resend-verification', undefined, u.auth);
    expect(res.statusCode).toBe(202);
    const mails = (await t.mails()).filter((m) => m.to.includes(u.email));
    expect(mails).toHaveLength(2);
    await post('/api/v1/auth/verify-email', { token: tokenFromMail(mails, u.email, '/verify-email') });
    const again = await post('/api/v1/auth/resend-verification', undefined, u.auth);
    expect(again.statusCode).toBe(409);
    expect(again.json().error.code).toBe('email_already_verified');
  });

  it('resend-verification is limited to 3 per hour per account and needs a token', async () => {
    const u = await makeUser(t.ctx);
    for (let i = 0; i < 3; i++) expect((await post('/api/v1/auth/resend-verification', undefined, u.auth)).statusCode).toBe(202);
    const refused = await post('/api/v1/auth/resend-verification', undefined, u.auth);
    expect(refused.statusCode).toBe(429);
    expect(refused.headers['retry-after']).toBeDefined();
    expect((await post('/api/v1/auth/resend-verification', undefined)).statusCode).toBe(401);
  });

  it('a verification link for a previous address stops working once the email changes', async () => {
    const u = await makeUser(t.ctx);
    const oldToken = tokenFromMail(await t.mails(), u.email, '/verify-email');
    const put = await t.app.inject({
      method: 'PUT',
      url: '/api/v1/users/me',
      headers: u.auth,
      payload: { email: `new-${u.email}`, current_password: u.password },
    });
    expect(put.statusCode).toBe(200);
    const confirmToken = tokenFromMail(await t.mails(), `new-${u.email}`, '/confirm-email-change');
    expect((await post('/api/v1/auth/confirm-email-change', { token: confirmToken })).statusCode).toBe(200);
    expect((await post('/api/v1/auth/verify-email', { token: oldToken })).statusCode).toBe(400);
  });
});

describe('password reset', () => {
  it('forgot-password answers 202 whether or not the account exists, and mails only real accounts', async () => {
    const u = await makeUser(t.ctx, { verified: true });
    const known = await post('/api/v1/auth/forgot-password', { email: u.email });
    const unknown = await post('/api/v1/auth/forgot-password', { email: 'nobody@example.com' });
    expect(known.statusCode).toBe(202);
    expect(unknown.statusCode).toBe(202);
    expect(known.json()).toEqual(unknown.json());
    const mails = await t.mails();
    expect(mails.some((m) => m.to.includes(u.email) && m.raw.includes('/reset-password'))).toBe(true);
    expect(mails.some((m) => m.to.includes('nobody@example.com'))).toBe(false);
  });

  it('reset-password sets the new password, revokes every session and access token, and the link works once', async () => {
    const u = await makeUser(t.ctx, { verified: true });
    await post('/api/v1/auth/forgot-password', { email: u.email });
    const token = tokenFromMail(await t.mails(), u.email, '/reset-password');
    const res = await post('/api/v1/auth/reset-password', {
      token,
      new_password: 'BrandNew456!',
      confirm_password: 'BrandNew456!',
    });
    expect(res.statusCode).toBe(200);
    const refresh = await post('/api/v1/auth/refresh', { refresh_token: u.refreshToken });
    expect(refresh.statusCode).toBe(401);
    const me = await t.app.inject({ method: 'GET', url: '/api/v1/users/me', headers: u.auth });
    expect(me.statusCode).toBe(401);
    expect((await post('/api/v1/auth/login', { email: u.email, password: u.password })).statusCode).toBe(401);
    expect((await post('/api/v1/auth/login', { email: u.email, password: 'BrandNew456!' })).statusCode).toBe(200);
    const again = await post('/api/v1/auth/reset-password', { token, new_password: 'Another789!', confirm_password: 'Another789!' });
    expect(again.statusCode).toBe(400);
    expect(again.json().error.code).toBe('invalid_reset_token');
  });

  it('refuses any of the last 5 passwords with 422 password_reused', async () => {
    const u = await makeUser(t.ctx, { password: 'Orig1nal111!', verified: true });
    const reset = async (password: string) => {
      // Asked through the service: seven requests in a row would trip the 3-per-hour HTTP limit.
      await t.ctx.services.recovery.sendPasswordReset(u.email);
      clock.advance(60_000);
      const token = tokenFromMail(await t.mails(), u.email, '/reset-password');
      return post('/api/v1/auth/reset-password', { token, new_password: password, confirm_password: password });
    };
    expect((await reset('Orig1nal111!')).json().error.code).toBe('password_reused');
    for (const p of ['Sec0nd222!', 'Third333!', 'Fourth444!', 'Fifth555!']) expect((await reset(p)).statusCode).toBe(200);
    // Original is now the 5th most recent: still refused. After one more change it falls out of the window.
    expect((await reset('Orig1nal111!')).statusCode).toBe(422);
    expect((await reset('Sixth666!')).statusCode).toBe(200);
    expect((await reset('Orig1nal111!')).statusCode).toBe(200);
  });

  it('a reset token expires after 1 hour', async () => {
    const u = await makeUser(t.ctx, { verified: true });
    await post('/api/v1/auth/forgot-password', { email: u.email });
    const token = tokenFromMail(await t.mails(), u.email, '/reset-password');
    clock.advance(3600 * 1000 + 1000);
    const res = await post('/api/v1/auth/reset-password', { token, new_password: 'BrandNew456!', confirm_password: 'BrandNew456!' });
    expect(res.statusCode).toBe(400);
  });

  it('a weak or mismatched new password is refused with 422 and the token stays usable', async () => {
    const u = await makeUser(t.ctx, { verified: true });
    await post('/api/v1/auth/forgot-password', { email: u.email });
    const token = tokenFromMail(await t.mails(), u.email, '/reset-password');
    const weak = await post('/api/v1/auth/reset-password', { token, new_password: 'weak', confirm_password: 'weak' });
    expect(weak.statusCode).toBe(422);
    expect(weak.json().error.details[0].field).toBe('new_password');
    const mismatch = await post('/api/v1/auth/reset-password', { token, new_password: 'BrandNew456!', confirm_password: 'BrandNew457!' });
    expect(mismatch.statusCode).toBe(422);
    expect(mismatch.json().error.details[0].field).toBe('confirm_password');
    const ok = await post('/api/v1/auth/reset-password', { token, new_password: 'BrandNew456!', confirm_password: 'BrandNew456!' });
    expect(ok.statusCode).toBe(200);
  });

  // Forgot-password limits (mails per account, 429 per address) are tested in auth.limits.test.ts.

  it('bad input is refused with 422 and writes nothing', async () => {
    const before = await countRows(t.ctx, 'password_reset_tokens');
    for (const [url, body] of [
      ['/api/v1/auth/forgot-password', {}],
      ['/api/v1/auth/forgot-password', { email: ['a@b.co'] }],
      ['/api/v1/auth/reset-password', { token: 'x'.repeat(43) }],
      ['/api/v1/auth/reset-password', { token: 'x'.repeat(43), new_password: 'A', confirm_password: 'A', extra: 1 }],
      ['/api/v1/auth/verify-email', { token: 5 }],
    ] as const) {
      const res = await post(url, body);
      expect(res.statusCode, `${url} ${JSON.stringify(body)}`).toBe(422);
    }
    expect(await countRows(t.ctx, 'password_reset_tokens')).toBe(before);
  });

  it('no mail, response or stored row contains a token in clear', async () => {
    const u = await makeUser(t.ctx, { verified: true });
    await post('/api/v1/auth/forgot-password', { email: u.email });
    const token = tokenFromMail(await t.mails(), u.email, '/reset-password');
    expect(await countRows(t.ctx, `password_reset_tokens where token_hash = '${token}'`)).toBe(0);
  });
});
