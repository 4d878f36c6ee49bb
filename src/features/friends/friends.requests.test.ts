import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countRows, makeBlock, makeFriends, makeUser, type TestUser } from '../../../test/factories.js';
import {
  UNKNOWN_ID,
  httpOf,
  makePendingRequest,
  requestFriendship,
  rowsBetween,
  setFriendRequestAudience,
  type Http,
} from '../../../test/friends-helpers.js';
import { recordEvents } from '../../../test/capture.js';
import { createTestApp, type TestApp } from '../../../test/harness.js';
import type { FriendsRepo } from './friends.repo.js';
import { FriendsService } from './friends.service.js';

let t: TestApp;
let http: Http;

const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

beforeAll(async () => {
  // The per-caller write budget (30/min) is not under test here; the friend-request limit is.
  t = await createTestApp({ env: { RATE_LIMIT_WRITE_PER_MINUTE: '10000', RATE_LIMIT_READ_PER_MINUTE: '10000' } });
  http = httpOf(t);
});
afterAll(async () => t.close());

/** A user who accepts requests from everyone. */
async function openUser(): Promise<TestUser> {
  const u = await makeUser(t.ctx);
  await setFriendRequestAudience(t.ctx, u, 'everyone');
  return u;
}

const send = (from: TestUser | undefined, payload: object) => http.post('/api/v1/friends/requests', from, payload);

describe('POST /api/v1/friends/requests', () => {
  it('to a user who accepts everyone → 201 with the plan’s body (plus the list entry’s card and count), one pending row and a request_sent event', async () => {
    const [a, b] = [await makeUser(t.ctx), await openUser()];
    const rec = recordEvents(t.ctx, 'friend.request_sent');
    const res = await send(a, { user_id: b.id });
    expect(res.statusCode).toBe(201);
    const body = res.json();
    expect(body).toEqual({
      id: expect.any(String),
      user_id: a.id,
      friend_id: b.id,
      user: { id: b.id, username: b.username, full_name: b.user.fullName, profile_image_url: null, can_send_friend_request: false },
      status: 'pending',
      requested_at: expect.stringMatching(ISO),
      mutual_friends_count: 0,
    });
    expect(await rowsBetween(t.ctx, a, b)).toEqual([{ id: body.id, status: 'pending', user_id: a.id }]);
    expect((await rec.events()).map((e) => e.payload)).toEqual([{ requestId: body.id, fromUserId: a.id, toUserId: b.id }]);
    rec.stop();
  });

  it('when the target already asked the caller, accepts their request instead → 201 accepted, still one row', async () => {
    const [a, b] = [await makeUser(t.ctx), await makeUser(t.ctx)];
    const requestId = await makePendingRequest(t.ctx, b, a);
    const rec = recordEvents(t.ctx, 'friend.request_accepted', 'friend.request_sent');
    const res = await send(a, { user_id: b.id });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toEqual({
      id: requestId,
      user_id: b.id,
      friend_id: a.id,
      user: { id: b.id, username: b.username, full_name: b.user.fullName, profile_image_url: null, can_send_friend_request: false },
      status: 'accepted',
      requested_at: expect.stringMatching(ISO),
      accepted_at: expect.stringMatching(ISO),
      mutual_friends_count: 0,
    });
    expect(await rowsBetween(t.ctx, a, b)).toEqual([{ id: requestId, status: 'accepted', user_id: b.id }]);
    expect((await rec.events()).map((e) => [e.name, e.payload])).toEqual([
      ['friend.request_accepted', { requestId, requesterId: b.id, accepterId: a.id }],
    ]);
    rec.stop();
  });

  it('to yourself → 422 cannot_befriend_self, nothing written', async () => {
    const a = await openUser();
    const before = await countRows(t.ctx, 'friendships');
    const res = await send(a, { user_id: a.id });
    expect(res.statusCode).toBe(422);
    expect(res.json().error.code).toBe('cannot_befriend_self');
    expect(await countRows(t.ctx, 'friendships')).toBe(before);
  });

  it('to an unknown, deactivated or blocked-either-way user → 404 user_not_found, the same body each time, nothing written', async () => {
    const a = await makeUser(t.ctx);
    const deactivated = await openUser();
    await t.ctx.services.users.deactivate(deactivated.id);
    const blockedByA = await openUser();
    const blockerOfA = await openUser();
    await makeBlock(t.ctx, a, blockedByA);
    await makeBlock(t.ctx, blockerOfA, a);
    const before = await countRows(t.ctx, 'friendships');
    const unknown = await send(a, { user_id: UNKNOWN_ID });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().error.code).toBe('user_not_found');
    for (const target of [deactivated, blockedByA, blockerOfA]) {
      const res = await send(a, { user_id: target.id });
      expect(res.statusCode).toBe(404);
      expect(res.json()).toEqual(unknown.json());
    }
    // The blocked side cannot ask either.
    expect((await send(blockedByA, { user_id: a.id })).json()).toEqual(unknown.json());
    expect(await countRows(t.ctx, 'friendships')).toBe(before);
  });

  it('when already friends → 409 already_friends', async () => {
    const [a, b] = [await makeUser(t.ctx), await openUser()];
    await makeFriends(t.ctx, b, a);
    const res = await send(a, { user_id: b.id });
    expect(res.statusCode).toBe(409);
    expect(res.json().error.code).toBe('already_friends');
    expect(await rowsBetween(t.ctx, a, b)).toHaveLength(1);
  });

  it('when the caller already asked → 409 friend_request_exists, still one row', async () => {
    const [a, b] = [await makeUser(t.ctx), await openUser()];
    await requestFriendship(t, a, b);
    const res = await send(a, { user_id: b.id });
    expect(res.statusCode).toBe(409);
    expect(res.json().error.code).toBe('friend_request_exists');
    expect(await rowsBetween(t.ctx, a, b)).toHaveLength(1);
  });

  describe('the target’s who_can_send_friend_requests', () => {
    it('no_one → 403 friend_requests_not_allowed even with mutual friends, nothing written', async () => {
      const [a, b, mutual] = [await makeUser(t.ctx), await makeUser(t.ctx), await makeUser(t.ctx)];
      await makeFriends(t.ctx, a, mutual);
      await makeFriends(t.ctx, mutual, b);
      await setFriendRequestAudience(t.ctx, b, 'no_one');
      const res = await send(a, { user_id: b.id });
      expect(res.statusCode).toBe(403);
      expect(res.json().error.code).toBe('friend_requests_not_allowed');
      expect(await rowsBetween(t.ctx, a, b)).toEqual([]);
    });

    it('friends_of_friends (the default) → 403 for a stranger, 201 once they share a friend', async () => {
      const [a, b, mutual] = [await makeUser(t.ctx), await makeUser(t.ctx), await makeUser(t.ctx)];
      const refused = await send(a, { user_id: b.id });
      expect(refused.statusCode).toBe(403);
      expect(refused.json().error.code).toBe('friend_requests_not_allowed');
      await makeFriends(t.ctx, a, mutual);
      await makeFriends(t.ctx, b, mutual);
      expect((await send(a, { user_id: b.id })).statusCode).toBe(201);
    });

    it('no_one still lets the caller accept a request the target sent them', async () => {
      const [a, b] = [await makeUser(t.ctx), await makeUser(t.ctx)];
      await setFriendRequestAudience(t.ctx, b, 'no_one');
      await makePendingRequest(t.ctx, b, a);
      const res = await send(a, { user_id: b.id });
      expect(res.statusCode).toBe(201);
      expect(res.json().status).toBe('accepted');
    });
  });

  it.each([
    ['a non-UUID user_id', { user_id: 'not-a-uuid' }, 'user_id'],
    ['no user_id', {}, 'user_id'],
    ['a numeric user_id', { user_id: 5 }, 'user_id'],
    ['an unknown field', { user_id: UNKNOWN_ID, status: 'accepted' }, 'status'],
  ])('with %s → 422 naming the field, nothing written', async (_case, payload, field) => {
    const a = await makeUser(t.ctx);
    const before = await countRows(t.ctx, 'friendships');
    const res = await send(a, payload);
    expect(res.statusCode).toBe(422);
    expect(res.json().error.details.map((d: { field: string }) => d.field)).toContain(field);
    expect(await countRows(t.ctx, 'friendships')).toBe(before);
  });

  it('without a token → 401, nothing written', async () => {
    const b = await openUser();
    const before = await countRows(t.ctx, 'friendships');
    expect((await send(undefined, { user_id: b.id })).statusCode).toBe(401);
    expect(await countRows(t.ctx, 'friendships')).toBe(before);
  });

  it('both users asking each other at the same moment leaves exactly one row: an accepted friendship', async () => {
    for (let round = 0; round < 3; round++) {
      const [a, b] = [await openUser(), await openUser()];
      const results = await Promise.all([send(a, { user_id: b.id }), send(b, { user_id: a.id })]);
      expect(results.map((r) => r.statusCode)).toEqual([201, 201]);
      expect(results.map((r) => r.json().status).sort()).toEqual(['accepted', 'pending']);
      const rows = await rowsBetween(t.ctx, a, b);
      expect(rows).toHaveLength(1);
      expect(rows[0]!.status).toBe('accepted');
    }
  });

  it('the same request fired five times at once → one 201, four 409 friend_request_exists, one row', async () => {
    const [a, b] = [await makeUser(t.ctx), await openUser()];
    const results = await Promise.all(Array.from({ length: 5 }, () => send(a, { user_id: b.id })));
    expect(results.map((r) => r.statusCode).sort()).toEqual([201, 409, 409, 409, 409]);
    for (const r of results.filter((r) => r.statusCode === 409)) expect(r.json().error.code).toBe('friend_request_exists');
    expect(await rowsBetween(t.ctx, a, b)).toHaveLength(1);
  });

  it('a row created by the other side between the check and the insert (a lost race) → the unique index answers 409 or accepts', async () => {
    const service = new FriendsService(t.ctx.database, t.ctx.bus, t.ctx.clock, t.ctx.services.privacy);
    const repo = (service.requests as unknown as { repo: FriendsRepo }).repo;
    const realFind = repo.findBetween.bind(repo);
    let staleReads = 0;
    // The first look misses the row, as if it were committed a moment after the check.
    repo.findBetween = async (a, b) => (staleReads-- > 0 ? undefined : realFind(a, b));

    const [a, b] = [await makeUser(t.ctx), await openUser()];
    await makePendingRequest(t.ctx, a, b);
    staleReads = 1;
    await expect(service.requests.send(a.id, b.id)).rejects.toMatchObject({ code: 'friend_request_exists' });

    const [c, d] = [await openUser(), await openUser()];
    const theirs = await makePendingRequest(t.ctx, d, c);
    staleReads = 1;
    const row = await service.requests.send(c.id, d.id);
    expect(row).toMatchObject({ id: theirs, status: 'accepted', userId: d.id });
    expect(await rowsBetween(t.ctx, c, d)).toHaveLength(1);
  });

  it('more than 50 sends in an hour by one caller → 429 with Retry-After', async () => {
    const [a, b] = [await makeUser(t.ctx), await openUser()];
    for (let i = 0; i < 50; i++) expect((await send(a, { user_id: b.id })).statusCode).not.toBe(429);
    const res = await send(a, { user_id: b.id });
    expect(res.statusCode).toBe(429);
    expect(res.headers['retry-after']).toBeDefined();
  });
});

describe('GET /api/v1/friends/requests', () => {
  const list = (who: TestUser | undefined, query = '') => http.get(`/api/v1/friends/requests${query}`, who);

  it('lists received requests by default (the requester as `user`) and sent ones with direction=sent', async () => {
    const [me, asker, asked, mutual] = [await makeUser(t.ctx), await makeUser(t.ctx), await makeUser(t.ctx), await makeUser(t.ctx)];
    await makeFriends(t.ctx, me, mutual);
    await makeFriends(t.ctx, asker, mutual);
    const receivedId = await makePendingRequest(t.ctx, asker, me);
    const sentId = await makePendingRequest(t.ctx, me, asked);
    const received = await list(me);
    expect(received.statusCode).toBe(200);
    expect(received.json()).toEqual({
      requests: [
        {
          id: receivedId,
          user_id: asker.id,
          friend_id: me.id,
          user: {
            id: asker.id,
            username: asker.username,
            full_name: asker.user.fullName,
            profile_image_url: null,
            can_send_friend_request: false,
          },
          status: 'pending',
          requested_at: expect.stringMatching(ISO),
          mutual_friends_count: 1,
        },
      ],
      pagination: { page: 1, limit: 20, total: 1, total_pages: 1 },
    });
    const sent = (await list(me, '?direction=sent')).json();
    expect(sent.requests.map((r: { id: string; user: { id: string } }) => [r.id, r.user.id])).toEqual([[sentId, asked.id]]);
    expect([sent.requests[0].user_id, sent.requests[0].friend_id]).toEqual([me.id, asked.id]);
    expect(sent.requests[0].mutual_friends_count).toBe(0);
  });

  it('pages newest first with page and limit', async () => {
    const me = await makeUser(t.ctx);
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      ids.push(await makePendingRequest(t.ctx, await makeUser(t.ctx), me));
      await new Promise((r) => setTimeout(r, 5));
    }
    const first = (await list(me, '?limit=2')).json();
    expect(first.pagination).toEqual({ page: 1, limit: 2, total: 3, total_pages: 2 });
    const second = (await list(me, '?limit=2&page=2')).json();
    expect([...first.requests, ...second.requests].map((r: { id: string }) => r.id)).toEqual([...ids].reverse());
  });

  it('never shows a user blocked in either direction, or a deactivated one, in either list', async () => {
    const [me, blockedByMe, blockerOfMe, gone, kept] = [
      await makeUser(t.ctx),
      await makeUser(t.ctx),
      await makeUser(t.ctx),
      await makeUser(t.ctx),
      await makeUser(t.ctx),
    ];
    await makePendingRequest(t.ctx, blockedByMe, me);
    await makePendingRequest(t.ctx, me, blockerOfMe);
    await makePendingRequest(t.ctx, gone, me);
    await makePendingRequest(t.ctx, kept, me);
    // Rows left behind (blocking normally removes them) must still never surface.
    await makeBlock(t.ctx, me, blockedByMe);
    await makeBlock(t.ctx, blockerOfMe, me);
    await t.ctx.services.users.deactivate(gone.id);
    const received = (await list(me)).json();
    expect(received.requests.map((r: { user: { id: string } }) => r.user.id)).toEqual([kept.id]);
    expect(received.pagination.total).toBe(1);
    expect((await list(me, '?direction=sent')).json().requests).toEqual([]);
    expect((await list(blockedByMe, '?direction=sent')).json().requests).toEqual([]);
  });

  it.each([
    ['an unknown direction', '?direction=incoming', 'direction'],
    ['limit 101', '?limit=101', 'limit'],
    ['limit 0', '?limit=0', 'limit'],
    ['page 0', '?page=0', 'page'],
    ['a non-numeric page', '?page=two', 'page'],
  ])('with %s → 422 naming the field', async (_case, query, field) => {
    const res = await list(await makeUser(t.ctx), query);
    expect(res.statusCode).toBe(422);
    expect(res.json().error.details.map((d: { field: string }) => d.field)).toContain(field);
  });

  it('without a token → 401', async () => {
    expect((await list(undefined)).statusCode).toBe(401);
  });
});
