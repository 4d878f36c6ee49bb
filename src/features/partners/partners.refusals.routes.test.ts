import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countRows, makeBlock, makeFriends, makeUser, type TestUser } from '../../../test/factories.js';
import { createTestApp, type TestApp } from '../../../test/harness.js';

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

let t: TestApp;
let a: TestUser;
let b: TestUser;
let outsider: TestUser;
/** a proposed to b (pending) and c partnered with d (active): the rows the refusals must not touch. */
let pendingId: string;
let activeId: string;
let c: TestUser;
let d: TestUser;

const api = (method: Method, url: string, who?: TestUser | { authorization: string }, payload?: object) =>
  t.app.inject({
    method,
    url,
    headers: who ? ('auth' in who ? who.auth : who) : {},
    ...(payload !== undefined ? { payload } : {}),
  });

/** Every endpoint that takes a partnership id, with a valid body where one is needed. */
const BY_ID: Array<[Method, (id: string) => string, object?]> = [
  ['GET', (id) => `/api/v1/partners/${id}`],
  ['PATCH', (id) => `/api/v1/partners/${id}`, { check_in_frequency: 'daily' }],
  ['DELETE', (id) => `/api/v1/partners/${id}`],
  ['PUT', (id) => `/api/v1/partners/${id}/accept`],
  ['PUT', (id) => `/api/v1/partners/${id}/decline`],
  ['PUT', (id) => `/api/v1/partners/${id}/pause`],
  ['PUT', (id) => `/api/v1/partners/${id}/resume`],
  ['PUT', (id) => `/api/v1/partners/${id}/end`],
];

/** The partners table as it is, to prove that a refusal wrote nothing. */
async function snapshot(): Promise<unknown[]> {
  const result = (await t.ctx.database.db.execute(
    sql`select * from accountability_partners order by id`,
  )) as unknown as { rows: unknown[] };
  return result.rows;
}

beforeAll(async () => {
  // Many writes by the same few callers: lift the per-minute write budget, which is tested elsewhere.
  t = await createTestApp({ env: { RATE_LIMIT_WRITE_PER_MINUTE: '10000', RATE_LIMIT_READ_PER_MINUTE: '10000' } });
  a = await makeUser(t.ctx);
  b = await makeUser(t.ctx);
  c = await makeUser(t.ctx);
  d = await makeUser(t.ctx);
  outsider = await makeUser(t.ctx);
  await makeFriends(t.ctx, a, b);
  await makeFriends(t.ctx, c, d);
  // The outsider is friends with everyone, so only participation decides what they may see.
  for (const u of [a, b, c, d]) await makeFriends(t.ctx, outsider, u);
  const pending = await api('POST', '/api/v1/partners', a, { user_id: b.id, check_in_frequency: 'weekly' });
  expect(pending.statusCode).toBe(201);
  pendingId = pending.json().id;
  const active = await api('POST', '/api/v1/partners', c, { user_id: d.id, check_in_frequency: 'daily' });
  activeId = active.json().id;
  expect((await api('PUT', `/api/v1/partners/${activeId}/accept`, d)).statusCode).toBe(200);
});
afterAll(async () => t.close());

describe('authentication', () => {
  const routes: Array<[Method, string, object?]> = [
    ['POST', '/api/v1/partners', { user_id: randomUUID(), check_in_frequency: 'daily' }],
    ['GET', '/api/v1/partners'],
    ...BY_ID.map(([method, url, body]): [Method, string, object?] => [method, url(randomUUID()), body]),
  ];

  it.each(routes)('%s %s without a token → 401 missing_token', async (method, url, body) => {
    const res = await api(method, url, undefined, body);
    expect(res.statusCode).toBe(401);
    expect(res.json().error.code).toBe('missing_token');
  });

  it.each(routes)('%s %s with a bad token → 401 invalid_token', async (method, url, body) => {
    const res = await api(method, url, { authorization: 'Bearer not.a.jwt' }, body);
    expect(res.statusCode).toBe(401);
  });
});

describe('another user’s partnership', () => {
  it.each(BY_ID)('%s on a pending proposal between others → 404 like an unknown id, nothing changed', async (method, url, body) => {
    const before = await snapshot();
    const res = await api(method, url(pendingId), outsider, body);
    const unknown = await api(method, url(randomUUID()), outsider, body);
    expect(res.statusCode).toBe(404);
    expect(res.json()).toEqual(unknown.json());
    expect(res.json().error.code).toBe('partnership_not_found');
    expect(await snapshot()).toEqual(before);
  });

  it.each(BY_ID)('%s on an active partnership between others → 404 like an unknown id, nothing changed', async (method, url, body) => {
    const before = await snapshot();
    const res = await api(method, url(activeId), outsider, body);
    expect(res.statusCode).toBe(404);
    expect(res.json()).toEqual((await api(method, url(randomUUID()), outsider, body)).json());
    expect(await snapshot()).toEqual(before);
  });

  it('the list never shows other people’s partnerships', async () => {
    const res = await api('GET', '/api/v1/partners?status=all', outsider);
    expect(res.json().partners).toEqual([]);
  });
});

describe('bad input → 422, nothing written', () => {
  it.each(BY_ID)('%s with a non-UUID partnership id → 422 naming partnershipId', async (method, url, body) => {
    const before = await snapshot();
    const res = await api(method, url('not-a-uuid'), a, body);
    expect(res.statusCode).toBe(422);
    expect(res.json().error.details.map((x: { field: string }) => x.field)).toContain('partnershipId');
    expect(await snapshot()).toEqual(before);
  });

  it.each([
    ['a non-UUID user_id', { user_id: 'bob', check_in_frequency: 'daily' }, 'user_id'],
    ['an unknown frequency', { user_id: 'B', check_in_frequency: 'monthly' }, 'check_in_frequency'],
    ['a missing user_id', { check_in_frequency: 'daily' }, 'user_id'],
    ['a missing check_in_frequency', { user_id: 'B' }, 'check_in_frequency'],
    ['a server-owned status', { user_id: 'B', check_in_frequency: 'daily', status: 'active' }, 'status'],
    ['an unknown field', { user_id: 'B', check_in_frequency: 'daily', requested_by: 'B' }, 'requested_by'],
    ['a number for user_id', { user_id: 5, check_in_frequency: 'daily' }, 'user_id'],
  ])('POST with %s → 422 naming %s', async (_case, raw, field) => {
    const body = Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, v === 'B' ? c.id : v]));
    const before = await snapshot();
    const res = await api('POST', '/api/v1/partners', outsider, body);
    expect(res.statusCode).toBe(422);
    expect(res.json().error.code).toBe('validation_failed');
    expect(res.json().error.details.map((x: { field: string }) => x.field)).toContain(field);
    expect(await snapshot()).toEqual(before);
  });

  it('POST with an empty JSON object names both required fields', async () => {
    const res = await api('POST', '/api/v1/partners', a, {});
    expect(res.statusCode).toBe(422);
    expect(res.json().error.details.map((x: { field: string }) => x.field).sort()).toEqual(['check_in_frequency', 'user_id']);
  });

  it.each([
    ['an unknown frequency', { check_in_frequency: 'hourly' }, 'check_in_frequency'],
    ['no frequency', {}, 'check_in_frequency'],
    ['a server-owned status', { check_in_frequency: 'daily', status: 'ended' }, 'status'],
    ['a null frequency', { check_in_frequency: null }, 'check_in_frequency'],
  ])('PATCH with %s → 422 naming %s, unchanged', async (_case, body, field) => {
    const before = await snapshot();
    const res = await api('PATCH', `/api/v1/partners/${activeId}`, c, body);
    expect(res.statusCode).toBe(422);
    expect(res.json().error.details.map((x: { field: string }) => x.field)).toContain(field);
    expect(await snapshot()).toEqual(before);
  });

  it.each([
    ['status=cancelled', 'status'],
    ['limit=101', 'limit'],
    ['limit=0', 'limit'],
    ['page=0', 'page'],
    ['limit=ten', 'limit'],
    ['sort=recent', 'sort'],
  ])('GET /partners?%s → 422 naming %s', async (query, field) => {
    const res = await api('GET', `/api/v1/partners?${query}`, a);
    expect(res.statusCode).toBe(422);
    expect(res.json().error.details.map((x: { field: string }) => x.field)).toContain(field);
  });

  it('GET /partners?limit=100 is the largest page allowed', async () => {
    const res = await api('GET', '/api/v1/partners?limit=100', a);
    expect(res.statusCode).toBe(200);
    expect(res.json().pagination.limit).toBe(100);
  });
});

describe('who may be proposed to', () => {
  const proposeTo = (from: TestUser, userId: string) =>
    api('POST', '/api/v1/partners', from, { user_id: userId, check_in_frequency: 'daily' });

  it('yourself → 422 cannot_partner_self naming user_id', async () => {
    const before = await countRows(t.ctx, 'accountability_partners');
    const res = await proposeTo(a, a.id);
    expect(res.statusCode).toBe(422);
    expect(res.json().error).toMatchObject({ code: 'cannot_partner_self', details: [{ field: 'user_id' }] });
    expect(await countRows(t.ctx, 'accountability_partners')).toBe(before);
  });

  it('a user who is not a friend → 403 partners_must_be_friends', async () => {
    const stranger = await makeUser(t.ctx);
    const before = await countRows(t.ctx, 'accountability_partners');
    const res = await proposeTo(a, stranger.id);
    expect(res.statusCode).toBe(403);
    expect(res.json().error.code).toBe('partners_must_be_friends');
    expect(await countRows(t.ctx, 'accountability_partners')).toBe(before);
  });

  it('unknown, deactivated and blocked (either way) users → the same 404 user_not_found', async () => {
    const [blockedByMe, blockingMe, gone] = await Promise.all([1, 2, 3].map(() => makeUser(t.ctx)));
    const me = await makeUser(t.ctx);
    for (const u of [blockedByMe!, blockingMe!, gone!]) await makeFriends(t.ctx, me, u);
    await makeBlock(t.ctx, me, blockedByMe!);
    await makeBlock(t.ctx, blockingMe!, me);
    await t.ctx.services.users.deactivate(gone!.id);
    const before = await countRows(t.ctx, 'accountability_partners');
    const unknown = await proposeTo(me, randomUUID());
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().error.code).toBe('user_not_found');
    for (const target of [blockedByMe!, blockingMe!, gone!]) {
      const res = await proposeTo(me, target.id);
      expect(res.statusCode).toBe(404);
      expect(res.json()).toEqual(unknown.json());
    }
    // And the blocked side cannot propose back either.
    expect((await proposeTo(blockingMe!, me.id)).json()).toEqual(unknown.json());
    expect(await countRows(t.ctx, 'accountability_partners')).toBe(before);
  });
});
