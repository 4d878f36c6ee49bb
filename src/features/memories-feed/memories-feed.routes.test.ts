import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeBlock, makeFriends, makeUser, setProfileVisibility, type TestUser } from '../../../test/factories.js';
import { createTestApp, type TestApp } from '../../../test/harness.js';
import { FakeClock } from '../../infra/clock/clock.js';
import { encodeCursor } from '../../lib/cursor.js';
import { createGoal, makePartnershipRowOnly, NO_RATE_LIMITS } from '../goals/goals.test-helpers.js';
import { http } from '../../../test/http.js';
import { countNotVisible, deactivate, insertPost, joinGoal, likePost, type PostSeed } from './memories-feed.test-helpers.js';

const clock = new FakeClock('2026-03-01T12:00:00Z');
let t: TestApp;
const { get } = http(() => t);

beforeAll(async () => {
  t = await createTestApp({ clock, env: NO_RATE_LIMITS });
});
afterAll(async () => t.close());

interface PostJson {
  id: string;
  user: { id: string; username: string; full_name: string; profile_image_url: string | null };
  caption: string | null;
  media_url: string | null;
  media_thumbnail_url: string | null;
  post_type: string;
  goal: { id: string; title: string } | null;
  visibility: string;
  likes_count: number;
  comments_count: number;
  is_liked_by_me: boolean;
  time_ago: string;
  created_at: string;
}
interface FeedJson {
  posts: PostJson[];
  pagination: { page?: number; limit: number; has_more: boolean; next_cursor: string | null };
}

const post = (author: TestUser, seed: PostSeed = {}) => insertPost(t.ctx, author, clock.now(), seed);
async function feed(who: TestUser, query = ''): Promise<FeedJson> {
  const res = await get(`/api/v1/feed${query}`, who);
  expect(res.statusCode, res.body).toBe(200);
  return res.json<FeedJson>();
}
const ids = async (who: TestUser, query = '') => (await feed(who, query)).posts.map((p) => p.id);

describe('GET /api/v1/feed — friends (the default)', () => {
  it('shows the caller’s own posts and friends’ posts they may see, newest first, with author, goal and like state', async () => {
    const me = await makeUser(t.ctx, { fullName: 'Mia Me' });
    const friend = await makeUser(t.ctx, { fullName: 'Fred Friend' });
    const reverseFriend = await makeUser(t.ctx); // the pair row in the other direction
    const stranger = await makeUser(t.ctx);
    await makeFriends(t.ctx, me, friend);
    await makeFriends(t.ctx, reverseFriend, me);
    const goal = await createGoal(t, friend, { title: 'Run a 5K', is_public: true });

    const mine = await post(me, { visibility: 'private', ageSeconds: 10 });
    const friendsPost = await post(friend, { visibility: 'friends', ageSeconds: 20, goalId: goal.id, likes: 3, comments: 1, caption: 'First run' });
    const reversePublic = await post(reverseFriend, { visibility: 'public', ageSeconds: 7200 });
    await post(friend, { visibility: 'private', ageSeconds: 5 });
    await post(friend, { visibility: 'friends', ageSeconds: 6, archived: true });
    await post(stranger, { visibility: 'public', ageSeconds: 1 });
    await likePost(t.ctx, me, friendsPost);

    const body = await feed(me);
    expect(body.posts.map((p) => p.id)).toEqual([mine, friendsPost, reversePublic]);
    expect(body.posts[1]).toEqual({
      id: friendsPost,
      user: { id: friend.id, username: friend.username, full_name: 'Fred Friend', profile_image_url: null },
      caption: 'First run',
      media_url: 'https://cdn.test/p.jpg',
      media_thumbnail_url: 'https://cdn.test/p_thumb.jpg',
      post_type: 'photo',
      goal: { id: goal.id, title: 'Run a 5K' },
      visibility: 'friends',
      likes_count: 3,
      comments_count: 1,
      is_liked_by_me: true,
      time_ago: 'just now',
      created_at: new Date(clock.now().getTime() - 20_000).toISOString(),
    });
    expect(body.posts[0]?.is_liked_by_me).toBe(false);
    expect(body.posts[0]?.goal).toBeNull();
    expect(body.posts[2]?.time_ago).toBe('2 hours ago');
    expect(body.pagination).toEqual({ limit: 20, has_more: false, next_cursor: null });
    // The explicit feed_type gives the same page; the friend sees the posts of `me` they may see.
    expect(await ids(me, '?feed_type=friends')).toEqual([mine, friendsPost, reversePublic]);
    expect(await countNotVisible(t.ctx, me.id, body.posts.map((p) => p.id))).toBe(0);
    expect(await ids(friend)).not.toContain(mine);
  });

  it('names a post’s goal only to viewers who may see that goal (post page, profile and every feed)', async () => {
    const me = await makeUser(t.ctx);
    const friend = await makeUser(t.ctx);
    const stranger = await makeUser(t.ctx);
    await makeFriends(t.ctx, me, friend);
    const privateGoal = await createGoal(t, friend, { title: 'Secret plan', is_public: false });
    const publicGoal = await createGoal(t, friend, { title: 'Open plan', is_public: true });
    const onPrivate = await post(friend, { visibility: 'public', ageSeconds: 10, goalId: privateGoal.id });
    const onPublic = await post(friend, { visibility: 'public', ageSeconds: 20, goalId: publicGoal.id });
    const goalOf = (body: { posts: PostJson[] }, id: string) => body.posts.find((p) => p.id === id)?.goal;

    // The creator sees both goals; a friend only the public one; a stranger neither (the friend's
    // profile is visible to friends only by default, and the public goal is for friends then).
    expect(goalOf(await feed(friend), onPrivate)).toEqual({ id: privateGoal.id, title: 'Secret plan' });
    const mine = await feed(me);
    expect([goalOf(mine, onPrivate), goalOf(mine, onPublic)]).toEqual([null, { id: publicGoal.id, title: 'Open plan' }]);
    expect((await get(`/api/v1/posts/${onPrivate}`, me)).json().goal).toBeNull();
    expect((await get(`/api/v1/posts/${onPublic}`, me)).json().goal).toEqual({ id: publicGoal.id, title: 'Open plan' });
    const profile = (await get(`/api/v1/users/${friend.id}/posts`, me)).json<{ posts: PostJson[] }>();
    expect(goalOf(profile, onPrivate)).toBeNull();
    const discover = await feed(stranger, '?feed_type=discover');
    expect(discover.posts.map((p) => p.id)).toEqual(expect.arrayContaining([onPrivate, onPublic]));
    expect([goalOf(discover, onPrivate), goalOf(discover, onPublic)]).toEqual([null, null]);
    expect(JSON.stringify(discover)).not.toContain('Secret plan');
  });

  it('hides blocked friends (either way) and deactivated friends; a stranger sees nothing of them', async () => {
    const me = await makeUser(t.ctx);
    const blockedByMe = await makeUser(t.ctx);
    const blockedMe = await makeUser(t.ctx);
    const gone = await makeUser(t.ctx);
    for (const u of [blockedByMe, blockedMe, gone]) await makeFriends(t.ctx, me, u);
    // Through the blocks service, as the API does: a block also ends the friendship.
    await t.ctx.services.blocks.block(me.id, blockedByMe.id, null);
    await t.ctx.services.blocks.block(blockedMe.id, me.id, null);
    await t.ctx.bus.drain();
    for (const u of [blockedByMe, blockedMe, gone]) await post(u, { visibility: 'public', ageSeconds: 30 });
    await deactivate(t.ctx, gone);
    const own = await post(me, { ageSeconds: 40 });
    expect(await ids(me)).toEqual([own]);
    expect(await countNotVisible(t.ctx, me.id, await ids(me))).toBe(0);
    const stranger = await makeUser(t.ctx);
    expect(await ids(stranger)).toEqual([]);
  });

  it('pages by cursor with no duplicates and no gaps while newer posts arrive (ties within a millisecond included)', async () => {
    const me = await makeUser(t.ctx);
    const a = await makeUser(t.ctx);
    const b = await makeUser(t.ctx);
    await makeFriends(t.ctx, me, a);
    await makeFriends(t.ctx, b, me);
    const expected: string[] = [];
    for (let i = 0; i < 25; i++) {
      // Pairs of posts share the same millisecond (differ in microseconds or not at all).
      const author = i % 2 === 0 ? a : b;
      expected.push(await post(author, { ageSeconds: 100 + Math.floor(i / 2), visibility: 'public' }));
    }
    const page1 = await feed(me, '?limit=10');
    expect(page1.posts).toHaveLength(10);
    expect(page1.pagination.has_more).toBe(true);
    expect(page1.pagination.next_cursor).toEqual(expect.any(String));

    // New posts arrive between pages; they must not shift what follows.
    for (let i = 0; i < 5; i++) await post(i % 2 ? a : b, { ageSeconds: i, visibility: 'friends' });

    const page2 = await feed(me, `?limit=10&cursor=${page1.pagination.next_cursor}`);
    const page3 = await feed(me, `?limit=10&cursor=${page2.pagination.next_cursor}`);
    expect(page3.pagination).toEqual({ limit: 10, has_more: false, next_cursor: null });
    const seen = [...page1.posts, ...page2.posts, ...page3.posts].map((p) => p.id);
    expect(seen).toHaveLength(25);
    expect(new Set(seen)).toEqual(new Set(expected));
    const order = [...page1.posts, ...page2.posts, ...page3.posts].map((p) => `${p.created_at}|${p.id}`);
    expect(order).toEqual([...order].sort().reverse());
  });

  it('keeps microsecond precision in the cursor (rows inside one millisecond are neither skipped nor repeated)', async () => {
    const me = await makeUser(t.ctx);
    const created: string[] = [];
    for (let i = 0; i < 6; i++) created.push(await post(me, { ageSeconds: 50, micros: 100 * i }));
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: FeedJson = await feed(me, `?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      seen.push(...page.posts.map((p) => p.id));
      cursor = page.pagination.next_cursor;
    } while (cursor);
    expect(seen).toEqual([...created].reverse());
  });

  it('accepts page-based paging and reports the page', async () => {
    const me = await makeUser(t.ctx);
    const created: string[] = [];
    for (let i = 0; i < 5; i++) created.push(await post(me, { ageSeconds: 10 * (5 - i) }));
    const page2 = await feed(me, '?page=2&limit=2');
    expect(page2.posts.map((p) => p.id)).toEqual([created[2], created[1]]);
    expect(page2.pagination).toMatchObject({ page: 2, limit: 2, has_more: true });
    const page3 = await feed(me, '?page=3&limit=2');
    expect(page3.posts.map((p) => p.id)).toEqual([created[0]]);
    expect(page3.pagination).toEqual({ page: 3, limit: 2, has_more: false, next_cursor: null });
  });
});

describe('GET /api/v1/feed?feed_type=following', () => {
  it('shows posts of active/paused partners and of active co-participants that the caller may see', async () => {
    const me = await makeUser(t.ctx);
    const partner = await makeUser(t.ctx);
    const pausedPartner = await makeUser(t.ctx);
    const pendingPartner = await makeUser(t.ctx);
    const endedPartner = await makeUser(t.ctx);
    const coParticipant = await makeUser(t.ctx);
    const leftParticipant = await makeUser(t.ctx);
    const friendOnly = await makeUser(t.ctx);
    // Partners who are not friends: what partnership alone puts in the following feed.
    await makePartnershipRowOnly(t.ctx, me, partner, 'active');
    await makePartnershipRowOnly(t.ctx, pausedPartner, me, 'paused');
    await makePartnershipRowOnly(t.ctx, me, pendingPartner, 'pending');
    await makePartnershipRowOnly(t.ctx, endedPartner, me, 'ended');
    await makeFriends(t.ctx, me, friendOnly);
    await makeFriends(t.ctx, me, coParticipant);
    const goal = await createGoal(t, me, { title: 'Group goal', is_public: true });
    await joinGoal(t.ctx, coParticipant, goal.id);
    await joinGoal(t.ctx, leftParticipant, goal.id, true);

    const p1 = await post(partner, { visibility: 'public', ageSeconds: 1 });
    await post(partner, { visibility: 'friends', ageSeconds: 2 }); // not friends: hidden
    await post(partner, { visibility: 'public', ageSeconds: 3, archived: true });
    const p2 = await post(pausedPartner, { visibility: 'public', ageSeconds: 4 });
    const p3 = await post(coParticipant, { visibility: 'friends', ageSeconds: 5 }); // a friend too: visible
    await post(coParticipant, { visibility: 'private', ageSeconds: 6 });
    for (const u of [pendingPartner, endedPartner, leftParticipant, friendOnly]) await post(u, { visibility: 'public', ageSeconds: 7 });
    await post(me, { visibility: 'public', ageSeconds: 8 });

    expect(await ids(me, '?feed_type=following')).toEqual([p1, p2, p3]);

    await makeBlock(t.ctx, partner, me);
    expect(await ids(me, '?feed_type=following')).toEqual([p2, p3]);

    const page1 = await feed(me, '?feed_type=following&limit=1');
    const page2 = await feed(me, `?feed_type=following&limit=1&cursor=${page1.pagination.next_cursor}`);
    expect([...page1.posts, ...page2.posts].map((p) => p.id)).toEqual([p2, p3]);
    expect(page2.pagination.has_more).toBe(false);
  });
});

describe('GET /api/v1/feed?feed_type=discover', () => {
  it('ranks recent public posts of non-friends by engagement, excluding friends, blocks, private profiles, deactivated and old posts', async () => {
    const me = await makeUser(t.ctx);
    const popular = await makeUser(t.ctx);
    const quiet = await makeUser(t.ctx);
    const friend = await makeUser(t.ctx);
    const blocked = await makeUser(t.ctx);
    const privateProfile = await makeUser(t.ctx);
    const gone = await makeUser(t.ctx);
    await makeFriends(t.ctx, friend, me);
    await makeBlock(t.ctx, me, blocked);
    await setProfileVisibility(t.ctx, privateProfile, 'private');

    const hot = await post(popular, { visibility: 'public', ageSeconds: 3600, likes: 50, comments: 10 });
    const fresh = await post(quiet, { visibility: 'public', ageSeconds: 60 });
    // (1 + 1) / (2 h + 2)^1.5 = 0.25 ranks below fresh: 1 / (1 min + 2 h)^1.5 ≈ 0.35; hot: 71 / 3^1.5 ≈ 13.7
    const warm = await post(quiet, { visibility: 'public', ageSeconds: 7200, likes: 1 });
    const excluded = [
      await post(popular, { visibility: 'friends', ageSeconds: 10, likes: 100 }),
      await post(popular, { visibility: 'public', ageSeconds: 8 * 86400, likes: 1000 }),
      await post(popular, { visibility: 'public', ageSeconds: 20, likes: 1000, archived: true }),
      await post(me, { visibility: 'public', ageSeconds: 30, likes: 900 }),
    ];
    for (const u of [friend, blocked, privateProfile, gone]) excluded.push(await post(u, { visibility: 'public', ageSeconds: 30, likes: 500 }));
    await deactivate(t.ctx, gone);

    const all = await ids(me, '?feed_type=discover&limit=100');
    expect(all.length).toBeLessThan(100);
    // Other tests' public posts may appear too; ours must come in this order and nothing excluded may.
    const ours = all.filter((id) => [hot, fresh, warm].includes(id));
    expect(ours).toEqual([hot, fresh, warm]);
    expect(all.filter((id) => excluded.includes(id))).toEqual([]);
    expect(await countNotVisible(t.ctx, me.id, all)).toBe(0);

    const page1 = await feed(me, '?feed_type=discover&limit=3');
    expect(page1.pagination.has_more).toBe(true);
    // A post published after the first page does not shift the ranking of later pages.
    clock.advance(1000);
    await post(popular, { visibility: 'public', ageSeconds: 0, likes: 10_000 });
    const rest: string[] = [];
    let cursor = page1.pagination.next_cursor;
    while (cursor) {
      const page: FeedJson = await feed(me, `?feed_type=discover&limit=3&cursor=${cursor}`);
      rest.push(...page.posts.map((p) => p.id));
      cursor = page.pagination.next_cursor;
    }
    expect([...page1.posts.map((p) => p.id), ...rest]).toEqual(all);
  });
});

describe('GET /api/v1/feed — bad input and auth', () => {
  it('401 without a token', async () => {
    const res = await get('/api/v1/feed');
    expect(res.statusCode).toBe(401);
  });

  it.each([
    ['?feed_type=everything', 'feed_type'],
    ['?limit=101', 'limit'],
    ['?limit=0', 'limit'],
    ['?page=0', 'page'],
    ['?colour=blue', 'colour'],
  ])('%s → 422', async (query) => {
    const me = await makeUser(t.ctx);
    const res = await get(`/api/v1/feed${query}`, me);
    expect(res.statusCode, res.body).toBe(422);
  });

  it.each([
    ['garbage!', 'not base64url'],
    [Buffer.from('k:123:not-a-uuid').toString('base64url'), 'bad id'],
    [Buffer.from('hello').toString('base64url'), 'not a cursor'],
    [encodeCursor({ kind: 'offset', asOfMicros: '1', offset: 20 }), 'a discover cursor on the friends feed'],
  ])('malformed cursor %s (%s) → 422 invalid_cursor', async (cursor) => {
    const me = await makeUser(t.ctx);
    const res = await get(`/api/v1/feed?cursor=${encodeURIComponent(cursor)}`, me);
    expect(res.statusCode, res.body).toBe(422);
    expect(res.json()).toMatchObject({ error: { code: 'invalid_cursor', details: [{ field: 'cursor' }] } });
  });

  it('a keyset cursor on discover and cursor together with page → 422 invalid_cursor', async () => {
    const me = await makeUser(t.ctx);
    const keyset = encodeCursor({ kind: 'keyset', createdAtMicros: '1', id: '00000000-0000-4000-8000-000000000000' });
    for (const q of [`?feed_type=discover&cursor=${keyset}`, `?page=2&cursor=${keyset}`]) {
      const res = await get(`/api/v1/feed${q}`, me);
      expect(res.statusCode, res.body).toBe(422);
      expect(res.json().error.code).toBe('invalid_cursor');
    }
  });
});
