import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { openPostgresDatabase } from '../../infra/db/postgres-database.js';
import { createTestApp, type TestApp } from '../../../test/harness.js';
import { makeUser, type TestUser } from '../../../test/factories.js';
import { createDatabaseFromTemplate, databaseUrlFor, dropDatabase } from '../../../test/pg-admin.js';
import { listen, WsClient } from '../../../test/realtime-helpers.js';

const baseUrl = process.env.DATABASE_URL;
const withRedis = Boolean(process.env.REDIS_URL && baseUrl);

// Two API instances sharing one PostgreSQL database and one Redis: a session ended on one is ended on both.
describe.skipIf(!withRedis)('issue 14.7: tokens outlive logout (two instances behind one Redis)', () => {
  let a: TestApp;
  let b: TestApp;
  let baseB: string;
  let dbName: string;
  const clients: WsClient[] = [];

  beforeAll(async () => {
    dbName = `${inject('pgRunPrefix')}_${randomBytes(4).toString('hex')}`;
    await createDatabaseFromTemplate(baseUrl!, dbName, inject('pgTemplateDatabase'));
    const url = databaseUrlFor(baseUrl!, dbName);
    const env = { REDIS_KEY_PREFIX: `tribe-test:${randomUUID()}:`, JWT_SECRET: randomBytes(32).toString('hex'), RATE_LIMIT_ENABLED: 'false' };
    a = await createTestApp({ env, overrides: { database: openPostgresDatabase({ url, poolSize: 4 }) } });
    b = await createTestApp({ env, overrides: { database: openPostgresDatabase({ url, poolSize: 4 }) } });
    await listen(a);
    baseB = await listen(b);
  });

  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close().catch(() => undefined)));
    await a?.close();
    await b?.close();
    if (dbName) await dropDatabase(baseUrl!, dbName);
  });

  const meOn = (t: TestApp, token: string) =>
    t.app.inject({ method: 'GET', url: '/api/v1/users/me', headers: { authorization: `Bearer ${token}` } });
  const logoutOn = (t: TestApp, token: string, payload: Record<string, unknown> = {}) =>
    t.app.inject({ method: 'POST', url: '/api/v1/auth/logout', headers: { authorization: `Bearer ${token}` }, payload });
  const openOnB = async (token: string) => {
    const client = await WsClient.connect(baseB, `token=${token}`);
    clients.push(client);
    return client;
  };
  /** Polls instance `t` until the token is refused; the elapsed milliseconds. */
  async function msUntilRefused(t: TestApp, token: string, budgetMs = 1000): Promise<number> {
    const start = Date.now();
    while (Date.now() - start < budgetMs) {
      if ((await meOn(t, token)).statusCode === 401) return Date.now() - start;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    throw new Error(`token still accepted after ${budgetMs} ms`);
  }
  const closedWithin = (client: WsClient, ms: number) =>
    Promise.race([client.closed, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`socket open after ${ms} ms`)), ms))]);
  const secondSession = (u: TestUser) => a.ctx.services.sessions.login(u.email, u.password, { ip: '127.0.0.1', userAgent: 'vitest' });

  it('a logout on one instance ends the session on the other at once (its cached "not revoked" included) and closes its socket there', async () => {
    const u = await makeUser(a.ctx);
    const other = await secondSession(u);
    // Instance B has seen (and remembers) the token as valid.
    expect((await meOn(b, u.accessToken)).statusCode).toBe(200);
    const socket = await openOnB(u.accessToken);
    const otherSocket = await openOnB(other.accessToken);
    expect((await logoutOn(a, u.accessToken)).statusCode).toBe(204);
    expect(await msUntilRefused(b, u.accessToken)).toBeLessThan(1000);
    expect((await meOn(b, u.accessToken)).json().error.code).toBe('session_revoked');
    expect(await closedWithin(socket, 1000)).toEqual({ code: 4401, reason: 'session_revoked' });
    expect((await meOn(b, other.accessToken)).statusCode).toBe(200);
    otherSocket.send({ event: 'ping' });
    await otherSocket.nextNew('pong');
  });

  it('logout-everywhere on one instance ends every token of the user on the other and closes their sockets there', async () => {
    const [u, bystander] = [await makeUser(a.ctx), await makeUser(a.ctx)];
    const other = await secondSession(u);
    const sockets = [await openOnB(u.accessToken), await openOnB(other.accessToken)];
    expect((await meOn(b, other.accessToken)).statusCode).toBe(200);
    expect((await logoutOn(a, u.accessToken, { all_devices: true })).statusCode).toBe(204);
    for (const token of [u.accessToken, other.accessToken]) expect(await msUntilRefused(b, token)).toBeLessThan(1000);
    for (const socket of sockets) expect((await closedWithin(socket, 1000)).code).toBe(4401);
    expect((await meOn(b, bystander.accessToken)).statusCode).toBe(200);
  });

  it('the revocation lives in Redis for one access-token lifetime: an instance that never saw the token refuses it', async () => {
    const u = await makeUser(a.ctx);
    const sid = (JSON.parse(Buffer.from(u.accessToken.split('.')[1]!, 'base64url').toString()) as { sid: string }).sid;
    expect((await logoutOn(a, u.accessToken)).statusCode).toBe(204);
    const ttl = await a.ctx.redis!.ttl(`cache:session-revoked:${sid}`);
    expect(ttl).toBeGreaterThan(3500);
    expect(ttl).toBeLessThanOrEqual(a.config.accessTokenTtlSeconds + 60);
    const res = await meOn(b, u.accessToken);
    expect(res.statusCode).toBe(401);
    expect(res.json().error.code).toBe('session_revoked');
  });
});
