import { readFileSync, statSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { makeUser, type TestUser } from '../../../test/factories.js';
import { createTestApp, tokenFromMail, type TestApp } from '../../../test/harness.js';
import { appLogFile, recordSecret } from '../../../test/log-secrets.js';
import { loadConfig } from '../../config/config.js';
import { FakeClock } from '../../infra/clock/clock.js';
import { escapeHtml, PAGE_CSP } from './auth.pages.js';

let t: TestApp;
const clock = new FakeClock(new Date());
let ipCounter = 0;
const nextIp = () => `10.9.${Math.floor(++ipCounter / 250)}.${ipCounter % 250}`;

beforeAll(async () => {
  // The harness's logger (trace level, into this worker's log file, which the suite's teardown
  // also searches for every recorded token and password: test/log-secrets.ts).
  t = await createTestApp({ clock });
});

/** What the app logged to this worker's log file from byte `from` on. */
const logSince = (from: number) => readFileSync(appLogFile(inject('testLogDir'))).subarray(from).toString('utf8');
const logSize = () => statSync(appLogFile(inject('testLogDir'))).size;
afterAll(async () => t.close());

const page = (url: string) => t.app.inject({ method: 'GET', url, remoteAddress: nextIp() });
const submit = (path: string, fields: Record<string, string>) =>
  t.app.inject({
    method: 'POST',
    url: path,
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams(fields).toString(),
    remoteAddress: nextIp(),
  });
const me = async (u: TestUser) => (await t.app.inject({ method: 'GET', url: '/api/v1/users/me', headers: u.auth })).json();
const login = (email: string, password: string) =>
  t.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email, password }, remoteAddress: nextIp() });

function expectPageHeaders(res: { headers: Record<string, unknown> }): void {
  expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
  expect(res.headers['content-security-policy']).toBe(PAGE_CSP);
  expect(String(res.headers['content-security-policy'])).toContain("default-src 'none'");
  expect(String(res.headers['content-security-policy'])).not.toContain('script-src');
  expect(res.headers['referrer-policy']).toBe('no-referrer');
  expect(res.headers['cache-control']).toBe('no-store');
}

describe('issue 15.10: the pages behind the mail links', () => {
  it('GET /verify-email shows a form and verifies nothing; its POST verifies; a second POST → 400 page', async () => {
    const u = await makeUser(t.ctx);
    const token = tokenFromMail(await t.mails(), u.email, '/verify-email');
    const shown = await page(`/verify-email?token=${encodeURIComponent(token)}`);
    expect(shown.statusCode).toBe(200);
    expectPageHeaders(shown);
    expect(shown.body).toContain('<form method="post" action="verify-email"');
    expect(shown.body).toContain(`name="token" value="${escapeHtml(token)}"`);
    expect(shown.body).not.toContain('<script');
    // A mail scanner that prefetches the link changes nothing.
    expect((await me(u)).email_verified).toBe(false);

    const done = await submit('/verify-email', { token });
    expect(done.statusCode).toBe(200);
    expectPageHeaders(done);
    expect(done.body).toContain('Email confirmed');
    expect((await me(u)).email_verified).toBe(true);

    const again = await submit('/verify-email', { token });
    expect(again.statusCode).toBe(400);
    expectPageHeaders(again);
    expect(again.body).toContain('The verification link is invalid or has expired');
  });

  it('an expired verification token → 400 page, still unverified; no token → 400 page', async () => {
    const u = await makeUser(t.ctx);
    const token = tokenFromMail(await t.mails(), u.email, '/verify-email');
    clock.advance(48 * 3600 * 1000 + 1000);
    const res = await submit('/verify-email', { token });
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('This link does not work');
    // (The access token expired with the clock too: read the account directly.)
    expect((await t.ctx.services.users.getById(u.id)).emailVerified).toBe(false);
    const missing = await page('/verify-email');
    expect(missing.statusCode).toBe(400);
    expectPageHeaders(missing);
    expect((await submit('/verify-email', {})).statusCode).toBe(422);
  });

  it('reset: GET shows the form with the rule in words; POST sets the password (login works), ends sessions', async () => {
    const u = await makeUser(t.ctx, { verified: true });
    await t.app.inject({ method: 'POST', url: '/forgot-password', payload: `email=${encodeURIComponent(u.email)}`, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    const token = tokenFromMail(await t.mails(), u.email, '/reset-password');
    const shown = await page(`/reset-password?token=${encodeURIComponent(token)}`);
    expect(shown.statusCode).toBe(200);
    expectPageHeaders(shown);
    expect(shown.body).toContain('name="new_password"');
    expect(shown.body).toContain('name="confirm_password"');
    expect(shown.body).toContain('8–128 characters with a lower-case letter, an upper-case letter and a digit');

    const newPassword = 'Fresh-Meadow-42';
    recordSecret('password', newPassword);
    const done = await submit('/reset-password', { token, new_password: newPassword, confirm_password: newPassword });
    expect(done.statusCode).toBe(200);
    expect(done.body).toContain('Password changed');
    expect((await login(u.email, newPassword)).statusCode).toBe(200);
    expect((await login(u.email, u.password)).statusCode).toBe(401);
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/users/me', headers: u.auth })).statusCode).toBe(401);
    // The link works once.
    const reused = await submit('/reset-password', { token, new_password: 'Another-Field-77', confirm_password: 'Another-Field-77' });
    expect(reused.statusCode).toBe(400);
    expect(reused.body).toContain('forgot-password');
  });

  it('reset with a weak or mismatched password → 422 form with the problems (token kept), nothing written', async () => {
    const u = await makeUser(t.ctx, { verified: true });
    await submit('/forgot-password', { email: u.email });
    const token = tokenFromMail(await t.mails(), u.email, '/reset-password');
    const hashBefore = (await t.ctx.services.users.findByEmail(u.email))!.passwordHash;
    const weak = await submit('/reset-password', { token, new_password: 'password', confirm_password: 'password' });
    expect(weak.statusCode).toBe(422);
    expectPageHeaders(weak);
    expect(weak.body).toContain('New password: must contain an upper-case letter');
    expect(weak.body).toContain(`name="token" value="${escapeHtml(token)}"`);
    const mismatch = await submit('/reset-password', { token, new_password: 'Fresh-Meadow-42', confirm_password: 'Fresh-Meadow-43' });
    expect(mismatch.statusCode).toBe(422);
    expect(mismatch.body).toContain('Repeated password: does not match the password');
    expect((await t.ctx.services.users.findByEmail(u.email))!.passwordHash).toBe(hashBefore);
    expect((await login(u.email, u.password)).statusCode).toBe(200);
  });

  it('an unknown reset token → 400 page; an unknown field or a huge form → 4xx page, never a 500', async () => {
    const unknown = await submit('/reset-password', { token: 'x'.repeat(43), new_password: 'Fresh-Meadow-42', confirm_password: 'Fresh-Meadow-42' });
    expect(unknown.statusCode).toBe(400);
    expectPageHeaders(unknown);
    const extra = await submit('/verify-email', { token: 'x'.repeat(43), admin: '1' });
    expect(extra.statusCode).toBe(422);
    expect(extra.headers['content-type']).toBe('text/html; charset=utf-8');
    const huge = await submit('/verify-email', { token: 'x'.repeat(20_000) });
    expect(huge.statusCode).toBe(413);
    expect(huge.headers['content-type']).toBe('text/html; charset=utf-8');
  });

  it('email change: confirm and revert pages act only on POST', async () => {
    const u = await makeUser(t.ctx);
    const newEmail = `moved-${u.username}@example.com`;
    const put = await t.app.inject({
      method: 'PUT',
      url: '/api/v1/users/me',
      headers: u.auth,
      payload: { email: newEmail, current_password: u.password },
    });
    expect(put.statusCode, put.body).toBe(200);
    const mails = await t.mails();
    const confirm = tokenFromMail(mails, newEmail, '/confirm-email-change');
    const revert = tokenFromMail(mails, u.email, '/revert-email-change');
    const shown = await page(`/confirm-email-change?token=${encodeURIComponent(confirm)}`);
    expect(shown.statusCode).toBe(200);
    expectPageHeaders(shown);
    expect((await me(u)).email).toBe(u.email);
    const confirmed = await submit('/confirm-email-change', { token: confirm });
    expect(confirmed.statusCode).toBe(200);
    expect(confirmed.body).toContain(escapeHtml(newEmail));
    expect((await me(u)).email).toBe(newEmail);

    expect((await page(`/revert-email-change?token=${encodeURIComponent(revert)}`)).statusCode).toBe(200);
    expect((await login(newEmail, u.password)).statusCode).toBe(200);
    const reverted = await submit('/revert-email-change', { token: revert });
    expect(reverted.statusCode).toBe(200);
    expect(reverted.body).toContain('Email restored');
    expect((await login(u.email, u.password)).statusCode).toBe(200);
    expect((await submit('/revert-email-change', { token: revert })).statusCode).toBe(400);
  });

  it('forgot-password: a form; its POST answers alike for any address (202 page) and mails a known one', async () => {
    const u = await makeUser(t.ctx, { verified: true });
    const shown = await page('/forgot-password');
    expect(shown.statusCode).toBe(200);
    expectPageHeaders(shown);
    expect(shown.body).toContain('name="email"');
    const known = await submit('/forgot-password', { email: u.email });
    const unknown = await submit('/forgot-password', { email: 'nobody-here@example.com' });
    expect(known.statusCode).toBe(202);
    expect(unknown.statusCode).toBe(202);
    expect(known.body).toBe(unknown.body);
    expect(tokenFromMail(await t.mails(), u.email, '/reset-password')).toBeTruthy();
    const bad = await submit('/forgot-password', { email: '' });
    expect(bad.statusCode).toBe(422);
    expect(bad.body).toContain('name="email"');
  });

  it('values are escaped: a token with markup comes back as text', async () => {
    const res = await page(`/verify-email?token=${encodeURIComponent('"><script>alert(1)</script>')}`);
    expect(res.statusCode).toBe(200);
    expect(res.body).not.toContain('<script>');
    expect(res.body).toContain('&quot;&gt;&lt;script&gt;');
  });

  it('the request log lines hold no token, only token=[redacted]', async () => {
    const u = await makeUser(t.ctx);
    const token = tokenFromMail(await t.mails(), u.email, '/verify-email');
    const from = logSize();
    await page(`/verify-email?token=${encodeURIComponent(token)}`);
    await submit('/verify-email', { token });
    const all = logSince(from);
    expect(all).toContain('/verify-email?token=[redacted]');
    expect(all).not.toContain(token);
    expect(all).not.toContain(encodeURIComponent(token));
  });
});

describe('issue 15.10: the pages under the API rate limits', () => {
  let limited: TestApp;
  beforeAll(async () => {
    limited = await createTestApp();
  });
  afterAll(async () => limited.close());

  it('the token-link budget (20 per hour per address) is shared with the JSON routes: 429 page with Retry-After', async () => {
    const from = '10.77.0.1';
    const post = (url: string, payload: string, type: string) =>
      limited.app.inject({ method: 'POST', url, payload, headers: { 'content-type': type }, remoteAddress: from });
    for (let i = 0; i < 10; i++) {
      expect((await post('/api/v1/auth/verify-email', JSON.stringify({ token: 'y'.repeat(43) }), 'application/json')).statusCode).toBe(400);
      expect((await post('/verify-email', `token=${'y'.repeat(43)}`, 'application/x-www-form-urlencoded')).statusCode).toBe(400);
    }
    const refused = await post('/verify-email', `token=${'y'.repeat(43)}`, 'application/x-www-form-urlencoded');
    expect(refused.statusCode).toBe(429);
    expect(refused.headers['retry-after']).toBeDefined();
    expectPageHeaders(refused);
    expect(refused.body).toContain('Too many attempts');
  });
});

describe('issue 15.10: universal links and App Links files', () => {
  const FINGERPRINT = Array.from({ length: 32 }, (_, i) => i.toString(16).padStart(2, '0').toUpperCase()).join(':');
  let linked: TestApp;
  beforeAll(async () => {
    linked = await createTestApp({
      env: { IOS_APP_IDS: 'ABCDE12345.app.tribe.ios', ANDROID_APP_PACKAGE: 'app.tribe.android', ANDROID_APP_CERT_SHA256: FINGERPRINT.toLowerCase() },
    });
  });
  afterAll(async () => linked.close());

  it('with the app ids configured: apple-app-site-association lists every mail path, assetlinks.json the app', async () => {
    const aasa = await linked.app.inject({ method: 'GET', url: '/.well-known/apple-app-site-association' });
    expect(aasa.statusCode).toBe(200);
    expect(aasa.headers['content-type']).toContain('application/json');
    const details = aasa.json().applinks.details;
    expect(details[0].appIDs).toEqual(['ABCDE12345.app.tribe.ios']);
    const paths = details[0].components.map((c: Record<string, string>) => c['/']);
    for (const path of ['/verify-email', '/reset-password', '/confirm-email-change', '/revert-email-change', '/forgot-password']) {
      expect(paths).toContain(path);
    }
    const assetlinks = await linked.app.inject({ method: 'GET', url: '/.well-known/assetlinks.json' });
    expect(assetlinks.statusCode).toBe(200);
    expect(assetlinks.json()).toEqual([
      {
        relation: ['delegate_permission/common.handle_all_urls'],
        target: { namespace: 'android_app', package_name: 'app.tribe.android', sha256_cert_fingerprints: [FINGERPRINT] },
      },
    ]);
  });

  it('unconfigured: both 404; a malformed setting stops the start with the reason', async () => {
    expect((await t.app.inject({ method: 'GET', url: '/.well-known/apple-app-site-association' })).statusCode).toBe(404);
    expect((await t.app.inject({ method: 'GET', url: '/.well-known/assetlinks.json' })).statusCode).toBe(404);
    const base = { NODE_ENV: 'test', JWT_SECRET: 'x'.repeat(32) };
    expect(() => loadConfig({ ...base, IOS_APP_IDS: 'app.tribe.ios' })).toThrow(/IOS_APP_IDS/);
    expect(() => loadConfig({ ...base, ANDROID_APP_PACKAGE: 'app.tribe.android' })).toThrow(/ANDROID_APP_CERT_SHA256/);
    expect(() => loadConfig({ ...base, ANDROID_APP_PACKAGE: 'app.tribe.android', ANDROID_APP_CERT_SHA256: 'AB:CD' })).toThrow(/fingerprints/);
  });
});
