import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countRows, makeBlock, makeFriends, makeUser, type TestUser } from '../../../test/factories.js';
import { httpOf, makePendingRequest, setUserFlags, type Http } from '../../../test/friends-helpers.js';
import { createTestApp, type TestApp } from '../../../test/harness.js';
import { adjacentTranspositions } from './friends.policy.js';

let t: TestApp;
let http: Http;

beforeAll(async () => {
  t = await createTestApp({ env: { RATE_LIMIT_READ_PER_MINUTE: '10000' } });
  http = httpOf(t);
});
afterAll(async () => t.close());

const search = (who: TestUser | undefined, query: string) => http.get(`/api/v1/friends/search${query}`, who);
const q = (text: string, extra = '') => `?q=${encodeURIComponent(text)}${extra}`;
const idsOf = (body: { users: Array<{ id: string }> }) => body.users.map((u) => u.id);

/** A surname no other test uses, so results are not crowded by other tests' users. */
/**
 * A random 10-letter word. Names in this file must not resemble each other: the search is fuzzy, so a
 * shared prefix (earlier "Zq" + hex) made unrelated test users similar enough to match now and then.
 */
const unique = () =>
  Array.from(randomBytes(10), (b) => String.fromCharCode(97 + (b % 26)))
    .join('')
    .replace(/^./, (c) => c.toUpperCase());

describe('GET /api/v1/friends/search', () => {
  it('matches full names case- and accent-insensitively: "clarie" finds "Clärie Gor"', async () => {
    const me = await makeUser(t.ctx);
    const clarie = await makeUser(t.ctx, { fullName: 'Clärie Gor' });
    for (const text of ['clarie', 'CLÄRIE', 'clarie gor', 'Gor']) {
      const res = await search(me, q(text));
      expect(res.statusCode).toBe(200);
      expect(idsOf(res.json()), text).toContain(clarie.id);
    }
  });

  it('tolerates typos, including swapped letters: "brain" finds "Brian"', async () => {
    const me = await makeUser(t.ctx);
    const brian = await makeUser(t.ctx, { fullName: `Brian ${unique()}` });
    expect(idsOf((await search(me, q('brain'))).json())).toContain(brian.id);
    expect(idsOf((await search(me, q('brian'))).json())).toContain(brian.id);
  });

  it('matches usernames too, by any part of them', async () => {
    const me = await makeUser(t.ctx);
    const tag = unique().toLowerCase();
    const target = await makeUser(t.ctx, { username: `cedric_${tag}`, fullName: 'Someone Else' });
    expect(idsOf((await search(me, q(`CEDRIC_${tag}`))).json())).toEqual([target.id]);
    expect(idsOf((await search(me, q(tag))).json())).toEqual([target.id]);
  });

  it('orders by relevance: the exact name, then a longer name, then a typo', async () => {
    const me = await makeUser(t.ctx);
    const word = `marl${randomBytes(2).toString('hex').replace(/[0-9]/g, 'x')}ow`;
    const typo = word.slice(0, 1) + word[2] + word[1] + word.slice(3);
    const exact = await makeUser(t.ctx, { fullName: `${word} Exact` });
    const longer = await makeUser(t.ctx, { fullName: `${word}e Longer` });
    const misspelt = await makeUser(t.ctx, { fullName: `${typo} Typo` });
    expect(idsOf((await search(me, q(word))).json())).toEqual([exact.id, longer.id, misspelt.id]);
  });

  it('gives each user’s friendship_status and mutual_friends_count from the caller’s side', async () => {
    const me = await makeUser(t.ctx);
    const name = unique();
    const [none, sent, received, friend, mutual] = [
      await makeUser(t.ctx, { fullName: `None ${name}` }),
      await makeUser(t.ctx, { fullName: `Sent ${name}` }),
      await makeUser(t.ctx, { fullName: `Received ${name}` }),
      await makeUser(t.ctx, { fullName: `Friend ${name}` }),
      await makeUser(t.ctx),
    ];
    await makePendingRequest(t.ctx, me, sent);
    await makePendingRequest(t.ctx, received, me);
    await makeFriends(t.ctx, friend, me);
    await makeFriends(t.ctx, me, mutual);
    await makeFriends(t.ctx, none, mutual);
    const res = await search(me, q(name));
    expect(res.statusCode).toBe(200);
    const byId = new Map(res.json().users.map((u: { id: string }) => [u.id, u]));
    expect(byId.get(none.id)).toEqual({
      id: none.id,
      username: none.username,
      full_name: `None ${name}`,
      profile_image_url: null,
      friendship_status: 'none',
      mutual_friends_count: 1,
      can_send_friend_request: true,
    });
    expect(byId.get(sent.id)).toMatchObject({ friendship_status: 'pending_sent' });
    expect(byId.get(received.id)).toMatchObject({ friendship_status: 'pending_received' });
    expect(byId.get(friend.id)).toMatchObject({ friendship_status: 'friends' });
    expect(res.json().pagination).toEqual({ page: 1, limit: 20, total: 4, total_pages: 1 });
  });

  it('leaves out the caller, users blocked either way, deactivated users, and opted-out users who are not friends', async () => {
    const name = unique();
    const me = await makeUser(t.ctx, { fullName: `Me ${name}` });
    const [blockedByMe, blockerOfMe, gone, optedOut, optedOutFriend, optedOutPending, visible] = [
      await makeUser(t.ctx, { fullName: `Blocked ${name}` }),
      await makeUser(t.ctx, { fullName: `Blocker ${name}` }),
      await makeUser(t.ctx, { fullName: `Gone ${name}` }),
      await makeUser(t.ctx, { fullName: `Hidden ${name}` }),
      await makeUser(t.ctx, { fullName: `Hidden Friend ${name}` }),
      await makeUser(t.ctx, { fullName: `Hidden Pending ${name}` }),
      await makeUser(t.ctx, { fullName: `Visible ${name}` }),
    ];
    await makeBlock(t.ctx, me, blockedByMe);
    await makeBlock(t.ctx, blockerOfMe, me);
    await t.ctx.services.users.deactivate(gone.id);
    for (const u of [optedOut, optedOutFriend, optedOutPending]) await setUserFlags(t.ctx, u, { appearInSuggestions: false });
    await makeFriends(t.ctx, me, optedOutFriend);
    await makePendingRequest(t.ctx, optedOutPending, me);
    const body = (await search(me, q(name))).json();
    expect(idsOf(body).sort()).toEqual([optedOutFriend.id, visible.id].sort());
    expect(body.pagination.total).toBe(2);
    // Blocks hide both sides from each other.
    expect(idsOf((await search(blockedByMe, q(name))).json())).not.toContain(me.id);
    expect(idsOf((await search(blockerOfMe, q(`Me ${name}`))).json())).not.toContain(me.id);
  });

  it('pages results with page and limit', async () => {
    const me = await makeUser(t.ctx);
    const name = unique();
    for (let i = 0; i < 3; i++) await makeUser(t.ctx, { fullName: `P${i} ${name}` });
    const first = (await search(me, q(name, '&limit=2'))).json();
    expect(first.pagination).toEqual({ page: 1, limit: 2, total: 3, total_pages: 2 });
    const second = (await search(me, q(name, '&limit=2&page=2'))).json();
    expect(new Set([...idsOf(first), ...idsOf(second)]).size).toBe(3);
  });

  it('treats LIKE wildcards, quotes and backslashes in the query as plain text', async () => {
    const me = await makeUser(t.ctx);
    const name = unique();
    const percent = await makeUser(t.ctx, { fullName: `Pct 100% ${name}` });
    expect(idsOf((await search(me, q(`100% ${name}`))).json())).toEqual([percent.id]);
    const everyone = await countRows(t.ctx, 'users');
    for (const text of ['%', '%%', "o'brien", '\\', '.*']) {
      const res = await search(me, q(text));
      expect(res.statusCode, text).toBe(200);
      expect(res.json().pagination.total, text).toBeLessThan(everyone - 1);
    }
  });

  it.each([
    ['no q', '', 'q'],
    ['an empty q', '?q=', 'q'],
    ['a blank q', `?q=${encodeURIComponent('   ')}`, 'q'],
    ['a q over 100 characters', q('x'.repeat(101)), 'q'],
    ['limit 101', q('brian', '&limit=101'), 'limit'],
  ])('with %s → 422 naming the field, nothing written', async (_case, query, field) => {
    const me = await makeUser(t.ctx);
    const before = await countRows(t.ctx, 'friendships');
    const res = await search(me, query);
    expect(res.statusCode).toBe(422);
    expect(res.json().error.details.map((d: { field: string }) => d.field)).toContain(field);
    expect(await countRows(t.ctx, 'friendships')).toBe(before);
  });

  it('without a token → 401', async () => {
    expect((await search(undefined, q('brian'))).statusCode).toBe(401);
  });
});

describe('adjacentTranspositions', () => {
  it('swaps each pair of neighbouring letters once, skipping spaces, doubles and very short or long queries', () => {
    expect(adjacentTranspositions('brain').sort()).toEqual(['barin', 'brani', 'brian', 'rbain'].sort());
    expect(adjacentTranspositions('ann')).toEqual(['nan']);
    expect(adjacentTranspositions('a b')).toEqual([]);
    expect(adjacentTranspositions('ab')).toEqual([]);
    expect(adjacentTranspositions('x'.repeat(25))).toEqual([]);
  });
});
