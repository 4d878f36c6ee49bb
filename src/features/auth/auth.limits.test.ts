import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeUser, type TestUser } from '../../../test/factories.js';
import { createTestApp, tokenFromMail, type TestApp } from '../../../test/harness.js';

let t: TestApp;
let ipCounter = 0;
const nextIp = () => `10.14.${Math.floor(++ipCounter / 250)}.${ipCounter % 250}`;

function login(email: string, password: string, remoteAddress = nextIp()) {
  return t.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email, password }, remoteAddress });
}
function forgot(email: string, remoteAddress = nextIp()) {
  return t.app.inject({ method: 'POST', url: '/api/v1/auth/forgot-password', payload: { email }, remoteAddress });
}
const resetMailsTo = async (email: string) =>
  (await t.mails()).filter((m) => m.to.includes(email) && m.raw.includes('/reset-password')).length;

/** A 429 names the limit that refused it: its size, nothing left, its reset, and Retry-After. */
function expectRefusedBy(res: Awaited<ReturnType<typeof login>>, limit: number, windowSeconds: number) {
  expect(res.statusCode).toBe(429);
  expect(res.json().error.code).toBe('rate_limited');
  expect(res.headers['x-ratelimit-limit']).toBe(String(limit));
  expect(res.headers['x-ratelimit-remaining']).toBe('0');
  const reset = Number(res.headers['x-ratelimit-reset']);
  expect(reset).toBeGreaterThan(0);
  expect(reset).toBeLessThanOrEqual(windowSeconds);
  expect(Number(res.headers['retry-after'])).toBe(reset);
}

beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => t.close());

describe('issue 14.6: anyone can lock a user out', () => {
  it('an attacker failing 10 times from address A is refused with its own limit; the owner from B still logs in', async () => {
    const owner = await makeUser(t.ctx);
    const attacker = '10.14.200.1';
    const statuses: number[] = [];
    let last;
    for (let i = 0; i < 10; i++) {
      last = await login(owner.email, `Wrong${i}Pass!`, attacker);
      statuses.push(last.statusCode);
    }
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429, 429, 429, 429, 429]);
    expectRefusedBy(last!, 5, 15 * 60);
    // Refused before the password is checked: even the right password from A gets 429.
    expectRefusedBy(await login(owner.email, owner.password, attacker), 5, 15 * 60);

    const fromB = await login(` ${owner.email.toUpperCase()} `, owner.password, '10.14.200.2');
    expect(fromB.statusCode).toBe(200);
    expect(fromB.json().user.id).toBe(owner.id);
  });

  it('a failed login answers with the login limit’s headers, not the global write budget’s', async () => {
    const u = await makeUser(t.ctx);
    const res = await login(u.email, 'NotThePass1!');
    expect(res.statusCode).toBe(401);
    expect(res.headers['x-ratelimit-limit']).toBe('5');
    expect(res.headers['x-ratelimit-remaining']).toBe('4');
  });

  it('a correct login clears the failures of its own address: the owner who mistyped 4 times is not locked out', async () => {
    const u = await makeUser(t.ctx);
    const ip = '10.14.201.1';
    for (let i = 0; i < 4; i++) expect((await login(u.email, 'Mistyped12!', ip)).statusCode).toBe(401);
    expect((await login(u.email, u.password, ip)).statusCode).toBe(200);
    for (let i = 0; i < 4; i++) expect((await login(u.email, 'Mistyped12!', ip)).statusCode).toBe(401);
    expect((await login(u.email, u.password, ip)).statusCode).toBe(200);
  });

  it('31 different users logging in correctly from one shared (NAT) address are all let in (more than the old 5 per address and the 30-a-minute write budget)', async () => {
    const nat = '10.14.202.1';
    const users: TestUser[] = [];
    for (let i = 0; i < 31; i++) users.push(await makeUser(t.ctx));
    for (const u of users) {
      const res = await login(u.email, u.password, nat);
      expect(res.statusCode, `user ${users.indexOf(u)}`).toBe(200);
    }
  });

  it('the per-address limit counts failures only: 100 per 15 minutes, then 429 for that address alone', async () => {
    const ip = '10.14.203.1';
    const u = await makeUser(t.ctx);
    expect((await login(u.email, u.password, ip)).statusCode).toBe(200);
    for (let batch = 0; batch < 10; batch++) {
      const results = await Promise.all(
        Array.from({ length: 10 }, (_, i) => login(`nobody${batch}-${i}@example.com`, 'Guess12345!', ip)),
      );
      expect(results.map((r) => r.statusCode)).toEqual(Array(10).fill(401));
    }
    expectRefusedBy(await login(u.email, u.password, ip), 100, 15 * 60);
    expect((await login(u.email, u.password, '10.14.203.2')).statusCode).toBe(200);
  });

  it('parallel guesses from one address cannot get past the per-account-and-address limit', async () => {
    const u = await makeUser(t.ctx);
    const ip = '10.14.204.1';
    const results = await Promise.all(Array.from({ length: 12 }, (_, i) => login(u.email, `Parallel${i}!x`, ip)));
    const codes = results.map((r) => r.statusCode).sort();
    expect(codes.filter((c) => c === 401)).toHaveLength(5);
    expect(codes.filter((c) => c === 429)).toHaveLength(7);
  });

  it('IPv6 clients are counted per /64: rotating the interface id does not buy more guesses', async () => {
    const u = await makeUser(t.ctx);
    for (let i = 1; i <= 5; i++) expect((await login(u.email, 'Rotating12!', `2001:db8:14:6::${i}`)).statusCode).toBe(401);
    expectRefusedBy(await login(u.email, 'Rotating12!', '2001:db8:14:6:ffff::9'), 5, 15 * 60);
    expect((await login(u.email, u.password, '2001:db8:14:7::1')).statusCode).toBe(200);
  });

  it('distributed guessing hits the account cap (50 failures/hour): failing clients are refused, the owner from a clean address logs in', async () => {
    const owner = await makeUser(t.ctx);
    const bots = Array.from({ length: 50 }, (_, i) => `10.14.${210 + Math.floor(i / 25)}.${(i % 25) + 1}`);
    for (let i = 0; i < bots.length; i += 10) {
      const results = await Promise.all(bots.slice(i, i + 10).map((ip) => login(owner.email, 'Distributed1!', ip)));
      expect(results.map((r) => r.statusCode)).toEqual(Array(10).fill(401));
    }
    // A bot that already failed on this account is refused now, with the account cap's headers
    // (below the cap it would have had 4 more tries).
    expectRefusedBy(await login(owner.email, 'Distributed2!', bots[0]!), 50, 3600);
    expectRefusedBy(await login(owner.email, owner.password, bots[1]!), 50, 3600);
    // The owner from an address with no failures is never refused by the cap.
    const ownerLogin = await login(owner.email, owner.password, '10.14.220.1');
    expect(ownerLogin.statusCode).toBe(200);
    expect((await login(owner.email, owner.password, '10.14.220.2')).statusCode).toBe(200);
    // A fresh address gets one check; once it has failed, the cap refuses it too.
    expect((await login(owner.email, 'Distributed3!', '10.14.220.3')).statusCode).toBe(401);
    expectRefusedBy(await login(owner.email, 'Distributed4!', '10.14.220.3'), 50, 3600);
    // Other accounts are untouched by this account's cap.
    const other = await makeUser(t.ctx);
    expect((await login(other.email, 'Wrong12345!', bots[2]!)).statusCode).toBe(401);
  });

  it('forgot-password mails an account at most 3 times an hour; further requests answer the same 202 and send nothing', async () => {
    const u = await makeUser(t.ctx);
    const verify = tokenFromMail(await t.mails(), u.email, '/verify-email');
    const verified = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/verify-email',
      payload: { token: verify },
      remoteAddress: nextIp(),
    });
    expect(verified.statusCode).toBe(200);
    const first = await forgot(u.email);
    expect(first.statusCode).toBe(202);
    for (let i = 0; i < 7; i++) {
      const res = await forgot(i % 2 ? u.email.toUpperCase() : u.email);
      expect(res.statusCode).toBe(202);
      expect(res.json()).toEqual(first.json());
    }
    expect(await resetMailsTo(u.email)).toBe(3);
    // The owner can still log in, and the mails sent carry working links.
    expect((await login(u.email, u.password)).statusCode).toBe(200);
  });

  it('forgot-password keeps a per-address limit of 20 an hour (429 with its headers)', async () => {
    const ip = '10.14.230.1';
    for (let i = 0; i < 20; i++) expect((await forgot(`spray${i}@example.com`, ip)).statusCode).toBe(202);
    expectRefusedBy(await forgot('spray-last@example.com', ip), 20, 3600);
    expect((await forgot('spray-last@example.com', '10.14.230.2')).statusCode).toBe(202);
  });

  it('a refused write of the global budget (30/minute) carries that budget’s headers and Retry-After', async () => {
    const u = await makeUser(t.ctx);
    const write = () =>
      t.app.inject({ method: 'PUT', url: '/api/v1/notifications/mark-all-read', headers: u.auth, remoteAddress: nextIp() });
    for (let i = 0; i < 30; i++) {
      const ok = await write();
      expect(ok.statusCode).toBe(200);
      expect(ok.headers['x-ratelimit-limit']).toBe('30');
      expect(ok.headers['x-ratelimit-remaining']).toBe(String(29 - i));
    }
    expectRefusedBy(await write(), 30, 60);
  });

  it('a malformed login body is a 422 and counts as no failure', async () => {
    const u = await makeUser(t.ctx);
    const ip = '10.14.240.1';
    for (let i = 0; i < 6; i++) {
      const res = await t.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email: u.email }, remoteAddress: ip });
      expect(res.statusCode).toBe(422);
    }
    expect((await login(u.email, u.password, ip)).statusCode).toBe(200);
  });
});
