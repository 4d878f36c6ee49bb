import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeClock } from '../../infra/clock/clock.js';
import { makeUser, type TestUser } from '../../../test/factories.js';
import { createTestApp, type TestApp } from '../../../test/harness.js';
import { listen, WsClient } from '../../../test/realtime-helpers.js';

let t: TestApp;
let base: string;
const clients: WsClient[] = [];

async function open(accessToken: string, baseUrl = base): Promise<WsClient> {
  const client = await WsClient.connect(baseUrl, `token=${accessToken}`);
  clients.push(client);
  return client;
}
const anotherSession = (app: TestApp, u: TestUser) =>
  app.ctx.services.sessions.login(u.email, u.password, { ip: '127.0.0.1', userAgent: 'vitest' });
const logout = (accessToken: string, payload: Record<string, unknown> = {}) =>
  t.app.inject({ method: 'POST', url: '/api/v1/auth/logout', headers: { authorization: `Bearer ${accessToken}` }, payload });
/** Resolves with the close, or rejects when the socket is still open after `ms`. */
function closedWithin(client: WsClient, ms: number): Promise<{ code: number; reason: string }> {
  return Promise.race([
    client.closed,
    new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`socket still open after ${ms} ms`)), ms)),
  ]);
}
async function stillOpen(client: WsClient): Promise<void> {
  client.send({ event: 'ping' });
  await client.nextNew('pong');
}

beforeAll(async () => {
  t = await createTestApp({ env: { RATE_LIMIT_ENABLED: 'false' } });
  base = await listen(t);
});
afterAll(async () => {
  await Promise.all(clients.map((c) => c.close().catch(() => undefined)));
  await t.close();
});

describe('issue 14.7: tokens outlive logout (sockets)', () => {
  it('after logout-everywhere, every open socket of the user closes with 4401 within a second; another user’s stays open', async () => {
    const [u, bystander] = [await makeUser(t.ctx), await makeUser(t.ctx)];
    const other = await anotherSession(t, u);
    const phone = await open(u.accessToken);
    const tablet = await open(other.accessToken);
    const theirs = await open(bystander.accessToken);
    expect((await logout(u.accessToken, { all_devices: true })).statusCode).toBe(204);
    expect(await closedWithin(phone, 1000)).toEqual({ code: 4401, reason: 'session_revoked' });
    expect(await closedWithin(tablet, 1000)).toEqual({ code: 4401, reason: 'session_revoked' });
    await stillOpen(theirs);
  });

  it('after logout, the sockets of that session close with 4401 at once; the user’s other session keeps its socket', async () => {
    const u = await makeUser(t.ctx);
    const other = await anotherSession(t, u);
    const phone = await open(u.accessToken);
    const tablet = await open(other.accessToken);
    expect((await logout(u.accessToken)).statusCode).toBe(204);
    expect(await closedWithin(phone, 1000)).toEqual({ code: 4401, reason: 'session_revoked' });
    await stillOpen(tablet);
  });

  it('after refresh-token reuse, the family’s sockets close with 4401 at once', async () => {
    const u = await makeUser(t.ctx);
    const phone = await open(u.accessToken);
    const refresh = (token: string) => t.app.inject({ method: 'POST', url: '/api/v1/auth/refresh', payload: { refresh_token: token } });
    const rotated = (await refresh(u.refreshToken)).json() as { access_token: string };
    const rotatedSocket = await open(rotated.access_token);
    expect((await refresh(u.refreshToken)).json().error.code).toBe('refresh_token_reused');
    expect(await closedWithin(phone, 1000)).toEqual({ code: 4401, reason: 'session_revoked' });
    expect(await closedWithin(rotatedSocket, 1000)).toEqual({ code: 4401, reason: 'session_revoked' });
  });

  it('revokeAllSessions closes every socket of the user with 4401 at once, and the token cannot open a new one', async () => {
    const u = await makeUser(t.ctx);
    const phone = await open(u.accessToken);
    await t.ctx.services.sessions.revokeAllSessions(u.id, 'email_change_reverted');
    expect(await closedWithin(phone, 1000)).toEqual({ code: 4401, reason: 'session_revoked' });
    const again = new WsClient(`${base}/ws?token=${u.accessToken}`);
    expect((await closedWithin(again, 2000)).code).toBe(4401);
  });

  describe('at token expiry', () => {
    // Whole seconds, like the tokens' iat/exp: a token issued now expires exactly 3,600 s later.
    const clock = new FakeClock(new Date(Math.floor(Date.now() / 1000) * 1000));
    let timed: TestApp;
    let timedBase: string;
    beforeAll(async () => {
      timed = await createTestApp({ clock, env: { WS_TOKEN_RECHECK_SECONDS: '3600' } });
      timedBase = await listen(timed);
    });
    afterAll(async () => timed.close());

    it('a socket closes with 4401 token_expired exactly when its access token expires (a timer, not the periodic re-check)', async () => {
      const u = await makeUser(timed.ctx);
      // Two seconds of the token's hour are left when the socket opens.
      clock.advance(3600_000 - 2000);
      const other = await makeUser(timed.ctx);
      const started = Date.now();
      const socket = await open(u.accessToken, timedBase);
      const longer = await open(other.accessToken, timedBase);
      const closed = await closedWithin(socket, 5000);
      const after = Date.now() - started;
      expect(closed).toEqual({ code: 4401, reason: 'token_expired' });
      expect(after).toBeGreaterThanOrEqual(1950);
      // A token issued later keeps its socket open until its own expiry.
      expect(longer.ws.readyState).toBe(longer.ws.OPEN);
    });
  });
});
