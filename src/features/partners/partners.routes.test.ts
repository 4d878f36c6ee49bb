import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countRows, makeBlock, makeFriends, makeUser, type TestUser } from '../../../test/factories.js';
import { createTestApp, type TestApp } from '../../../test/harness.js';
import { FakeClock } from '../../infra/clock/clock.js';

let t: TestApp;
let clock: FakeClock;
const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

const api = (method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', url: string, who?: TestUser, payload?: object) =>
  t.app.inject({ method, url, headers: who ? who.auth : {}, ...(payload !== undefined ? { payload } : {}) });

beforeAll(async () => {
  clock = new FakeClock('2026-03-01T09:00:00Z');
  t = await createTestApp({ clock });
});
afterAll(async () => t.close());

async function friends(): Promise<[TestUser, TestUser]> {
  const a = await makeUser(t.ctx, { fullName: 'Amina Wanjiru' });
  const b = await makeUser(t.ctx, { fullName: 'Brian Okuku' });
  await makeFriends(t.ctx, a, b);
  return [a, b];
}

async function propose(from: TestUser, to: TestUser, frequency: 'daily' | 'weekly' = 'weekly') {
  const res = await api('POST', '/api/v1/partners', from, { user_id: to.id, check_in_frequency: frequency });
  expect(res.statusCode).toBe(201);
  return res.json<{ id: string; status: string }>();
}

async function partnered(): Promise<[TestUser, TestUser, string]> {
  const [a, b] = await friends();
  const { id } = await propose(a, b);
  expect((await api('PUT', `/api/v1/partners/${id}/accept`, b)).statusCode).toBe(200);
  return [a, b, id];
}

const card = (u: TestUser) => ({ id: u.id, username: u.username, full_name: u.user.fullName, profile_image_url: null });

describe('POST /api/v1/partners', () => {
  it('proposes to a friend → 201 with the pending partnership as the proposer sees it', async () => {
    const [a, b] = await friends();
    const res = await api('POST', '/api/v1/partners', a, { user_id: b.id, check_in_frequency: 'daily' });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toEqual({
      id: expect.any(String),
      partner: card(b),
      status: 'pending',
      check_in_frequency: 'daily',
      requested_by_me: true,
      started_at: '2026-03-01T09:00:00.000Z',
      responded_at: null,
      ended_at: null,
    });
  });

  it('when the other user already proposed to you, accepts their proposal → 201 active', async () => {
    const [a, b] = await friends();
    const theirs = await propose(a, b, 'weekly');
    const res = await api('POST', '/api/v1/partners', b, { user_id: a.id, check_in_frequency: 'daily' });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({
      id: theirs.id,
      partner: card(a),
      status: 'active',
      check_in_frequency: 'weekly',
      requested_by_me: false,
    });
    expect(res.json().responded_at).toMatch(ISO);
    expect(await countRows(t.ctx, `accountability_partners where id = '${theirs.id}'`)).toBe(1);
  });

  it('after a partnership ended, either may propose again: the same row becomes a fresh pending proposal', async () => {
    const [a, b, id] = await partnered();
    expect((await api('PUT', `/api/v1/partners/${id}/end`, a)).statusCode).toBe(200);
    clock.advance(10 * 60_000); // Not further: access tokens (issued at the fake now) would expire.
    const res = await api('POST', '/api/v1/partners', b, { user_id: a.id, check_in_frequency: 'daily' });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({
      id,
      status: 'pending',
      check_in_frequency: 'daily',
      requested_by_me: true,
      started_at: clock.now().toISOString(),
      responded_at: null,
      ended_at: null,
    });
    expect((await api('GET', `/api/v1/partners/${id}`, a)).json().requested_by_me).toBe(false);
  });

  it('when a proposal or partnership exists → 409 partnership_exists, nothing written', async () => {
    const [a, b] = await friends();
    await propose(a, b);
    const before = await countRows(t.ctx, 'accountability_partners');
    const again = await api('POST', '/api/v1/partners', a, { user_id: b.id, check_in_frequency: 'daily' });
    expect(again.statusCode).toBe(409);
    expect(again.json().error.code).toBe('partnership_exists');
    const [c, d] = await partnered();
    for (const [from, to] of [
      [c, d],
      [d, c],
    ] as const) {
      const res = await api('POST', '/api/v1/partners', from, { user_id: to.id, check_in_frequency: 'daily' });
      expect(res.statusCode).toBe(409);
      expect(res.json().error.code).toBe('partnership_exists');
    }
    expect(await countRows(t.ctx, 'accountability_partners')).toBe(before + 1);
  });

  it('the same proposal sent twice at once → one 201 and one 409, one row', async () => {
    const [a, b] = await friends();
    const body = { user_id: b.id, check_in_frequency: 'weekly' };
    const results = await Promise.all([api('POST', '/api/v1/partners', a, body), api('POST', '/api/v1/partners', a, body)]);
    expect(results.map((r) => r.statusCode).sort()).toEqual([201, 409]);
    expect(await countRows(t.ctx, `accountability_partners where user_id = '${a.id}' or partner_id = '${a.id}'`)).toBe(1);
  });
});

describe('GET /api/v1/partners', () => {
  it('lists proposals sent and received and partnerships, without ended ones by default', async () => {
    const me = await makeUser(t.ctx);
    const [sentTo, receivedFrom, active, ended] = await Promise.all([1, 2, 3, 4].map(() => makeUser(t.ctx)));
    for (const u of [sentTo!, receivedFrom!, active!, ended!]) await makeFriends(t.ctx, me, u);
    const sent = await propose(me, sentTo!);
    clock.advance(1000);
    const received = await propose(receivedFrom!, me, 'daily');
    clock.advance(1000);
    const act = await propose(active!, me);
    await api('PUT', `/api/v1/partners/${act.id}/accept`, me);
    const end = await propose(me, ended!);
    await api('PUT', `/api/v1/partners/${end.id}/accept`, ended!);
    await api('PUT', `/api/v1/partners/${end.id}/end`, ended!);

    const res = await api('GET', '/api/v1/partners', me);
    expect(res.statusCode).toBe(200);
    const body = res.json();
    // Pending first (newest first), then active.
    expect(body.partners.map((p: { id: string }) => p.id)).toEqual([received.id, sent.id, act.id]);
    expect(body.partners[0]).toMatchObject({ partner: card(receivedFrom!), requested_by_me: false, check_in_frequency: 'daily' });
    expect(body.partners[1]).toMatchObject({ partner: card(sentTo!), requested_by_me: true });
    expect(body.partners[2]).toMatchObject({ status: 'active', requested_by_me: false });
    expect(body.pagination).toEqual({ page: 1, limit: 20, total: 3, total_pages: 1 });

    const endedOnly = (await api('GET', '/api/v1/partners?status=ended', me)).json();
    expect(endedOnly.partners.map((p: { id: string }) => p.id)).toEqual([end.id]);
    expect(endedOnly.partners[0].ended_at).toMatch(ISO);
    expect((await api('GET', '/api/v1/partners?status=all', me)).json().pagination.total).toBe(4);
    expect((await api('GET', '/api/v1/partners?status=pending', me)).json().pagination.total).toBe(2);
    expect((await api('GET', '/api/v1/partners?status=active', me)).json().pagination.total).toBe(1);
    expect((await api('GET', '/api/v1/partners?status=paused', me)).json().partners).toEqual([]);
  });

  it('pages with page and limit', async () => {
    const me = await makeUser(t.ctx);
    for (let i = 0; i < 3; i++) {
      const other = await makeUser(t.ctx);
      await makeFriends(t.ctx, me, other);
      await propose(me, other);
      clock.advance(1000);
    }
    const page2 = (await api('GET', '/api/v1/partners?limit=2&page=2', me)).json();
    expect(page2.partners).toHaveLength(1);
    expect(page2.pagination).toEqual({ page: 2, limit: 2, total: 3, total_pages: 2 });
    expect((await api('GET', '/api/v1/partners?limit=100&page=9', me)).json().partners).toEqual([]);
  });

  it('users blocked in either direction, and deactivated accounts, never appear', async () => {
    const me = await makeUser(t.ctx);
    const [blockedByMe, blockingMe, gone, visible] = await Promise.all([1, 2, 3, 4].map(() => makeUser(t.ctx)));
    for (const u of [blockedByMe!, blockingMe!, gone!, visible!]) await makeFriends(t.ctx, me, u);
    const ids: Record<string, string> = {};
    for (const u of [blockedByMe!, blockingMe!, gone!, visible!]) ids[u.id] = (await propose(me, u)).id;
    // Raw block rows (no clean-up) prove that the read side hides them on its own.
    await makeBlock(t.ctx, me, blockedByMe!);
    await makeBlock(t.ctx, blockingMe!, me);
    await t.ctx.services.users.deactivate(gone!.id);
    const listed = (await api('GET', '/api/v1/partners?status=all', me)).json();
    expect(listed.partners.map((p: { partner: { id: string } }) => p.partner.id)).toEqual([visible!.id]);
    expect(listed.pagination.total).toBe(1);
    for (const u of [blockedByMe!, blockingMe!, gone!]) {
      const res = await api('GET', `/api/v1/partners/${ids[u.id]}`, me);
      expect(res.statusCode).toBe(404);
      expect(res.json().error.code).toBe('partnership_not_found');
    }
    expect((await api('GET', '/api/v1/partners', blockingMe!)).json().partners).toEqual([]);
  });
});

describe('GET /api/v1/partners/:partnershipId', () => {
  it('shows the partnership to each participant from their side', async () => {
    const [a, b, id] = await partnered();
    const mine = (await api('GET', `/api/v1/partners/${id}`, a)).json();
    const theirs = (await api('GET', `/api/v1/partners/${id}`, b)).json();
    expect(mine).toMatchObject({ id, partner: card(b), status: 'active', requested_by_me: true });
    expect(theirs).toMatchObject({ id, partner: card(a), status: 'active', requested_by_me: false });
    expect(mine.started_at).toBe(theirs.started_at);
  });
});

describe('accepting, declining and withdrawing a proposal', () => {
  it('PUT /accept by the addressee → 200 active, with started_at and responded_at at the acceptance', async () => {
    const [a, b] = await friends();
    const { id } = await propose(a, b);
    clock.advance(5 * 60_000);
    const res = await api('PUT', `/api/v1/partners/${id}/accept`, b);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      id,
      partner: card(a),
      status: 'active',
      requested_by_me: false,
      started_at: clock.now().toISOString(),
      responded_at: clock.now().toISOString(),
      ended_at: null,
    });
  });

  it('PUT /decline by the addressee → 204 and the proposal is gone; the proposer may propose again', async () => {
    const [a, b] = await friends();
    const { id } = await propose(a, b);
    const res = await api('PUT', `/api/v1/partners/${id}/decline`, b);
    expect(res.statusCode).toBe(204);
    expect(res.body).toBe('');
    expect((await api('GET', `/api/v1/partners/${id}`, a)).statusCode).toBe(404);
    await propose(a, b);
  });

  it('DELETE by the proposer while pending → 204 and the proposal is gone', async () => {
    const [a, b] = await friends();
    const { id } = await propose(a, b);
    expect((await api('DELETE', `/api/v1/partners/${id}`, a)).statusCode).toBe(204);
    expect((await api('GET', '/api/v1/partners', b)).json().partners).toEqual([]);
  });

  it('the proposer cannot accept or decline their own proposal, the addressee cannot withdraw it → 404', async () => {
    const [a, b] = await friends();
    const { id } = await propose(a, b);
    for (const [method, url, who] of [
      ['PUT', `/api/v1/partners/${id}/accept`, a],
      ['PUT', `/api/v1/partners/${id}/decline`, a],
      ['DELETE', `/api/v1/partners/${id}`, b],
    ] as const) {
      const res = await api(method, url, who);
      expect(res.statusCode).toBe(404);
      expect(res.json().error.code).toBe('partnership_not_found');
    }
    expect((await api('GET', `/api/v1/partners/${id}`, a)).json().status).toBe('pending');
  });

  it('an active partnership cannot be accepted, declined or withdrawn → 404, unchanged', async () => {
    const [a, b, id] = await partnered();
    for (const [method, url, who] of [
      ['PUT', `/api/v1/partners/${id}/accept`, b],
      ['PUT', `/api/v1/partners/${id}/decline`, b],
      ['DELETE', `/api/v1/partners/${id}`, a],
    ] as const) {
      expect((await api(method, url, who)).statusCode).toBe(404);
    }
    expect((await api('GET', `/api/v1/partners/${id}`, a)).json().status).toBe('active');
  });

  it('accept and decline sent at once: exactly one wins, the other gets 404', async () => {
    const [a, b] = await friends();
    const { id } = await propose(a, b);
    const [accepted, declined] = await Promise.all([
      api('PUT', `/api/v1/partners/${id}/accept`, b),
      api('PUT', `/api/v1/partners/${id}/decline`, b),
    ]);
    const statuses = [accepted.statusCode, declined.statusCode];
    expect(statuses.filter((s) => s === 404)).toHaveLength(1);
    const after = await api('GET', `/api/v1/partners/${id}`, a);
    if (accepted.statusCode === 200) expect(after.json().status).toBe('active');
    else {
      expect(declined.statusCode).toBe(204);
      expect(after.statusCode).toBe(404);
    }
  });

  it('accepting after the two stopped being friends → 403 partners_must_be_friends', async () => {
    const [a, b] = await friends();
    const { id } = await propose(a, b);
    // A raw delete: unfriending through the friends feature would also end the proposal (friend.removed).
    await t.ctx.database.db.execute(sql`delete from friendships where user_id = ${a.id} and friend_id = ${b.id}`);
    const res = await api('PUT', `/api/v1/partners/${id}/accept`, b);
    expect(res.statusCode).toBe(403);
    expect(res.json().error.code).toBe('partners_must_be_friends');
  });
});

describe('pause, resume, end and the check-in frequency', () => {
  it('either side pauses, resumes and ends → 200 with the partnership', async () => {
    const [a, b, id] = await partnered();
    const paused = await api('PUT', `/api/v1/partners/${id}/pause`, b);
    expect(paused.statusCode).toBe(200);
    expect(paused.json()).toMatchObject({ id, status: 'paused', partner: card(a), ended_at: null });
    expect((await api('PUT', `/api/v1/partners/${id}/resume`, a)).json().status).toBe('active');
    clock.advance(60_000);
    const ended = await api('PUT', `/api/v1/partners/${id}/end`, a);
    expect(ended.statusCode).toBe(200);
    expect(ended.json()).toMatchObject({ status: 'ended', ended_at: clock.now().toISOString() });
  });

  it.each([
    ['pause', 'paused'],
    ['resume', 'active'],
    ['end', 'ended'],
  ] as const)('PUT /%s from a state that does not allow it → 409 invalid_partnership_state', async (action, from) => {
    const [a, , id] = await partnered();
    if (from === 'paused') await api('PUT', `/api/v1/partners/${id}/pause`, a);
    if (from === 'ended') await api('PUT', `/api/v1/partners/${id}/end`, a);
    const res = await api('PUT', `/api/v1/partners/${id}/${action}`, a);
    expect(res.statusCode).toBe(409);
    expect(res.json().error).toMatchObject({ code: 'invalid_partnership_state', details: [{ field: 'status', status: from }] });
    expect((await api('GET', `/api/v1/partners/${id}`, a)).json().status).toBe(from);
  });

  it.each(['pause', 'resume', 'end'] as const)('PUT /%s on a pending proposal → 409', async (action) => {
    const [a, b] = await friends();
    const { id } = await propose(a, b);
    expect((await api('PUT', `/api/v1/partners/${id}/${action}`, b)).statusCode).toBe(409);
  });

  it('PATCH changes the check-in frequency for either side, pending, active or paused', async () => {
    const [a, b] = await friends();
    const { id } = await propose(a, b, 'weekly');
    const pending = await api('PATCH', `/api/v1/partners/${id}`, b, { check_in_frequency: 'daily' });
    expect(pending.statusCode).toBe(200);
    expect(pending.json()).toMatchObject({ id, status: 'pending', check_in_frequency: 'daily', requested_by_me: false });
    await api('PUT', `/api/v1/partners/${id}/accept`, b);
    await api('PUT', `/api/v1/partners/${id}/pause`, b);
    expect((await api('PATCH', `/api/v1/partners/${id}`, a, { check_in_frequency: 'weekly' })).json()).toMatchObject({
      status: 'paused',
      check_in_frequency: 'weekly',
    });
  });

  it('PATCH on an ended partnership → 409 invalid_partnership_state, unchanged', async () => {
    const [a, , id] = await partnered();
    await api('PUT', `/api/v1/partners/${id}/end`, a);
    const res = await api('PATCH', `/api/v1/partners/${id}`, a, { check_in_frequency: 'daily' });
    expect(res.statusCode).toBe(409);
    expect(res.json().error.code).toBe('invalid_partnership_state');
    expect((await api('GET', `/api/v1/partners/${id}`, a)).json().check_in_frequency).toBe('weekly');
  });
});
