import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countRows, makeUser, type TestUser } from '../../../test/factories.js';
import { createTestApp, tokenFromMail, type TestApp } from '../../../test/harness.js';
import { commonPasswordProblem, passwordProblems } from './auth.passwords.js';

let t: TestApp;
let ipCounter = 0;
const nextIp = () => `10.9.${Math.floor(++ipCounter / 250)}.${ipCounter % 250}`;
const post = (url: string, payload: unknown) => t.app.inject({ method: 'POST', url, payload: payload as object, remoteAddress: nextIp() });

beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => t.close());

const identity = { email: 'clarie.gor@example.com', username: 'brianokuku' };
const messagesOf = (password: string, who = identity) => passwordProblems(password, 'password', who).map((d) => d.message);

/** A reset token for `u`, read from the mail (waits for it: the mail may be sent off the request path). */
async function resetToken(u: TestUser): Promise<string> {
  expect((await post('/api/v1/auth/forgot-password', { email: u.email })).statusCode).toBe(202);
  for (let i = 0; ; i++) {
    try {
      return tokenFromMail(await t.mails(), u.email, '/reset-password');
    } catch (err) {
      if (i >= 50) throw err;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

describe('issue 14.9: common passwords and ones containing the username or email are refused', () => {
  it.each([
    ['a top-10,000 password as typed', 'Password1'],
    ['a top-10,000 password with a symbol added', 'Password1!'],
    ['a common word with digits and symbols added', 'Monkey2024!!'],
    ['a common word with decoration at both ends', '12Dragon34$'],
    ['a common password in full-width letters', 'Ｐａｓｓｗｏｒｄ１'],
  ])('refuses %s', (_case, password) => {
    expect(commonPasswordProblem(password)).toMatch(/common password/);
    expect(messagesOf(password).some((m) => /common password/.test(m))).toBe(true);
  });

  it('refuses the username plus "A1!" and a password holding the email’s local part, in any case', () => {
    expect(messagesOf('BrianOkukuA1!')).toContain('must not contain your username');
    expect(messagesOf('x9CLARIE.GOR!')).toContain('must not contain your email address or its part before the @');
  });

  it('accepts a strong password, and one that merely shares a part shorter than 3 characters with the email', () => {
    expect(messagesOf('Kx7!vLq2pRm')).toEqual([]);
    expect(commonPasswordProblem('Kx7!vLq2pRm')).toBeUndefined();
    expect(messagesOf('Jo-Kx7!vLq2', { email: 'jo@example.com', username: 'jo_k' })).toEqual([]);
  });

  it('register: a common password → 422 weak_password saying why, and no account is written', async () => {
    const before = await countRows(t.ctx, 'users');
    const res = await post('/api/v1/auth/register', {
      email: 'weak.one@example.com',
      username: 'weak_one',
      full_name: 'Weak One',
      password: 'Password1',
      confirm_password: 'Password1',
    });
    expect(res.statusCode).toBe(422);
    expect(res.json().error).toMatchObject({ code: 'weak_password', details: [{ field: 'password' }] });
    expect(res.json().error.message).toMatch(/10,000 most common passwords/);
    expect(await countRows(t.ctx, 'users')).toBe(before);
  });

  it('register: the username plus "A1!" → 422 weak_password; a strong password → 201', async () => {
    const before = await countRows(t.ctx, 'users');
    const body = { email: 'kevin.w@example.com', username: 'kevin_w', full_name: 'Kevin W' };
    const weak = await post('/api/v1/auth/register', { ...body, password: 'Kevin_WA1!', confirm_password: 'Kevin_WA1!' });
    expect(weak.statusCode).toBe(422);
    expect(weak.json().error.code).toBe('weak_password');
    expect(weak.json().error.message).toMatch(/username/);
    expect(await countRows(t.ctx, 'users')).toBe(before);
    const ok = await post('/api/v1/auth/register', { ...body, password: 'Kx7!vLq2pRm', confirm_password: 'Kx7!vLq2pRm' });
    expect(ok.statusCode).toBe(201);
  });

  it('reset-password: a common password or one with the email → 422 weak_password, the old password still works, the link stays usable', async () => {
    const u = await makeUser(t.ctx);
    // Reset links go only to verified addresses.
    await t.ctx.database.db.execute(sql`update users set email_verified = true where id = ${u.id}`);
    const token = await resetToken(u);
    const localPart = u.email.split('@')[0]!;
    for (const password of ['Qwerty123!', `${localPart.toUpperCase()}x9!`]) {
      const res = await post('/api/v1/auth/reset-password', { token, new_password: password, confirm_password: password });
      expect(res.statusCode, password).toBe(422);
      expect(res.json().error).toMatchObject({ code: 'weak_password', details: [{ field: 'new_password' }] });
    }
    expect((await post('/api/v1/auth/login', { email: u.email, password: u.password })).statusCode).toBe(200);
    const ok = await post('/api/v1/auth/reset-password', { token, new_password: 'Kx7!vLq2pRm', confirm_password: 'Kx7!vLq2pRm' });
    expect(ok.statusCode).toBe(200);
  });
});
