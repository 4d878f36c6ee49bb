import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countRows, makeBlock, makeFriends, makeUser, type TestUser } from '../../../test/factories.js';
import {
  httpOf,
  makeGoalWith,
  makePendingRequest,
  rowsBetween,
  setFriendRequestAudience,
  type Http,
} from '../../../test/friends-helpers.js';
import { recordEvents } from '../../../test/capture.js';
import { createTestApp, type TestApp } from '../../../test/harness.js';
import { maskTokenInUrl } from '../../infra/logger.js';
import { INVITE_CODE_ALPHABET, INVITE_CODE_LENGTH, newInviteCode, normalizeInviteCode } from './friends.invite-code.js';
import { INVITE_REDEEM_LIMITS } from './friends.invite-limits.js';

let t: TestApp;
let http: Http;

beforeAll(async () => {
  // The global per-caller budgets are not under test here; the invite miss limits are.
  t = await createTestApp({ env: { RATE_LIMIT_WRITE_PER_MINUTE: '100000', RATE_LIMIT_READ_PER_MINUTE: '100000' } });
  http = httpOf(t);
});
afterAll(async () => t.close());

const CODE = new RegExp(`^[${INVITE_CODE_ALPHABET}]{${INVITE_CODE_LENGTH}}$`);
const send = (from: TestUser, to: TestUser) => http.post('/api/v1/friends/requests', from, { user_id: to.id });
const inviteOf = async (u: TestUser) => {
  const res = await http.get('/api/v1/friends/invite', u);
  expect(res.statusCode).toBe(200);
  return res.json() as { code: string; url: string; created_at: string };
};
const redeem = (who: TestUser | undefined, code: string) => http.post(`/api/v1/friends/invite/${code}`, who);
const profileFlag = async (viewer: TestUser, target: TestUser): Promise<boolean | undefined> => {
  const res = await http.get(`/api/v1/users/${target.id}`, viewer);
  return res.statusCode === 200 ? (res.json().can_send_friend_request as boolean) : undefined;
};

/** An accountability partnership row in `status` (the partners feature's consent flow is tested there). */
async function makePartners(a: TestUser, b: TestUser, status: 'pending' | 'active' | 'paused' | 'ended'): Promise<void> {
  await t.ctx.database.db.execute(sql`insert into accountability_partners (user_id, partner_id, status, requested_by)
    values (${a.id}, ${b.id}, ${status}, ${a.id})`);
}

/** A well-formed code that is nobody's (the chance of hitting a real one is 2^-65 per try). */
const unknownCode = () => newInviteCode();

describe('issue 15.8: two new users can become friends', () => {
  describe('the defect: under the default settings nobody can ask anybody', () => {
    it('two fresh users: POST /friends/requests → 403 friend_requests_not_allowed, and the profile says so (can_send_friend_request false)', async () => {
      const [a, b] = [await makeUser(t.ctx), await makeUser(t.ctx)];
      const res = await send(a, b);
      expect(res.statusCode).toBe(403);
      expect(res.json().error.code).toBe('friend_requests_not_allowed');
      expect(await profileFlag(a, b)).toBe(false);
      expect(await rowsBetween(t.ctx, a, b)).toEqual([]);
    });
  });

  describe('a personal invite code', () => {
    it('GET /friends/invite → a 13-character code, its {APP_URL}/invite/{code} link and created_at; the same on every ask', async () => {
      const a = await makeUser(t.ctx);
      const first = await inviteOf(a);
      expect(first.code).toMatch(CODE);
      expect(first.url).toBe(`${t.config.appUrl}/invite/${first.code}`);
      expect(Number.isNaN(Date.parse(first.created_at))).toBe(false);
      expect(await inviteOf(a)).toEqual(first);
      expect(await countRows(t.ctx, `friend_invites where user_id = '${a.id}'`)).toBe(1);
    });

    it('two fresh users with default settings: redeeming the code → 201 pending request to its owner, who accepts → friends', async () => {
      const [owner, friend] = [await makeUser(t.ctx), await makeUser(t.ctx)];
      const { code } = await inviteOf(owner);
      const rec = recordEvents(t.ctx, 'friend.request_sent');
      const res = await redeem(friend, code);
      expect(res.statusCode).toBe(201);
      const body = res.json();
      expect(body).toMatchObject({ user_id: friend.id, friend_id: owner.id, status: 'pending' });
      expect((await rec.events()).map((e) => e.payload)).toEqual([{ requestId: body.id, fromUserId: friend.id, toUserId: owner.id }]);
      rec.stop();
      // The owner sees it in their inbox and accepts.
      const inbox = await http.get('/api/v1/friends/requests', owner);
      expect(inbox.json().requests.map((r: { id: string }) => r.id)).toEqual([body.id]);
      const accepted = await http.put(`/api/v1/friends/requests/${body.id}/accept`, owner);
      expect(accepted.statusCode).toBe(200);
      const friendsOfOwner = await http.get('/api/v1/friends', owner);
      expect(friendsOfOwner.json().friends.map((f: { id: string }) => f.id)).toEqual([friend.id]);
    });

    it('works whatever the owner’s who_can_send_friend_requests, no_one included (they shared the code)', async () => {
      const [owner, friend] = [await makeUser(t.ctx), await makeUser(t.ctx)];
      await setFriendRequestAudience(t.ctx, owner, 'no_one');
      expect((await send(friend, owner)).statusCode).toBe(403);
      const res = await redeem(friend, (await inviteOf(owner)).code);
      expect(res.statusCode).toBe(201);
      expect(res.json().status).toBe('pending');
    });

    it('reads the code case-insensitively, with O, I and L as 0, 1 and 1', async () => {
      const [owner, friend] = [await makeUser(t.ctx), await makeUser(t.ctx)];
      const { code } = await inviteOf(owner);
      const typed = code.toLowerCase().replace(/0/g, 'o').replace(/1/g, 'l');
      expect(normalizeInviteCode(typed)).toBe(code);
      expect((await redeem(friend, typed)).statusCode).toBe(201);
    });

    it('rotation: POST /friends/invite/rotate → a new code; the old one → 404 invite_not_found, the new one works', async () => {
      const [owner, x, y] = [await makeUser(t.ctx), await makeUser(t.ctx), await makeUser(t.ctx)];
      const old = await inviteOf(owner);
      const rotated = await http.post('/api/v1/friends/invite/rotate', owner);
      expect(rotated.statusCode).toBe(200);
      const fresh = rotated.json();
      expect(fresh.code).toMatch(CODE);
      expect(fresh.code).not.toBe(old.code);
      expect(fresh.url).toBe(`${t.config.appUrl}/invite/${fresh.code}`);
      expect(await inviteOf(owner)).toEqual(fresh);
      const stale = await redeem(x, old.code);
      expect(stale.statusCode).toBe(404);
      expect(stale.json().error.code).toBe('invite_not_found');
      expect(await rowsBetween(t.ctx, x, owner)).toEqual([]);
      expect((await redeem(y, fresh.code)).statusCode).toBe(201);
    });

    it('rotating before ever asking creates the first code', async () => {
      const owner = await makeUser(t.ctx);
      const res = await http.post('/api/v1/friends/invite/rotate', owner);
      expect(res.statusCode).toBe(200);
      expect(await inviteOf(owner)).toEqual(res.json());
    });
  });

  describe('refusals', () => {
    it('an unknown code → 404 invite_not_found, nothing written', async () => {
      const a = await makeUser(t.ctx);
      const before = await countRows(t.ctx, 'friendships');
      const res = await redeem(a, unknownCode());
      expect(res.statusCode).toBe(404);
      expect(res.json().error.code).toBe('invite_not_found');
      expect(await countRows(t.ctx, 'friendships')).toBe(before);
    });

    it('the caller’s own code → 422 own_invite_code, nothing written', async () => {
      const a = await makeUser(t.ctx);
      const before = await countRows(t.ctx, 'friendships');
      const res = await redeem(a, (await inviteOf(a)).code);
      expect(res.statusCode).toBe(422);
      expect(res.json().error.code).toBe('own_invite_code');
      expect(await countRows(t.ctx, 'friendships')).toBe(before);
    });

    it('already friends → 409 already_friends', async () => {
      const [owner, a] = [await makeUser(t.ctx), await makeUser(t.ctx)];
      await makeFriends(t.ctx, owner, a);
      const res = await redeem(a, (await inviteOf(owner)).code);
      expect(res.statusCode).toBe(409);
      expect(res.json().error.code).toBe('already_friends');
    });

    it('a request the caller already sent the owner → 409 friend_request_exists, still one row', async () => {
      const [owner, a] = [await makeUser(t.ctx), await makeUser(t.ctx)];
      await makePendingRequest(t.ctx, a, owner);
      const res = await redeem(a, (await inviteOf(owner)).code);
      expect(res.statusCode).toBe(409);
      expect(res.json().error.code).toBe('friend_request_exists');
      expect(await rowsBetween(t.ctx, a, owner)).toHaveLength(1);
    });

    it('a pending request from the owner to the caller → accepted (201, status accepted), still one row', async () => {
      const [owner, a] = [await makeUser(t.ctx), await makeUser(t.ctx)];
      const theirs = await makePendingRequest(t.ctx, owner, a);
      const res = await redeem(a, (await inviteOf(owner)).code);
      expect(res.statusCode).toBe(201);
      expect(res.json()).toMatchObject({ id: theirs, user_id: owner.id, friend_id: a.id, status: 'accepted' });
      expect(await rowsBetween(t.ctx, a, owner)).toEqual([{ id: theirs, status: 'accepted', user_id: owner.id }]);
    });

    it('blocked either way → 404 exactly like an unknown code, nothing written', async () => {
      const [owner1, owner2, a] = [await makeUser(t.ctx), await makeUser(t.ctx), await makeUser(t.ctx)];
      const code1 = (await inviteOf(owner1)).code;
      const code2 = (await inviteOf(owner2)).code;
      await makeBlock(t.ctx, owner1, a);
      await makeBlock(t.ctx, a, owner2);
      const unknown = await redeem(a, unknownCode());
      for (const code of [code1, code2]) {
        const res = await redeem(a, code);
        expect(res.statusCode).toBe(404);
        expect(res.json()).toEqual(unknown.json());
      }
      expect(await rowsBetween(t.ctx, a, owner1)).toEqual([]);
      expect(await rowsBetween(t.ctx, a, owner2)).toEqual([]);
    });

    it('a deactivated owner’s code → 404 invite_not_found', async () => {
      const [owner, a] = [await makeUser(t.ctx), await makeUser(t.ctx)];
      const { code } = await inviteOf(owner);
      await t.ctx.database.db.execute(sql`update users set is_active = false where id = ${owner.id}`);
      const res = await redeem(a, code);
      expect(res.statusCode).toBe(404);
      expect(res.json().error.code).toBe('invite_not_found');
    });

    it.each([
      ['too short', 'ABC123'],
      ['too long', 'ABCDEFGHJKMNPQ'],
    ])('a malformed code (%s) → 422 naming the code, nothing written', async (_case, code) => {
      const a = await makeUser(t.ctx);
      const before = await countRows(t.ctx, 'friendships');
      const res = await redeem(a, code);
      expect(res.statusCode).toBe(422);
      expect(res.json().error.details.map((d: { field: string }) => d.field)).toContain('code');
      expect(await countRows(t.ctx, 'friendships')).toBe(before);
    });

    it('a 13-character code with characters no code has (U, punctuation) → 404 like an unknown code', async () => {
      const a = await makeUser(t.ctx);
      for (const code of ['UUUUUUUUUUUUU', 'ABCDEFGHJK%2B12']) {
        const res = await redeem(a, code);
        expect(res.statusCode).toBe(404);
        expect(res.json().error.code).toBe('invite_not_found');
      }
    });

    it('no or a bad token → 401 on all three routes, nothing written', async () => {
      const owner = await makeUser(t.ctx);
      const { code } = await inviteOf(owner);
      const before = [await countRows(t.ctx, 'friendships'), await countRows(t.ctx, 'friend_invites')];
      const bad = { authorization: 'Bearer not-a-token' };
      for (const headers of [{}, bad]) {
        expect((await t.app.inject({ method: 'GET', url: '/api/v1/friends/invite', headers })).statusCode).toBe(401);
        expect((await t.app.inject({ method: 'POST', url: '/api/v1/friends/invite/rotate', headers })).statusCode).toBe(401);
        expect((await t.app.inject({ method: 'POST', url: `/api/v1/friends/invite/${code}`, headers })).statusCode).toBe(401);
      }
      expect([await countRows(t.ctx, 'friendships'), await countRows(t.ctx, 'friend_invites')]).toEqual(before);
      expect(await inviteOf(owner)).toMatchObject({ code });
    });

    it(`misses are limited: after ${INVITE_REDEEM_LIMITS.caller.limit} unknown codes in an hour even a valid one → 429; hits do not count`, async () => {
      const [a, owner1, owner2] = [await makeUser(t.ctx), await makeUser(t.ctx), await makeUser(t.ctx)];
      // A redemption that finds its owner is no miss.
      expect((await redeem(a, (await inviteOf(owner1)).code)).statusCode).toBe(201);
      for (let i = 0; i < INVITE_REDEEM_LIMITS.caller.limit; i++) expect((await redeem(a, unknownCode())).statusCode).toBe(404);
      const refused = await redeem(a, (await inviteOf(owner2)).code);
      expect(refused.statusCode).toBe(429);
      expect(refused.headers['retry-after']).toBeDefined();
      expect(await rowsBetween(t.ctx, a, owner2)).toEqual([]);
      // Another account is not affected.
      const b = await makeUser(t.ctx);
      expect((await redeem(b, (await inviteOf(owner2)).code)).statusCode).toBe(201);
    });

    it('codes never reach the logs: the redemption path is masked (rotate is not a code)', () => {
      expect(maskTokenInUrl('/api/v1/friends/invite/ABCDEFGHJKMNP')).toBe('/api/v1/friends/invite/[redacted]');
      expect(maskTokenInUrl('/api/v1/friends/invite/abcdefghjkmnp?x=1')).toBe('/api/v1/friends/invite/[redacted]?x=1');
      expect(maskTokenInUrl('/api/v1/friends/invite/rotate')).toBe('/api/v1/friends/invite/rotate');
      expect(maskTokenInUrl('/api/v1/friends/invite')).toBe('/api/v1/friends/invite');
    });
  });

  describe('a shared group goal or a partnership allows a request under friends_of_friends', () => {
    it('both taking part in a group goal → 201; after one left → 403', async () => {
      const [a, b, c, d] = [await makeUser(t.ctx), await makeUser(t.ctx), await makeUser(t.ctx), await makeUser(t.ctx)];
      await makeGoalWith(t.ctx, 'fitness', [a, b]);
      expect(await profileFlag(a, b)).toBe(true);
      const res = await send(a, b);
      expect(res.statusCode).toBe(201);
      expect(res.json().status).toBe('pending');

      const goal = await makeGoalWith(t.ctx, 'fitness', [c, d]);
      await t.ctx.database.db.execute(sql`update goal_participants set left_at = now() where goal_id = ${goal} and user_id = ${d.id}`);
      expect(await profileFlag(c, d)).toBe(false);
      expect((await send(c, d)).statusCode).toBe(403);
    });

    it('an individual goal both appear on does not count', async () => {
      const [a, b] = [await makeUser(t.ctx), await makeUser(t.ctx)];
      const goal = await makeGoalWith(t.ctx, 'reading', [a, b]);
      await t.ctx.database.db.execute(sql`update goals set goal_type = 'individual' where id = ${goal}`);
      expect((await send(a, b)).statusCode).toBe(403);
    });

    it.each([
      ['active', 201],
      ['paused', 201],
      ['pending', 403],
      ['ended', 403],
    ] as const)('an accountability partnership that is %s → %i', async (status, expected) => {
      const [a, b] = [await makeUser(t.ctx), await makeUser(t.ctx)];
      await makePartners(b, a, status);
      expect(await profileFlag(a, b)).toBe(expected === 201);
      expect((await send(a, b)).statusCode).toBe(expected);
    });

    it('never past no_one, and never when blocked', async () => {
      const [a, b, c] = [await makeUser(t.ctx), await makeUser(t.ctx), await makeUser(t.ctx)];
      await makeGoalWith(t.ctx, 'fitness', [a, b, c]);
      await makePartners(a, b, 'active');
      await setFriendRequestAudience(t.ctx, b, 'no_one');
      expect((await send(a, b)).statusCode).toBe(403);
      await makeBlock(t.ctx, c, a);
      expect((await send(a, c)).statusCode).toBe(404);
    });
  });

  describe('can_send_friend_request agrees with POST /friends/requests', () => {
    it('on the profile, for a matrix of relationships and settings: true exactly when the POST creates a pending request', async () => {
      type Setup = (viewer: TestUser, target: TestUser) => Promise<void>;
      const mutual: Setup = async (v, x) => {
        const m = await makeUser(t.ctx);
        await makeFriends(t.ctx, v, m);
        await makeFriends(t.ctx, m, x);
      };
      const audience = (a: 'everyone' | 'friends_of_friends' | 'no_one'): Setup => (_v, x) => setFriendRequestAudience(t.ctx, x, a);
      const cases: Array<[string, Setup[], boolean]> = [
        ['a stranger, defaults', [], false],
        ['a stranger who accepts everyone', [audience('everyone')], true],
        ['a stranger who accepts no one', [audience('no_one')], false],
        ['a friend of a friend', [mutual], true],
        ['a friend of a friend who accepts no one', [mutual, audience('no_one')], false],
        ['a fellow group-goal participant', [async (v, x) => void (await makeGoalWith(t.ctx, 'travel', [v, x]))], true],
        ['a partner (active)', [(v, x) => makePartners(v, x, 'active')], true],
        ['a partner (pending)', [(v, x) => makePartners(v, x, 'pending')], false],
        ['a friend', [(v, x) => makeFriends(t.ctx, v, x)], false],
        ['someone the viewer already asked', [audience('everyone'), async (v, x) => void (await makePendingRequest(t.ctx, v, x))], false],
        ['someone who asked the viewer', [audience('everyone'), async (v, x) => void (await makePendingRequest(t.ctx, x, v))], false],
        ['someone the viewer blocked', [audience('everyone'), (v, x) => makeBlock(t.ctx, v, x)], false],
        ['someone who blocked the viewer', [audience('everyone'), (v, x) => makeBlock(t.ctx, x, v)], false],
      ];
      for (const [name, setups, expected] of cases) {
        const [viewer, target] = [await makeUser(t.ctx), await makeUser(t.ctx)];
        for (const setup of setups) await setup(viewer, target);
        const flag = (await profileFlag(viewer, target)) ?? false;
        const res = await send(viewer, target);
        const created = res.statusCode === 201 && res.json().status === 'pending';
        expect({ name, flag, created }).toEqual({ name, flag: expected, created: expected });
      }
      // The caller's own profile.
      const me = await makeUser(t.ctx);
      expect(await profileFlag(me, me)).toBe(false);
    });

    it('on every card type (search, suggestions, a friend’s friends, own friends, both request lists) the flag is the endpoint’s answer', async () => {
      const tag = `Qvx${Date.now().toString(36)}`;
      const named = (n: string) => makeUser(t.ctx, { fullName: `${tag} ${n}` });
      const viewer = await named('Viewer');
      const hub = await named('Hub');
      await makeFriends(t.ctx, viewer, hub);
      const fof = await named('Fof'); // a friend of the hub: mutual friend → true
      const fofNoOne = await named('FofNoOne'); // → false (no_one)
      const asked = await named('Asked'); // the viewer asked them → false
      const asker = await named('Asker'); // they asked the viewer → false
      const friend = await named('Friend'); // also the viewer's friend → false
      const teammate = await named('Teammate'); // a group goal with the viewer → true
      for (const u of [fof, fofNoOne, asked, asker, friend]) await makeFriends(t.ctx, hub, u);
      await makeFriends(t.ctx, viewer, friend);
      await setFriendRequestAudience(t.ctx, fofNoOne, 'no_one');
      await makePendingRequest(t.ctx, viewer, asked);
      await makePendingRequest(t.ctx, asker, viewer);
      await makeGoalWith(t.ctx, 'music', [viewer, teammate]);
      const expected = new Map<string, boolean>([
        [hub.id, false], [fof.id, true], [fofNoOne.id, false], [asked.id, false], [asker.id, false], [friend.id, false], [teammate.id, true],
      ]);

      // Every card the viewer is shown, by where it came from.
      const seen: Array<[string, string, boolean]> = [];
      const collect = (source: string, cards: Array<{ id: string; can_send_friend_request: boolean }>) => {
        for (const c of cards) seen.push([source, c.id, c.can_send_friend_request]);
      };
      const search = await http.get(`/api/v1/friends/search?q=${tag}&limit=50`, viewer);
      expect(search.statusCode).toBe(200);
      collect('search', search.json().users);
      await t.ctx.services.friends.recomputeSuggestions(viewer.id);
      const suggestions = await http.get('/api/v1/friends/suggestions?limit=50', viewer);
      collect('suggestions', suggestions.json().suggestions.map((s: { user: { id: string; can_send_friend_request: boolean } }) => s.user));
      const hubFriends = await http.get(`/api/v1/users/${hub.id}/friends?limit=50`, viewer);
      expect(hubFriends.statusCode).toBe(200);
      collect('friends of hub', hubFriends.json().friends);
      collect('own friends', (await http.get('/api/v1/friends?limit=50', viewer)).json().friends);
      collect('received', (await http.get('/api/v1/friends/requests', viewer)).json().requests.map((r: { user: never }) => r.user));
      collect('sent', (await http.get('/api/v1/friends/requests?direction=sent', viewer)).json().requests.map((r: { user: never }) => r.user));
      for (const u of [hub, fof, fofNoOne, asked, asker, friend, teammate]) {
        collect('profile', [{ id: u.id, can_send_friend_request: (await profileFlag(viewer, u))! }]);
      }

      const sources = new Set(seen.map(([s]) => s));
      expect([...sources].sort()).toEqual(['friends of hub', 'own friends', 'profile', 'received', 'search', 'sent', 'suggestions']);
      for (const [source, id, flag] of seen) {
        if (!expected.has(id)) continue;
        expect({ source, id, flag }).toEqual({ source, id, flag: expected.get(id) });
      }
      expect(seen.filter(([s, id]) => s === 'suggestions' && id === teammate.id)).toHaveLength(1);
      expect(seen.filter(([s, id]) => s === 'friends of hub' && id === fof.id)).toHaveLength(1);

      // And the endpoint answers exactly what the cards said.
      for (const [id, flag] of expected) {
        const res = await http.post('/api/v1/friends/requests', viewer, { user_id: id });
        expect({ id, created: res.statusCode === 201 && res.json().status === 'pending' }).toEqual({ id, created: flag });
      }
    });
  });
});
