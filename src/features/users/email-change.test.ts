import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countRows, makeUser, type TestUser } from '../../../test/factories.js';
import { createTestApp, tokenFromMail, type TestApp } from '../../../test/harness.js';
import { FakeClock } from '../../infra/clock/clock.js';

let t: TestApp;
const clock = new FakeClock(new Date());
let ipCounter = 0;
const nextIp = () => `10.14.${Math.floor(++ipCounter / 250)}.${ipCounter % 250}`;
const inject = (method: 'GET' | 'PUT' | 'POST', url: string, payload?: object, headers: Record<string, string> = {}) =>
  t.app.inject({ method, url, payload, headers, remoteAddress: nextIp() });
const me = (u: TestUser) => inject('GET', '/api/v1/users/me', undefined, u.auth);
const putMe = (u: TestUser, body: object) => inject('PUT', '/api/v1/users/me', body, u.auth);
const login = (email: string, password: string) => inject('POST', '/api/v1/auth/login', { email, password });
const mailsTo = async (address: string) => (await t.mails()).filter((m) => m.to.includes(address));

beforeAll(async () => {
  t = await createTestApp({ clock });
});
afterAll(async () => t.close());

describe('issue 14.1: account takeover through an email change', () => {
  it('a stolen access token alone cannot change the email: 403 invalid_password, nothing changed or mailed', async () => {
    const u = await makeUser(t.ctx, { verified: true });
    const attacker = `attacker-${u.username}@evil.example`;
    for (const body of [{ email: attacker }, { email: attacker, current_password: 'Wrong-Guess-123' }]) {
      const res = await putMe(u, { ...body, bio: 'must not stick' });
      expect(res.statusCode).toBe(403);
      expect(res.json().error.code).toBe('invalid_password');
    }
    const after = (await me(u)).json();
    expect(after).toMatchObject({ email: u.email, email_verified: true, pending_email: null, bio: null });
    expect(await mailsTo(attacker)).toHaveLength(0);
    // The reset link still goes only to the owner's address.
    await inject('POST', '/api/v1/auth/forgot-password', { email: attacker });
    expect(await mailsTo(attacker)).toHaveLength(0);
  });

  it('with the password, the old address stays the login and reset address until the new one is confirmed', async () => {
    const u = await makeUser(t.ctx, { verified: true });
    const next = `next-${u.email}`;
    const res = await putMe(u, { email: ` ${next.toUpperCase()} `, current_password: u.password });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ email: u.email, email_verified: true, pending_email: next });
    expect((await me(u)).json().pending_email).toBe(next);

    expect((await login(next, u.password)).statusCode).toBe(401);
    expect((await login(u.email, u.password)).statusCode).toBe(200);
    await inject('POST', '/api/v1/auth/forgot-password', { email: next });
    expect((await mailsTo(next)).some((m) => m.raw.includes('/reset-password'))).toBe(false);

    const notice = (await mailsTo(u.email)).find((m) => m.raw.includes('/revert-email-change'));
    expect(notice?.raw).toContain(next);
    const confirm = await inject('POST', '/api/v1/auth/confirm-email-change', {
      token: tokenFromMail(await t.mails(), next, '/confirm-email-change'),
    });
    expect(confirm.statusCode).toBe(200);
    expect(confirm.json()).toEqual({ message: 'Email changed', email: next });
    expect((await me(u)).json()).toMatchObject({ email: next, email_verified: true, pending_email: null });
    expect((await login(next, u.password)).statusCode).toBe(200);
    expect((await login(u.email, u.password)).statusCode).toBe(401);
  });

  it('the link mailed to the old address reverts a confirmed change and ends every session', async () => {
    const u = await makeUser(t.ctx, { verified: true });
    const next = `taken-over-${u.email}`;
    const put = await putMe(u, { email: next, current_password: u.password });
    expect(put.json()).toMatchObject({ pending_email: next });
    await inject('POST', '/api/v1/auth/confirm-email-change', {
      token: tokenFromMail(await t.mails(), next, '/confirm-email-change'),
    });
    const other = (await login(next, u.password)).json();
    const revertToken = tokenFromMail(await mailsTo(u.email), u.email, '/revert-email-change');

    const revert = await inject('POST', '/api/v1/auth/revert-email-change', { token: revertToken });
    expect(revert.statusCode).toBe(200);
    expect(revert.json().email).toBe(u.email);
    expect((await me(u)).statusCode).toBe(401);
    expect((await inject('GET', '/api/v1/users/me', undefined, { authorization: `Bearer ${other.access_token}` })).statusCode).toBe(401);
    for (const refresh of [u.refreshToken, other.refresh_token]) {
      expect((await inject('POST', '/api/v1/auth/refresh', { refresh_token: refresh })).statusCode).toBe(401);
    }
    expect((await login(next, u.password)).statusCode).toBe(401);
    const back = await login(u.email, u.password);
    expect(back.statusCode).toBe(200);
    expect(back.json().user).toMatchObject({ email: u.email, email_verified: true });
    expect((await mailsTo(u.email)).some((m) => m.subject === 'Your Tribe email was restored')).toBe(true);
    // Once only.
    expect((await inject('POST', '/api/v1/auth/revert-email-change', { token: revertToken })).statusCode).toBe(400);
  });

  it('the old address stays reserved for the account while the change can be reverted', async () => {
    const u = await makeUser(t.ctx, { verified: true });
    const next = `moved-${u.email}`;
    await putMe(u, { email: next, current_password: u.password });
    await inject('POST', '/api/v1/auth/confirm-email-change', {
      token: tokenFromMail(await t.mails(), next, '/confirm-email-change'),
    });
    const body = { email: u.email, username: `squat_${u.username}`.slice(0, 30), full_name: 'Squatter', password: 'Sq4atter-Pass!', confirm_password: 'Sq4atter-Pass!' };
    const squat = await inject('POST', '/api/v1/auth/register', body);
    expect(squat.statusCode).toBe(409);
    expect(squat.json().error.code).toBe('email_taken');
    clock.advance(7 * 24 * 3600 * 1000 + 1000);
    expect((await inject('POST', '/api/v1/auth/register', body)).statusCode).toBe(201);
  });

  it('password reset mails go only to verified addresses (an unverified one is sent a verification link)', async () => {
    const unverified = await makeUser(t.ctx);
    const verified = await makeUser(t.ctx, { verified: true });
    for (const u of [unverified, verified]) {
      expect((await inject('POST', '/api/v1/auth/forgot-password', { email: u.email })).statusCode).toBe(202);
    }
    expect((await mailsTo(unverified.email)).some((m) => m.raw.includes('/reset-password'))).toBe(false);
    expect((await mailsTo(unverified.email)).filter((m) => m.raw.includes('/verify-email'))).toHaveLength(2);
    expect((await mailsTo(verified.email)).some((m) => m.raw.includes('/reset-password'))).toBe(true);
  });

  it('only the newest request confirms; setting the current address back withdraws it', async () => {
    const u = await makeUser(t.ctx, { verified: true });
    await putMe(u, { email: `first-${u.email}`, current_password: u.password });
    const firstToken = tokenFromMail(await t.mails(), `first-${u.email}`, '/confirm-email-change');
    await putMe(u, { email: `second-${u.email}`, current_password: u.password });
    expect((await inject('POST', '/api/v1/auth/confirm-email-change', { token: firstToken })).statusCode).toBe(400);
    const cancel = await putMe(u, { email: u.email });
    expect(cancel.statusCode).toBe(200);
    expect(cancel.json().pending_email).toBeNull();
    const secondToken = tokenFromMail(await t.mails(), `second-${u.email}`, '/confirm-email-change');
    const refused = await inject('POST', '/api/v1/auth/confirm-email-change', { token: secondToken });
    expect(refused.statusCode).toBe(400);
    expect(refused.json().error.code).toBe('invalid_email_change_token');
    expect((await me(u)).json().email).toBe(u.email);
  });

  it('confirm links expire after 48 hours; unknown tokens are refused; bad input writes nothing', async () => {
    const u = await makeUser(t.ctx, { verified: true });
    await putMe(u, { email: `late-${u.email}`, current_password: u.password });
    const token = tokenFromMail(await t.mails(), `late-${u.email}`, '/confirm-email-change');
    clock.advance(48 * 3600 * 1000 + 1000);
    expect((await inject('POST', '/api/v1/auth/confirm-email-change', { token })).statusCode).toBe(400);
    const fresh = (await login(u.email, u.password)).json();
    u.auth = { authorization: `Bearer ${fresh.access_token}` };
    expect((await inject('POST', '/api/v1/auth/revert-email-change', { token: 'x'.repeat(43) })).statusCode).toBe(400);
    const before = await countRows(t.ctx, 'email_changes');
    for (const body of [{ email: 'nope', current_password: u.password }, { email: `a-${u.email}`, current_password: 5 }]) {
      expect((await putMe(u, body)).statusCode).toBe(422);
    }
    expect((await inject('POST', '/api/v1/auth/confirm-email-change', { token: 7 })).statusCode).toBe(422);
    expect(await countRows(t.ctx, 'email_changes')).toBe(before);
  });

  it('an address another account uses → 409 email_taken, only after the password check', async () => {
    const a = await makeUser(t.ctx);
    const b = await makeUser(t.ctx);
    expect((await putMe(b, { email: a.email })).statusCode).toBe(403);
    const taken = await putMe(b, { email: a.email.toUpperCase(), current_password: b.password });
    expect(taken.statusCode).toBe(409);
    expect(taken.json().error.code).toBe('email_taken');
  });

  it('more than 10 credential-change attempts an hour → 429, even with the right password', async () => {
    const u = await makeUser(t.ctx);
    for (let i = 0; i < 10; i++) {
      expect((await putMe(u, { email: `guess-${u.email}`, current_password: `Wrong-${i}-Pass` })).statusCode).toBe(403);
    }
    const limited = await putMe(u, { email: `guess-${u.email}`, current_password: u.password });
    expect(limited.statusCode).toBe(429);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
  });
});

describe('issue 14.1 and 15.12: changing the password needs the current one', () => {
  const change = (u: TestUser, body: object, headers: Record<string, string> = u.auth) =>
    inject('POST', '/api/v1/auth/change-password', body, headers);

  it('a wrong or missing current password → 403 invalid_password / 422, the password stays', async () => {
    const u = await makeUser(t.ctx);
    const wrong = await change(u, { current_password: 'Not-Mine-123', new_password: 'Fresh-Pass-987', confirm_password: 'Fresh-Pass-987' });
    expect(wrong.statusCode).toBe(403);
    expect(wrong.json().error.code).toBe('invalid_password');
    expect((await change(u, { new_password: 'Fresh-Pass-987', confirm_password: 'Fresh-Pass-987' })).statusCode).toBe(422);
    expect((await login(u.email, u.password)).statusCode).toBe(200);
    expect((await change(u, { current_password: u.password, new_password: 'Fresh-Pass-987', confirm_password: 'Fresh-Pass-987' }, {})).statusCode).toBe(401);
  });

  it('with it: other sessions end, the caller gets a new session, and the address is told', async () => {
    const u = await makeUser(t.ctx);
    const other = (await login(u.email, u.password)).json();
    const res = await change(u, { current_password: u.password, new_password: 'Fresh-Pass-987', confirm_password: 'Fresh-Pass-987' });
    expect(res.statusCode).toBe(200);
    const session = res.json();
    expect(session.user.id).toBe(u.id);
    expect((await inject('GET', '/api/v1/users/me', undefined, { authorization: `Bearer ${session.access_token}` })).statusCode).toBe(200);
    expect((await me(u)).statusCode).toBe(401);
    expect((await inject('POST', '/api/v1/auth/refresh', { refresh_token: other.refresh_token })).statusCode).toBe(401);
    expect((await login(u.email, u.password)).statusCode).toBe(401);
    expect((await login(u.email, 'Fresh-Pass-987')).statusCode).toBe(200);
    expect((await mailsTo(u.email)).some((m) => m.subject === 'Your Tribe password was changed')).toBe(true);
    const reuse = await change(
      { ...u, auth: { authorization: `Bearer ${session.access_token}` } },
      { current_password: 'Fresh-Pass-987', new_password: u.password, confirm_password: u.password },
    );
    expect(reuse.statusCode).toBe(422);
    expect(reuse.json().error.code).toBe('password_reused');
  });
});

describe('issue 14.9: forgot-password does its work off the request path', () => {
  it('answers 202 before the address is even looked up, then mails the link', async () => {
    const u = await makeUser(t.ctx, { verified: true });
    const users = t.ctx.services.users;
    const original = users.findByEmail.bind(users);
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    users.findByEmail = async (email) => {
      await gate;
      return original(email);
    };
    try {
      const answer = inject('POST', '/api/v1/auth/forgot-password', { email: u.email });
      const res = await Promise.race([answer, new Promise<'stalled'>((r) => setTimeout(() => r('stalled'), 3000))]);
      expect(res).not.toBe('stalled');
      expect(res === 'stalled' ? 0 : res.statusCode).toBe(202);
      release();
      expect((await mailsTo(u.email)).some((m) => m.raw.includes('/reset-password'))).toBe(true);
    } finally {
      release();
      users.findByEmail = original;
    }
  });
});
