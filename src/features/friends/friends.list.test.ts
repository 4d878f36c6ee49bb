import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeBlock, makeFriends, setProfileVisibility, type TestUser } from '../../../test/factories.js';
import {
  UNKNOWN_ID,
  httpOf,
  makeUsers,
  makePendingRequest,
  setFriendshipSince,
  setUserFlags,
  type Http,
} from '../../../test/friends-helpers.js';
import { createTestApp, type TestApp } from '../../../test/harness.js';

let t: TestApp;
let http: Http;

const MINUTE = 60_000;
const ago = (ms: number) => new Date(Date.now() - ms);
const ids = (body: { friends: Array<{ id: string }> }) => body.friends.map((f) => f.id);

beforeAll(async () => {
  t = await createTestApp({ env: { RATE_LIMIT_READ_PER_MINUTE: '10000' } });
  http = httpOf(t);
});
afterAll(async () => t.close());

const users = <N extends number>(n: N, names: string[] = []) => makeUsers(t.ctx, n, names);

describe('GET /api/v1/friends', () => {
  it('returns the plan’s body: each friend’s card, presence, friendship_since and mutual_friends_count, with pagination', async () => {
    const [me, friend, shared1, shared2, other] = await users(5);
    await makeFriends(t.ctx, me, friend);
    for (const s of [shared1, shared2]) {
      await makeFriends(t.ctx, me, s);
      await makeFriends(t.ctx, s, friend);
    }
    await makeFriends(t.ctx, friend, other);
    const since = new Date('2025-06-15T10:00:00.000Z');
    await setFriendshipSince(t.ctx, me, friend, since);
    const seen = ago(MINUTE);
    await setUserFlags(t.ctx, friend, { lastSeenAt: seen });
    const res = await http.get('/api/v1/friends?sort=alphabetical&limit=10', me);
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.pagination).toEqual({ page: 1, limit: 10, total: 3, total_pages: 1 });
    expect(body.friends.find((f: { id: string }) => f.id === friend.id)).toEqual({
      id: friend.id,
      username: friend.username,
      full_name: friend.user.fullName,
      profile_image_url: null,
      is_online: true,
      last_seen_at: seen.toISOString(),
      friendship_since: since.toISOString(),
      mutual_friends_count: 2,
      can_send_friend_request: false,
    });
  });

  it('shows presence only where the friend shows their online status; 5 minutes of silence is offline', async () => {
    const [me, recent, stale, hidden, never] = await users(5);
    for (const f of [recent, stale, hidden, never]) await makeFriends(t.ctx, me, f);
    await setUserFlags(t.ctx, recent, { lastSeenAt: ago(4 * MINUTE) });
    await setUserFlags(t.ctx, stale, { lastSeenAt: ago(6 * MINUTE) });
    await setUserFlags(t.ctx, hidden, { lastSeenAt: ago(MINUTE), onlineStatusVisible: false });
    const body = (await http.get('/api/v1/friends', me)).json();
    const byId = new Map(body.friends.map((f: { id: string }) => [f.id, f]));
    expect(byId.get(recent.id)).toMatchObject({ is_online: true, last_seen_at: expect.any(String) });
    expect(byId.get(stale.id)).toMatchObject({ is_online: false, last_seen_at: expect.any(String) });
    expect(byId.get(hidden.id)).toMatchObject({ is_online: false, last_seen_at: null });
    expect(byId.get(never.id)).toMatchObject({ is_online: false, last_seen_at: null });
  });

  it('sorts by recent friendship (default), by full name ignoring case and accents, or by last activity with hidden ones last', async () => {
    const [me, zoe, angel, bob, carl] = await users(5, ['me', 'zoe Last', 'Ängel Second', 'Bob Third', 'carl Fourth']);
    await makeFriends(t.ctx, me, zoe);
    await makeFriends(t.ctx, me, angel);
    await makeFriends(t.ctx, me, bob);
    await makeFriends(t.ctx, me, carl);
    await setFriendshipSince(t.ctx, me, zoe, ago(1 * MINUTE));
    await setFriendshipSince(t.ctx, me, angel, ago(4 * MINUTE));
    await setFriendshipSince(t.ctx, me, bob, ago(2 * MINUTE));
    await setFriendshipSince(t.ctx, me, carl, ago(3 * MINUTE));
    await setUserFlags(t.ctx, bob, { lastSeenAt: ago(10 * MINUTE) });
    await setUserFlags(t.ctx, carl, { lastSeenAt: ago(1 * MINUTE) });
    await setUserFlags(t.ctx, zoe, { lastSeenAt: ago(0), onlineStatusVisible: false });
    expect(ids((await http.get('/api/v1/friends', me)).json())).toEqual([zoe.id, bob.id, carl.id, angel.id]);
    expect(ids((await http.get('/api/v1/friends?sort=alphabetical', me)).json())).toEqual([angel.id, bob.id, carl.id, zoe.id]);
    // Never seen and hidden sort last, by name among themselves.
    expect(ids((await http.get('/api/v1/friends?sort=active', me)).json())).toEqual([carl.id, bob.id, angel.id, zoe.id]);
  });

  it('pages with page and limit, the same order across pages', async () => {
    const [me, ...friends] = await users(6);
    for (const [i, f] of friends.entries()) {
      await makeFriends(t.ctx, me, f);
      await setFriendshipSince(t.ctx, me, f, ago(i * MINUTE));
    }
    const first = (await http.get('/api/v1/friends?limit=2', me)).json();
    expect(first.pagination).toEqual({ page: 1, limit: 2, total: 5, total_pages: 3 });
    const rest = [
      ...ids((await http.get('/api/v1/friends?limit=2&page=2', me)).json()),
      ...ids((await http.get('/api/v1/friends?limit=2&page=3', me)).json()),
    ];
    expect([...ids(first), ...rest]).toEqual(friends.map((f) => f.id));
    expect((await http.get('/api/v1/friends?limit=2&page=9', me)).json().friends).toEqual([]);
  });

  it('leaves out pending requests, deactivated friends and anyone blocked either way', async () => {
    const [me, kept, pending, gone, blockedByMe, blockerOfMe] = await users(6);
    for (const f of [kept, gone, blockedByMe, blockerOfMe]) await makeFriends(t.ctx, me, f);
    await makePendingRequest(t.ctx, me, pending);
    await t.ctx.services.users.deactivate(gone.id);
    // Friendship rows left behind by a block (blocking normally removes them) must still never surface.
    await makeBlock(t.ctx, me, blockedByMe);
    await makeBlock(t.ctx, blockerOfMe, me);
    const body = (await http.get('/api/v1/friends', me)).json();
    expect(ids(body)).toEqual([kept.id]);
    expect(body.pagination.total).toBe(1);
    expect(ids((await http.get('/api/v1/friends', blockedByMe)).json())).toEqual([]);
  });

  it.each([
    ['an unknown sort', '?sort=popular', 'sort'],
    ['limit 101', '?limit=101', 'limit'],
    ['a negative page', '?page=-1', 'page'],
  ])('with %s → 422 naming the field', async (_case, query, field) => {
    const [me] = await users(1);
    const res = await http.get(`/api/v1/friends${query}`, me);
    expect(res.statusCode).toBe(422);
    expect(res.json().error.details.map((d: { field: string }) => d.field)).toContain(field);
  });

  it('without a token → 401', async () => {
    expect((await http.get('/api/v1/friends')).statusCode).toBe(401);
  });
});

describe('GET /api/v1/friends/online', () => {
  it('lists friends seen in the last 5 minutes who show their status, most recent first; nobody else', async () => {
    const [me, online1, online2, stale, hidden, stranger] = await users(6);
    for (const f of [online1, online2, stale, hidden]) await makeFriends(t.ctx, me, f);
    await setUserFlags(t.ctx, online1, { lastSeenAt: ago(3 * MINUTE) });
    await setUserFlags(t.ctx, online2, { lastSeenAt: ago(MINUTE / 2) });
    await setUserFlags(t.ctx, stale, { lastSeenAt: ago(6 * MINUTE) });
    await setUserFlags(t.ctx, hidden, { lastSeenAt: ago(0), onlineStatusVisible: false });
    await setUserFlags(t.ctx, stranger, { lastSeenAt: ago(0) });
    const res = await http.get('/api/v1/friends/online', me);
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(Object.keys(body)).toEqual(['friends']);
    expect(ids(body)).toEqual([online2.id, online1.id]);
    expect(body.friends[0]).toMatchObject({ is_online: true, friendship_since: expect.any(String), mutual_friends_count: 0 });
  });

  it('leaves out an online friend blocked either way', async () => {
    const [me, blocked] = await users(2);
    await makeFriends(t.ctx, me, blocked);
    await setUserFlags(t.ctx, blocked, { lastSeenAt: ago(0) });
    await makeBlock(t.ctx, blocked, me);
    expect((await http.get('/api/v1/friends/online', me)).json().friends).toEqual([]);
  });

  it('limit 101 → 422; without a token → 401', async () => {
    const [me] = await users(1);
    expect((await http.get('/api/v1/friends/online?limit=101', me)).statusCode).toBe(422);
    expect((await http.get('/api/v1/friends/online')).statusCode).toBe(401);
  });
});

describe('GET /api/v1/users/:userId/friends', () => {
  const listOf = (owner: string, viewer?: TestUser, query = '') => http.get(`/api/v1/users/${owner}/friends${query}`, viewer);

  it('an everyone profile’s friends are listed to a stranger, with mutual counts from the caller’s side', async () => {
    const [owner, viewer, f1, f2] = await users(4);
    await setProfileVisibility(t.ctx, owner, 'everyone');
    await makeFriends(t.ctx, owner, f1);
    await makeFriends(t.ctx, f2, owner);
    await makeFriends(t.ctx, viewer, f1);
    await makeFriends(t.ctx, viewer, f2);
    await makeFriends(t.ctx, f1, f2);
    const res = await listOf(owner.id, viewer, '?sort=alphabetical');
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.pagination).toEqual({ page: 1, limit: 20, total: 2, total_pages: 1 });
    const counts = Object.fromEntries(body.friends.map((f: { id: string; mutual_friends_count: number }) => [f.id, f.mutual_friends_count]));
    // f1 and the viewer share f2; f2 and the viewer share f1.
    expect(counts).toEqual({ [f1.id]: 1, [f2.id]: 1 });
  });

  it('a friends_only profile (the default): friends see the list, a stranger gets 404 user_not_found like an unknown id', async () => {
    const [owner, friend, stranger] = await users(3);
    await makeFriends(t.ctx, owner, friend);
    expect(ids((await listOf(owner.id, friend)).json())).toEqual([friend.id]);
    const unknown = await listOf(UNKNOWN_ID, stranger);
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().error.code).toBe('user_not_found');
    const res = await listOf(owner.id, stranger);
    expect(res.statusCode).toBe(404);
    expect(res.json()).toEqual(unknown.json());
  });

  it('a private profile: 404 even for friends; the owner always sees their own list', async () => {
    const [owner, friend] = await users(2);
    await setProfileVisibility(t.ctx, owner, 'private');
    await makeFriends(t.ctx, owner, friend);
    expect((await listOf(owner.id, friend)).statusCode).toBe(404);
    expect(ids((await listOf(owner.id, owner)).json())).toEqual([friend.id]);
  });

  it('a user blocked in either direction, or deactivated → 404', async () => {
    const [viewer, blocker, blockedByViewer, gone] = await users(4);
    for (const owner of [blocker, blockedByViewer, gone]) await setProfileVisibility(t.ctx, owner, 'everyone');
    await makeBlock(t.ctx, blocker, viewer);
    await makeBlock(t.ctx, viewer, blockedByViewer);
    await t.ctx.services.users.deactivate(gone.id);
    for (const owner of [blocker, blockedByViewer, gone]) {
      const res = await listOf(owner.id, viewer);
      expect(res.statusCode).toBe(404);
      expect(res.json().error.code).toBe('user_not_found');
    }
  });

  it('leaves out the owner’s friends who are blocked with the caller (the owner still sees them)', async () => {
    const [owner, viewer, blockedByViewer, blockerOfViewer, kept] = await users(5);
    await setProfileVisibility(t.ctx, owner, 'everyone');
    for (const f of [blockedByViewer, blockerOfViewer, kept]) await makeFriends(t.ctx, owner, f);
    await makeBlock(t.ctx, viewer, blockedByViewer);
    await makeBlock(t.ctx, blockerOfViewer, viewer);
    const body = (await listOf(owner.id, viewer)).json();
    expect(ids(body)).toEqual([kept.id]);
    expect(body.pagination.total).toBe(1);
    expect((await listOf(owner.id, owner)).json().pagination.total).toBe(3);
  });

  it('follows each friend’s online-status setting', async () => {
    const [owner, viewer, shown, hidden] = await users(4);
    await setProfileVisibility(t.ctx, owner, 'everyone');
    await makeFriends(t.ctx, owner, shown);
    await makeFriends(t.ctx, owner, hidden);
    await setUserFlags(t.ctx, shown, { lastSeenAt: ago(MINUTE) });
    await setUserFlags(t.ctx, hidden, { lastSeenAt: ago(MINUTE), onlineStatusVisible: false });
    const byId = new Map((await listOf(owner.id, viewer)).json().friends.map((f: { id: string }) => [f.id, f]));
    expect(byId.get(shown.id)).toMatchObject({ is_online: true });
    expect(byId.get(hidden.id)).toMatchObject({ is_online: false, last_seen_at: null });
  });

  it('bad input → 422 (non-UUID id, unknown sort, limit 101); without a token → 401', async () => {
    const [viewer] = await users(1);
    const bad = await listOf('not-a-uuid', viewer);
    expect(bad.statusCode).toBe(422);
    expect(bad.json().error.details[0].field).toBe('userId');
    expect((await listOf(viewer.id, viewer, '?sort=newest')).statusCode).toBe(422);
    expect((await listOf(viewer.id, viewer, '?limit=101')).statusCode).toBe(422);
    expect((await listOf(viewer.id)).statusCode).toBe(401);
  });
});
