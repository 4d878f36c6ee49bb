import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeFriends, makeUser, type TestUser } from '../../../test/factories.js';
import { createTestApp, type TestApp } from '../../../test/harness.js';

/**
 * Blocking through the settings feature's endpoint ends the partnership (BlocksService calls
 * PartnersService.endEverythingBetween). Needs both features wired in the app.
 */
let t: TestApp;

const api = (method: 'GET' | 'POST' | 'PUT', url: string, who: TestUser, payload?: object) =>
  t.app.inject({ method, url, headers: who.auth, ...(payload !== undefined ? { payload } : {}) });

beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => t.close());

async function partnered(): Promise<[TestUser, TestUser, string]> {
  const a = await makeUser(t.ctx);
  const b = await makeUser(t.ctx);
  await makeFriends(t.ctx, a, b);
  const { id } = (await api('POST', '/api/v1/partners', a, { user_id: b.id, check_in_frequency: 'weekly' })).json();
  expect((await api('PUT', `/api/v1/partners/${id}/accept`, b)).statusCode).toBe(200);
  return [a, b, id];
}

async function statusOf(id: string): Promise<{ status: string; ended_at: unknown } | undefined> {
  const result = (await t.ctx.database.db.execute(
    sql`select status, ended_at from accountability_partners where id = ${id}`,
  )) as unknown as { rows: Array<{ status: string; ended_at: unknown }> };
  return result.rows[0];
}

describe('POST /api/v1/settings/blocked-users and partnerships', () => {
  it('POST /settings/blocked-users ends an active partnership and it disappears for both', async () => {
    const [a, b, id] = await partnered();
    const block = await api('POST', '/api/v1/settings/blocked-users', a, { user_id: b.id });
    expect(block.statusCode).toBe(201);
    expect((await api('GET', '/api/v1/partners?status=all', a)).json().partners).toEqual([]);
    expect((await api('GET', `/api/v1/partners/${id}`, b)).statusCode).toBe(404);
    expect(await statusOf(id)).toMatchObject({ status: 'ended', ended_at: expect.anything() });
  });

  it('blocking removes a pending proposal, and the blocked user cannot propose again (404)', async () => {
    const a = await makeUser(t.ctx);
    const b = await makeUser(t.ctx);
    await makeFriends(t.ctx, a, b);
    const { id } = (await api('POST', '/api/v1/partners', a, { user_id: b.id, check_in_frequency: 'daily' })).json();
    expect((await api('POST', '/api/v1/settings/blocked-users', b, { user_id: a.id })).statusCode).toBe(201);
    expect(await statusOf(id)).toBeUndefined();
    const again = await api('POST', '/api/v1/partners', a, { user_id: b.id, check_in_frequency: 'daily' });
    expect(again.statusCode).toBe(404);
    expect(again.json().error.code).toBe('user_not_found');
  });
});
