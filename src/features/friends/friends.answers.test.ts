import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeBlockRowOnly, makeFriends, makeUser, type TestUser } from '../../../test/factories.js';
import {
  UNKNOWN_ID,
  friendsServiceOf,
  httpOf,
  makePendingRequest,
  rowsBetween,
  setFriendRequestAudience,
  type Http,
} from '../../../test/friends-helpers.js';
import { recordEvents } from '../../../test/capture.js';
import { createTestApp, type TestApp } from '../../../test/harness.js';

/** Answering requests (accept, decline, cancel), unfriending, and the service API other features use. */

let t: TestApp;
let http: Http;

const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

beforeAll(async () => {
  t = await createTestApp({ env: { RATE_LIMIT_WRITE_PER_MINUTE: '10000', RATE_LIMIT_READ_PER_MINUTE: '10000' } });
  http = httpOf(t);
});
afterAll(async () => t.close());

async function openUser(): Promise<TestUser> {
  const u = await makeUser(t.ctx);
  await setFriendRequestAudience(t.ctx, u, 'everyone');
  return u;
}

const send = (from: TestUser | undefined, payload: object) => http.post('/api/v1/friends/requests', from, payload);

describe('PUT /api/v1/friends/requests/:requestId/accept', () => {
  const accept = (id: string, who?: TestUser) => http.put(`/api/v1/friends/requests/${id}/accept`, who);

  it('by the addressee → 200 with the friendship, both are friends, request_accepted published', async () => {
    const [a, b] = [await makeUser(t.ctx), await makeUser(t.ctx)];
    const id = await makePendingRequest(t.ctx, a, b);
    const rec = recordEvents(t.ctx, 'friend.request_accepted');
    const res = await accept(id, b);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      id,
      user_id: a.id,
      friend_id: b.id,
      status: 'accepted',
      requested_at: expect.stringMatching(ISO),
      accepted_at: expect.stringMatching(ISO),
    });
    expect(await friendsServiceOf(t.ctx).areFriends(a.id, b.id)).toBe(true);
    expect((await rec.events()).map((e) => e.payload)).toEqual([{ requestId: id, requesterId: a.id, accepterId: b.id }]);
    rec.stop();
  });

  it('by the requester, a third user, for an unknown id or twice → 404 friend_request_not_found, the same body, nothing changed', async () => {
    const [a, b, c] = [await makeUser(t.ctx), await makeUser(t.ctx), await makeUser(t.ctx)];
    const id = await makePendingRequest(t.ctx, a, b);
    const unknown = await accept(UNKNOWN_ID, b);
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().error.code).toBe('friend_request_not_found');
    for (const who of [a, c]) expect((await accept(id, who)).json()).toEqual(unknown.json());
    expect((await rowsBetween(t.ctx, a, b))[0]!.status).toBe('pending');
    expect((await accept(id, b)).statusCode).toBe(200);
    expect((await accept(id, b)).json()).toEqual(unknown.json());
  });

  it('when the requester was blocked or deactivated since → 404, still pending', async () => {
    const [a, b, c] = [await makeUser(t.ctx), await makeUser(t.ctx), await makeUser(t.ctx)];
    const blockedId = await makePendingRequest(t.ctx, a, b);
    // Blocking deletes a pending request; one still here raced the block.
    await makeBlockRowOnly(t.ctx, b, a);
    expect((await accept(blockedId, b)).statusCode).toBe(404);
    const goneId = await makePendingRequest(t.ctx, c, b);
    await t.ctx.services.users.deactivate(c.id);
    expect((await accept(goneId, b)).statusCode).toBe(404);
    expect((await rowsBetween(t.ctx, a, b))[0]!.status).toBe('pending');
  });

  it('a non-UUID id → 422; without a token → 401', async () => {
    const res = await accept('42', await makeUser(t.ctx));
    expect(res.statusCode).toBe(422);
    expect(res.json().error.details[0].field).toBe('requestId');
    expect((await accept(UNKNOWN_ID)).statusCode).toBe(401);
  });
});

describe('PUT /api/v1/friends/requests/:requestId/decline', () => {
  const decline = (id: string, who?: TestUser) => http.put(`/api/v1/friends/requests/${id}/decline`, who);

  it('by the addressee → 204, the request is gone, request_declined published; the requester may ask again', async () => {
    const [a, b] = [await makeUser(t.ctx), await openUser()];
    const id = await makePendingRequest(t.ctx, a, b);
    const rec = recordEvents(t.ctx, 'friend.request_declined');
    const res = await decline(id, b);
    expect(res.statusCode).toBe(204);
    expect(res.body).toBe('');
    expect(await rowsBetween(t.ctx, a, b)).toEqual([]);
    expect((await rec.events()).map((e) => e.payload)).toEqual([{ requestId: id, requesterId: a.id, addresseeId: b.id }]);
    rec.stop();
    expect((await send(a, { user_id: b.id })).statusCode).toBe(201);
  });

  it('by the requester or a third user → 404 friend_request_not_found, the request stays', async () => {
    const [a, b, c] = [await makeUser(t.ctx), await makeUser(t.ctx), await makeUser(t.ctx)];
    const id = await makePendingRequest(t.ctx, a, b);
    for (const who of [a, c]) {
      const res = await decline(id, who);
      expect(res.statusCode).toBe(404);
      expect(res.json().error.code).toBe('friend_request_not_found');
    }
    expect(await rowsBetween(t.ctx, a, b)).toHaveLength(1);
  });

  it('an accepted friendship cannot be "declined" → 404, still friends', async () => {
    const [a, b] = [await makeUser(t.ctx), await makeUser(t.ctx)];
    const id = await makePendingRequest(t.ctx, a, b);
    await http.put(`/api/v1/friends/requests/${id}/accept`, b);
    expect((await decline(id, b)).statusCode).toBe(404);
    expect(await friendsServiceOf(t.ctx).areFriends(a.id, b.id)).toBe(true);
  });

  it('a non-UUID id → 422; without a token → 401', async () => {
    expect((await decline('nope', await makeUser(t.ctx))).statusCode).toBe(422);
    expect((await decline(UNKNOWN_ID)).statusCode).toBe(401);
  });
});

describe('DELETE /api/v1/friends/requests/:requestId (cancel)', () => {
  const cancel = (id: string, who?: TestUser) => http.del(`/api/v1/friends/requests/${id}`, who);

  it('by the requester → 204, the request is gone, request_cancelled published', async () => {
    const [a, b] = [await makeUser(t.ctx), await makeUser(t.ctx)];
    const id = await makePendingRequest(t.ctx, a, b);
    const rec = recordEvents(t.ctx, 'friend.request_cancelled');
    expect((await cancel(id, a)).statusCode).toBe(204);
    expect(await rowsBetween(t.ctx, a, b)).toEqual([]);
    expect((await rec.events()).map((e) => e.payload)).toEqual([{ requestId: id, requesterId: a.id, addresseeId: b.id }]);
    rec.stop();
  });

  it('by the addressee or a third user → 404 friend_request_not_found, the request stays', async () => {
    const [a, b, c] = [await makeUser(t.ctx), await makeUser(t.ctx), await makeUser(t.ctx)];
    const id = await makePendingRequest(t.ctx, a, b);
    for (const who of [b, c]) {
      const res = await cancel(id, who);
      expect(res.statusCode).toBe(404);
      expect(res.json().error.code).toBe('friend_request_not_found');
    }
    expect(await rowsBetween(t.ctx, a, b)).toHaveLength(1);
  });

  it('a non-UUID id → 422; without a token → 401', async () => {
    expect((await cancel('nope', await makeUser(t.ctx))).statusCode).toBe(422);
    expect((await cancel(UNKNOWN_ID)).statusCode).toBe(401);
  });
});

describe('DELETE /api/v1/friends/:friendId', () => {
  const unfriend = (id: string, who?: TestUser) => http.del(`/api/v1/friends/${id}`, who);

  it('either friend may unfriend → 204, the friendship is gone, friend.removed published', async () => {
    for (const side of ['requester', 'addressee'] as const) {
      const [a, b] = [await makeUser(t.ctx), await makeUser(t.ctx)];
      await makeFriends(t.ctx, a, b);
      const [actor, other] = side === 'requester' ? [a, b] : [b, a];
      const rec = recordEvents(t.ctx, 'friend.removed');
      expect((await unfriend(other.id, actor)).statusCode).toBe(204);
      expect(await rowsBetween(t.ctx, a, b)).toEqual([]);
      expect((await rec.events()).map((e) => e.payload)).toEqual([{ userId: actor.id, friendId: other.id }]);
      rec.stop();
    }
  });

  it('when not friends (a stranger, a pending request, an unknown id) → 404 friendship_not_found, nothing deleted', async () => {
    const [a, b, c] = [await makeUser(t.ctx), await makeUser(t.ctx), await makeUser(t.ctx)];
    await makePendingRequest(t.ctx, a, b);
    for (const id of [b.id, c.id, UNKNOWN_ID, a.id]) {
      const res = await unfriend(id, a);
      expect(res.statusCode).toBe(404);
      expect(res.json().error.code).toBe('friendship_not_found');
    }
    expect(await rowsBetween(t.ctx, a, b)).toHaveLength(1);
  });

  it('a non-UUID id → 422; without a token → 401', async () => {
    const res = await unfriend('friend', await makeUser(t.ctx));
    expect(res.statusCode).toBe(422);
    expect(res.json().error.details[0].field).toBe('friendId');
    expect((await unfriend(UNKNOWN_ID)).statusCode).toBe(401);
  });
});

describe('FriendsService for other features', () => {
  it('removeEverythingBetween deletes a pending request either way silently, and a friendship with friend.removed', async () => {
    const friends = friendsServiceOf(t.ctx);
    const [a, b, c, d] = [await makeUser(t.ctx), await makeUser(t.ctx), await makeUser(t.ctx), await makeUser(t.ctx)];
    await makePendingRequest(t.ctx, b, a);
    await makeFriends(t.ctx, c, a);
    const rec = recordEvents(t.ctx, 'friend.removed', 'friend.request_declined', 'friend.request_cancelled');
    await friends.removeEverythingBetween(a.id, b.id);
    await friends.removeEverythingBetween(a.id, c.id);
    await friends.removeEverythingBetween(a.id, d.id);
    expect(await rowsBetween(t.ctx, a, b)).toEqual([]);
    expect(await rowsBetween(t.ctx, a, c)).toEqual([]);
    expect((await rec.events()).map((e) => [e.name, e.payload])).toEqual([['friend.removed', { userId: a.id, friendId: c.id }]]);
    rec.stop();
  });

  it('areFriends and friendIds see accepted friendships in either direction, not pending requests', async () => {
    const friends = friendsServiceOf(t.ctx);
    const [a, b, c, d] = [await makeUser(t.ctx), await makeUser(t.ctx), await makeUser(t.ctx), await makeUser(t.ctx)];
    await makeFriends(t.ctx, a, b);
    await makeFriends(t.ctx, c, a);
    await makePendingRequest(t.ctx, a, d);
    expect(await friends.areFriends(b.id, a.id)).toBe(true);
    expect(await friends.areFriends(a.id, d.id)).toBe(false);
    expect((await friends.friendIds(a.id)).sort()).toEqual([b.id, c.id].sort());
  });
});
