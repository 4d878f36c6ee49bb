import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countRows, makeFriends, makeUser, setProfileVisibility, type TestUser } from '../../../test/factories.js';
import { createTestApp, type TestApp } from '../../../test/harness.js';

let t: TestApp;
const get = (url: string, who?: TestUser) => t.app.inject({ method: 'GET', url, headers: who ? who.auth : {} });
const post = (url: string, payload: unknown, who?: TestUser) =>
  t.app.inject({ method: 'POST', url, headers: who ? who.auth : {}, payload: payload as object });
const del = (url: string, who?: TestUser) => t.app.inject({ method: 'DELETE', url, headers: who ? who.auth : {} });
const block = (blocker: TestUser, blocked: TestUser, reason?: string) =>
  post('/api/v1/settings/blocked-users', { user_id: blocked.id, ...(reason ? { reason } : {}) }, blocker);

beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => t.close());

describe('POST /api/v1/settings/blocked-users', () => {
  it('blocks (201 with the card) and lists the block', async () => {
    const a = await makeUser(t.ctx);
    const b = await makeUser(t.ctx);
    const res = await block(a, b, 'spam');
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({ user: { id: b.id, username: b.username }, reason: 'spam' });
    const list = await get('/api/v1/settings/blocked-users', a);
    expect(list.json()).toMatchObject({ blocked_users: [{ user: { id: b.id } }], pagination: { total: 1, page: 1 } });
    expect((await get('/api/v1/settings/blocked-users', b)).json().blocked_users).toEqual([]);
  });

  it('removes the friendship, pending requests and partnership between the two', async () => {
    const a = await makeUser(t.ctx);
    const b = await makeUser(t.ctx);
    const c = await makeUser(t.ctx);
    await makeFriends(t.ctx, a, b);
    const proposal = await post('/api/v1/partners', { user_id: b.id, check_in_frequency: 'weekly' }, a);
    expect(proposal.statusCode).toBe(201);
    await t.app.inject({ method: 'PUT', url: `/api/v1/partners/${proposal.json().id}/accept`, headers: b.auth });
    await setProfileVisibility(t.ctx, c, 'everyone');
    await makeFriends(t.ctx, a, c);
    await makeFriends(t.ctx, b, c);
    expect(await countRows(t.ctx, `accountability_partners where status = 'active' and (user_id = '${a.id}' or partner_id = '${a.id}')`)).toBe(1);
    expect((await block(b, a)).statusCode).toBe(201);
    expect(await countRows(t.ctx, `friendships where (user_id = '${a.id}' and friend_id = '${b.id}') or (user_id = '${b.id}' and friend_id = '${a.id}')`)).toBe(0);
    expect(await countRows(t.ctx, `accountability_partners where status in ('pending', 'active', 'paused') and ((user_id = '${a.id}' and partner_id = '${b.id}') or (user_id = '${b.id}' and partner_id = '${a.id}'))`)).toBe(0);
    // Friendships with others stay.
    expect(await countRows(t.ctx, `friendships where status = 'accepted' and (user_id = '${a.id}' or friend_id = '${a.id}')`)).toBe(1);
  });

  it('refuses yourself (422), an unknown user (404), a repeat (409), bad input (422), no token (401)', async () => {
    const a = await makeUser(t.ctx);
    const b = await makeUser(t.ctx);
    expect((await block(a, a)).statusCode).toBe(422);
    expect((await post('/api/v1/settings/blocked-users', { user_id: '00000000-0000-4000-8000-000000000000' }, a)).statusCode).toBe(404);
    expect((await block(a, b)).statusCode).toBe(201);
    const again = await block(a, b);
    expect(again.statusCode).toBe(409);
    expect(again.json().error.code).toBe('already_blocked');
    expect((await post('/api/v1/settings/blocked-users', { user_id: 'nope' }, a)).statusCode).toBe(422);
    expect((await post('/api/v1/settings/blocked-users', { user_id: b.id, reason: 'x'.repeat(501) }, a)).statusCode).toBe(422);
    expect((await post('/api/v1/settings/blocked-users', { user_id: b.id, extra: 1 }, a)).statusCode).toBe(422);
    expect((await post('/api/v1/settings/blocked-users', { user_id: b.id })).statusCode).toBe(401);
    expect(await countRows(t.ctx, `blocked_users where blocker_id = '${a.id}'`)).toBe(1);
  });

  it('limit above 100 is refused with 422', async () => {
    const a = await makeUser(t.ctx);
    expect((await get('/api/v1/settings/blocked-users?limit=101', a)).statusCode).toBe(422);
    expect((await get('/api/v1/settings/blocked-users?limit=100', a)).statusCode).toBe(200);
  });
});

describe('DELETE /api/v1/settings/blocked-users/:userId', () => {
  it('unblocks (204); unblocking again or someone never blocked → 404; non-UUID → 422', async () => {
    const a = await makeUser(t.ctx);
    const b = await makeUser(t.ctx);
    await block(a, b);
    expect((await del(`/api/v1/settings/blocked-users/${b.id}`, a)).statusCode).toBe(204);
    expect((await del(`/api/v1/settings/blocked-users/${b.id}`, a)).statusCode).toBe(404);
    expect((await del('/api/v1/settings/blocked-users/nope', a)).statusCode).toBe(422);
    expect((await get(`/api/v1/users/${b.id}`, a)).statusCode).toBe(200);
  });

  it('the blocked user cannot lift the block', async () => {
    const a = await makeUser(t.ctx);
    const b = await makeUser(t.ctx);
    await block(a, b);
    expect((await del(`/api/v1/settings/blocked-users/${a.id}`, b)).statusCode).toBe(404);
    expect(await countRows(t.ctx, `blocked_users where blocker_id = '${a.id}'`)).toBe(1);
  });
});

describe('the block matrix: once blocked, in both directions', () => {
  let blocker: TestUser;
  let blocked: TestUser;
  let mutual: TestUser;
  beforeAll(async () => {
    blocker = await makeUser(t.ctx, { fullName: 'Matrix Blocker' });
    blocked = await makeUser(t.ctx, { fullName: 'Matrix Blocked' });
    mutual = await makeUser(t.ctx);
    await setProfileVisibility(t.ctx, blocker, 'everyone');
    await setProfileVisibility(t.ctx, blocked, 'everyone');
    await makeFriends(t.ctx, blocker, mutual);
    await makeFriends(t.ctx, blocked, mutual);
    expect((await block(blocker, blocked)).statusCode).toBe(201);
    await t.ctx.bus.drain();
  });

  it('profiles and stats are 404 both ways', async () => {
    for (const [viewer, target] of [
      [blocker, blocked],
      [blocked, blocker],
    ] as const) {
      expect((await get(`/api/v1/users/${target.id}`, viewer)).statusCode).toBe(404);
      expect((await get(`/api/v1/users/${target.id}/stats`, viewer)).statusCode).toBe(404);
      expect((await get(`/api/v1/users/${target.id}/friends`, viewer)).statusCode).toBe(404);
    }
  });

  it('friend requests are refused both ways as if the user did not exist', async () => {
    for (const [from, to] of [
      [blocker, blocked],
      [blocked, blocker],
    ] as const) {
      const res = await post('/api/v1/friends/requests', { user_id: to.id }, from);
      expect(res.statusCode).toBe(404);
    }
    expect(await countRows(t.ctx, `friendships where (user_id = '${blocker.id}' and friend_id = '${blocked.id}') or (user_id = '${blocked.id}' and friend_id = '${blocker.id}')`)).toBe(0);
  });

  it('partnership proposals are refused both ways', async () => {
    for (const [from, to] of [
      [blocker, blocked],
      [blocked, blocker],
    ] as const) {
      expect((await post('/api/v1/partners', { user_id: to.id, check_in_frequency: 'daily' }, from)).statusCode).toBe(404);
    }
  });

  it('neither finds the other in search', async () => {
    const found = await get(`/api/v1/friends/search?q=${encodeURIComponent('Matrix')}`, blocker);
    expect(found.statusCode).toBe(200);
    expect(found.json().users.map((u: { id: string }) => u.id)).not.toContain(blocked.id);
    const back = await get(`/api/v1/friends/search?q=${encodeURIComponent('Matrix')}`, blocked);
    expect(back.json().users.map((u: { id: string }) => u.id)).not.toContain(blocker.id);
  });

  it('neither is suggested to the other, though they share a friend', async () => {
    await t.ctx.services.friends.recomputeSuggestions(blocker.id);
    await t.ctx.services.friends.recomputeSuggestions(blocked.id);
    const s1 = await get('/api/v1/friends/suggestions', blocker);
    const s2 = await get('/api/v1/friends/suggestions', blocked);
    expect(s1.json().suggestions.map((s: { user: { id: string } }) => s.user.id)).not.toContain(blocked.id);
    expect(s2.json().suggestions.map((s: { user: { id: string } }) => s.user.id)).not.toContain(blocker.id);
  });

  it('neither appears in the shared friend’s friend list as seen by the other', async () => {
    const seenByBlocker = await get(`/api/v1/users/${mutual.id}/friends`, blocker);
    expect(seenByBlocker.statusCode).toBe(200);
    expect(seenByBlocker.json().friends.map((f: { id: string }) => f.id)).not.toContain(blocked.id);
    const seenByBlocked = await get(`/api/v1/users/${mutual.id}/friends`, blocked);
    expect(seenByBlocked.json().friends.map((f: { id: string }) => f.id)).not.toContain(blocker.id);
  });
});
