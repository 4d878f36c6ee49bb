import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countRows } from '../../../test/factories.js';
import { createTestApp, type TestApp } from '../../../test/harness.js';

let t: TestApp;
let ipCounter = 0;
/** Each registration from its own address, so the per-IP limit only bites where a test wants it. */
const nextIp = () => `10.1.${Math.floor(++ipCounter / 250)}.${ipCounter % 250}`;

function register(body: Record<string, unknown>, remoteAddress = nextIp()) {
  return t.app.inject({ method: 'POST', url: '/api/v1/auth/register', payload: body, remoteAddress });
}

const valid = (n: string) => ({
  email: `  Person.${n}@Example.COM `,
  username: `person_${n}`,
  full_name: 'Brian Okuku',
  password: 'SecurePass123!',
  confirm_password: 'SecurePass123!',
});

beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => t.close());

describe('POST /api/v1/auth/register', () => {
  it('creates the account and answers 201 with the plan body and a working token pair', async () => {
    const res = await register(valid('a1'));
    expect(res.statusCode).toBe(201);
    const body = res.json();
    expect(body).toMatchObject({
      user: {
        email: 'person.a1@example.com',
        username: 'person_a1',
        full_name: 'Brian Okuku',
        profile_image_url: null,
        email_verified: false,
      },
      token_type: 'bearer',
      expires_in: 3600,
    });
    expect(body.user.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(body.user.created_at).toMatch(/Z$/);
    expect(body.user).not.toHaveProperty('password_hash');
    expect(JSON.stringify(body)).not.toMatch(/argon2/);
    const me = await t.app.inject({
      method: 'GET',
      url: '/api/v1/auth/me',
      headers: { authorization: `Bearer ${body.access_token}` },
    });
    expect(me.statusCode).toBe(200);
    expect(me.json().email).toBe('person.a1@example.com');
  });

  it('stores only an argon2id hash (OWASP parameters), never the password', async () => {
    const res = await register(valid('a2'));
    const user = await t.ctx.services.users.getById(res.json().user.id);
    expect(user.passwordHash).toMatch(/^\$argon2id\$v=19\$/);
    const params = user.passwordHash.split('$')[3]!.split(',').sort();
    expect(params).toEqual(['m=19456', 'p=1', 't=2']);
    expect(user.passwordHash).not.toContain('SecurePass123!');
  });

  it('mails a verification link with token=<token> to the new address', async () => {
    await register(valid('a3'));
    const mails = await t.mails();
    const mail = mails.find((m) => m.to.includes('person.a3@example.com'));
    expect(mail?.subject).toMatch(/confirm/i);
    expect(mail?.raw.replace(/=\r?\n/g, '')).toMatch(/verify-email\?token=3D[A-Za-z0-9_-]{20,}|verify-email\?token=[A-Za-z0-9_-]{20,}/);
  });

  it('when the email exists already (in any case), returns 409 email_taken', async () => {
    await register(valid('b1'));
    const res = await register({ ...valid('b2'), email: 'PERSON.B1@example.com' });
    expect(res.statusCode).toBe(409);
    expect(res.json().error.code).toBe('email_taken');
  });

  it('when the username exists already (in any case), returns 409 username_taken', async () => {
    await register(valid('c1'));
    const res = await register({ ...valid('c2'), username: 'PERSON_C1' });
    expect(res.statusCode).toBe(409);
    expect(res.json().error.code).toBe('username_taken');
  });

  it('stores the username lower-cased', async () => {
    const res = await register({ ...valid('d1'), username: 'Person_D1.X' });
    expect(res.statusCode).toBe(201);
    expect(res.json().user.username).toBe('person_d1.x');
  });

  it.each([
    ['too short', 'Ab1', 'password'],
    ['no upper-case letter', 'securepass123', 'password'],
    ['no lower-case letter', 'SECUREPASS123', 'password'],
    ['no digit', 'SecurePassword', 'password'],
    ['over 128 characters', 'Aa1' + 'x'.repeat(130), 'password'],
  ])('when the password is weak (%s), returns 422 naming the field and writes nothing', async (_case, password, field) => {
    const before = await countRows(t.ctx, 'users');
    const res = await register({ ...valid('e1'), password, confirm_password: password });
    expect(res.statusCode).toBe(422);
    expect(res.json().error.details.map((d: { field: string }) => d.field)).toContain(field);
    expect(await countRows(t.ctx, 'users')).toBe(before);
  });

  it('when the password equals the username, returns 422 weak_password', async () => {
    const res = await register({ ...valid('f1'), username: 'Secure_Pass1', password: 'Secure_Pass1', confirm_password: 'Secure_Pass1' });
    expect(res.statusCode).toBe(422);
    expect(res.json().error.code).toBe('weak_password');
  });

  it('when the confirmation differs, returns 422 naming confirm_password', async () => {
    const res = await register({ ...valid('g1'), confirm_password: 'SecurePass123?' });
    expect(res.statusCode).toBe(422);
    expect(res.json().error).toMatchObject({ code: 'password_mismatch', details: [{ field: 'confirm_password' }] });
  });

  it.each([
    ['a malformed email', { email: 'not-an-email' }, 'email'],
    ['a short username', { username: 'ab' }, 'username'],
    ['a username with spaces', { username: 'brian okuku' }, 'username'],
    ['a 31-character username', { username: 'a'.repeat(31) }, 'username'],
    ['a blank full name', { full_name: '' }, 'full_name'],
    ['a numeric full name', { full_name: 42 }, 'full_name'],
    ['a server-owned field id', { id: '00000000-0000-0000-0000-000000000000' }, 'id'],
    ['a server-owned field email_verified', { email_verified: true }, 'email_verified'],
    ['an unknown field', { is_admin: true }, 'is_admin'],
  ])('with %s, returns 422 naming the field and writes nothing', async (_case, patch, field) => {
    const before = await countRows(t.ctx, 'users');
    const res = await register({ ...valid('h1'), ...patch });
    expect(res.statusCode).toBe(422);
    expect(res.json().error.details.map((d: { field: string }) => d.field)).toContain(field);
    expect(await countRows(t.ctx, 'users')).toBe(before);
  });

  it('with a missing field, returns 422 naming it', async () => {
    const { email: _omit, ...rest } = valid('i1');
    const res = await register(rest);
    expect(res.statusCode).toBe(422);
    expect(res.json().error.details).toContainEqual(expect.objectContaining({ field: 'email', message: 'is required' }));
  });

  it('with malformed JSON, returns 400 malformed_request', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/register',
      headers: { 'content-type': 'application/json' },
      payload: '{"email": ',
      remoteAddress: nextIp(),
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe('malformed_request');
  });

  it('with a body over 1 MB, returns 413', async () => {
    const res = await register({ ...valid('j1'), full_name: 'x'.repeat(1_100_000) });
    expect(res.statusCode).toBe(413);
    expect(res.json().error.code).toBe('payload_too_large');
  });

  it('with a non-JSON content type, returns 415', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/register',
      headers: { 'content-type': 'text/xml' },
      payload: '<user/>',
      remoteAddress: nextIp(),
    });
    expect(res.statusCode).toBe(415);
  });

  it('allows 5 registrations per minute per IP, then 429 with Retry-After', async () => {
    const ip = '10.9.9.9';
    for (let i = 0; i < 5; i++) {
      const res = await register(valid(`k${i}`), ip);
      expect(res.statusCode).toBe(201);
    }
    const refused = await register(valid('k5'), ip);
    expect(refused.statusCode).toBe(429);
    expect(refused.json().error.code).toBe('rate_limited');
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    expect(Number(refused.headers['retry-after'])).toBeLessThanOrEqual(60);
  });

  it('two concurrent registrations of one email leave exactly one account', async () => {
    const results = await Promise.all([register(valid('l1')), register({ ...valid('l1'), username: 'person_l1_b' })]);
    expect(results.map((r) => r.statusCode).sort()).toEqual([201, 409]);
    const count = await countRows(t.ctx, "users where email = 'person.l1@example.com'");
    expect(count).toBe(1);
  });
});
