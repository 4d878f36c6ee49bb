import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeFriends, makeUser, type TestUser } from '../../../test/factories.js';
import { requestFriendship, setFriendRequestAudience } from '../../../test/friends-helpers.js';
import { createTestApp, type TestApp } from '../../../test/harness.js';
import { FakeClock } from '../../infra/clock/clock.js';
import { http, makePost, NO_RATE_LIMITS } from '../posts/posts.test-helpers.js';
import { FRIENDS_INBOX_DAYS, FRIENDS_INBOX_KEEP_DAYS } from './friends-inbox.sql.js';
import { countNotVisible, deactivate, insertPost } from './memories-feed.test-helpers.js';

const DAY_S = 86_400;
const clock = new FakeClock('2026-03-01T12:00:00Z');
let t: TestApp;
const { get, post, put, del } = http(() => t);

beforeAll(async () => {
  t = await createTestApp({ clock, env: NO_RATE_LIMITS });
});
afterAll(async () => t.close());

interface FeedJson {
  posts: Array<{ id: string }>;
  pagination: { has_more: boolean; next_cursor: string | null };
}

async function ids(who: TestUser, query = ''): Promise<string[]> {
  const res = await get(`/api/v1/feed${query}`, who);
  expect(res.statusCode, res.body).toBe(200);
  return res.json<FeedJson>().posts.map((p) => p.id);
}

/** Every page by cursor, `limit` at a time. */
async function allPages(who: TestUser, limit: number): Promise<string[]> {
  const seen: string[] = [];
  let cursor: string | null = null;
  do {
    const res = await get(`/api/v1/feed?limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`, who);
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json<FeedJson>();
    seen.push(...body.posts.map((p) => p.id));
    cursor = body.pagination.next_cursor;
  } while (cursor);
  return seen;
}

async function inboxRows(reader: TestUser, author?: TestUser): Promise<number> {
  const result = (await t.ctx.database.db.execute(
    sql`select count(*)::int as n from friends_inbox where user_id = ${reader.id} ${author ? sql`and author_id = ${author.id}` : sql``}`,
  )) as unknown as { rows: Array<{ n: number }> };
  return Number(result.rows[0]?.n ?? 0);
}

describe('friends inbox (fan-out on write) through the API', () => {
  it('a new post reaches every friend (both directions of the pair), not strangers; the author reads their own from posts', async () => {
    const [author, f1, f2, stranger] = [await makeUser(t.ctx), await makeUser(t.ctx), await makeUser(t.ctx), await makeUser(t.ctx)];
    await makeFriends(t.ctx, author, f1);
    await makeFriends(t.ctx, f2, author);
    const id = await makePost(t.ctx, author, { visibility: 'friends' });
    await t.ctx.bus.drain();
    expect(await inboxRows(f1, author)).toBe(1);
    expect(await inboxRows(f2, author)).toBe(1);
    expect(await inboxRows(stranger)).toBe(0);
    expect(await inboxRows(author)).toBe(0);
    expect(await ids(f1)).toEqual([id]);
    expect(await ids(f2)).toEqual([id]);
    expect(await ids(author)).toEqual([id]);
    expect(await ids(stranger)).toEqual([]);
  });

  it('accepting a friend request backfills both inboxes with the window of posts, not older ones', async () => {
    const [a, b] = [await makeUser(t.ctx), await makeUser(t.ctx)];
    const old = await insertPost(t.ctx, a, clock.now(), { visibility: 'public', ageSeconds: (FRIENDS_INBOX_KEEP_DAYS + 2) * DAY_S });
    const recentA = await insertPost(t.ctx, a, clock.now(), { visibility: 'friends', ageSeconds: 3 * DAY_S });
    const recentB = await insertPost(t.ctx, b, clock.now(), { visibility: 'public', ageSeconds: 60 });
    await setFriendRequestAudience(t.ctx, b, 'everyone');
    const requestId = await requestFriendship(t, a, b);
    const res = await put(`/api/v1/friends/requests/${requestId}/accept`, {}, b);
    expect(res.statusCode, res.body).toBe(200);
    await t.ctx.bus.drain();
    expect(await inboxRows(b, a)).toBe(1); // recentA; `old` is past the window
    expect(await inboxRows(a, b)).toBe(1);
    // The older post is still on b's feed: pages past the horizon read posts directly.
    expect(await allPages(b, 1)).toEqual([recentB, recentA, old]);
    expect(await ids(a)).toEqual([recentB, recentA, old]);
  });

  it('unfriending and blocking remove the pair from both inboxes and from both feeds', async () => {
    const [a, b, c] = [await makeUser(t.ctx), await makeUser(t.ctx), await makeUser(t.ctx)];
    await makeFriends(t.ctx, a, b);
    await makeFriends(t.ctx, a, c);
    const fromB = await makePost(t.ctx, b, { visibility: 'public' });
    clock.advance(1000);
    const fromC = await makePost(t.ctx, c, { visibility: 'public' });
    clock.advance(1000);
    const fromA = await makePost(t.ctx, a, { visibility: 'friends' });
    await t.ctx.bus.drain();
    expect(await ids(a)).toEqual([fromA, fromC, fromB]);

    expect((await del(`/api/v1/friends/${b.id}`, a)).statusCode).toBe(204);
    await t.ctx.bus.drain();
    expect(await inboxRows(a, b)).toBe(0);
    expect(await inboxRows(b, a)).toBe(0);
    expect(await ids(a)).toEqual([fromA, fromC]);
    expect(await ids(b)).toEqual([fromB]);

    const res = await post('/api/v1/settings/blocked-users', { user_id: a.id }, c);
    expect(res.statusCode, res.body).toBe(201);
    await t.ctx.bus.drain();
    expect(await inboxRows(a, c)).toBe(0);
    expect(await inboxRows(c, a)).toBe(0);
    expect(await ids(a)).toEqual([fromA]);
    expect(await ids(c)).toEqual([fromC]);

    // Friends again: the new friendship's backfill brings b's post back (its row takes the new friendship).
    await setFriendRequestAudience(t.ctx, a, 'everyone');
    const requestId = await requestFriendship(t, b, a);
    expect((await put(`/api/v1/friends/requests/${requestId}/accept`, {}, a)).statusCode).toBe(200);
    await t.ctx.bus.drain();
    expect(await inboxRows(a, b)).toBe(1);
    expect(await ids(a)).toEqual([fromA, fromB]);
    expect(await ids(b)).toEqual([fromA, fromB]);
  });

  it('re-checks every row on read: private, archived, deleted, deactivated author, friendship gone without an event', async () => {
    const [me, f1, f2, f3] = [await makeUser(t.ctx), await makeUser(t.ctx), await makeUser(t.ctx), await makeUser(t.ctx)];
    for (const f of [f1, f2, f3]) await makeFriends(t.ctx, me, f);
    clock.advance(1000);
    const madePrivate = await makePost(t.ctx, f1, { visibility: 'friends' });
    const archived = await makePost(t.ctx, f1, { visibility: 'public' });
    const deleted = await makePost(t.ctx, f1, { visibility: 'public' });
    const byDeactivated = await makePost(t.ctx, f2, { visibility: 'public' });
    const byExFriend = await makePost(t.ctx, f3, { visibility: 'public' });
    const kept = await makePost(t.ctx, f1, { visibility: 'friends' });
    await t.ctx.bus.drain();
    expect(await inboxRows(me)).toBe(6);

    expect((await put(`/api/v1/posts/${madePrivate}`, { visibility: 'private' }, f1)).statusCode).toBe(200);
    expect((await put(`/api/v1/posts/${archived}`, { is_archived: true }, f1)).statusCode).toBe(200);
    expect((await del(`/api/v1/posts/${deleted}`, f1)).statusCode).toBe(204);
    await deactivate(t.ctx, f2);
    await t.ctx.bus.drain();
    // The friendship row vanishes without the feed hearing of it (a lost event).
    await t.ctx.database.db.execute(sql`delete from friendships where (user_id = ${me.id} and friend_id = ${f3.id}) or (user_id = ${f3.id} and friend_id = ${me.id})`);

    const seen = await ids(me);
    expect(seen).toEqual([kept]);
    expect(seen).not.toContain(byDeactivated);
    expect(seen).not.toContain(byExFriend);
    expect(await countNotVisible(t.ctx, me.id, seen)).toBe(0);
  });
});

describe('the inbox horizon', () => {
  it('pages across the horizon by cursor and by page number with no duplicates and no gaps', async () => {
    const me = await makeUser(t.ctx);
    const friends = [await makeUser(t.ctx), await makeUser(t.ctx), await makeUser(t.ctx)];
    for (const f of friends) await makeFriends(t.ctx, me, f);
    const horizonAge = FRIENDS_INBOX_DAYS * DAY_S;
    // Ages straddling the horizon (some newer, some older, two exactly on it), oldest inserted first.
    const ages = [horizonAge + 3 * DAY_S, horizonAge + 60, horizonAge, horizonAge, horizonAge - 60, 2 * DAY_S, 3600, 60, 5];
    const expected: string[] = [];
    for (const [i, age] of ages.entries()) {
      const author = i % 4 === 3 ? me : friends[i % 3]!;
      expected.unshift(await insertPost(t.ctx, author, clock.now(), { visibility: 'friends', ageSeconds: age, micros: i }));
    }
    for (const limit of [1, 2, 3, 4, 20]) expect(await allPages(me, limit)).toEqual(expected);

    const byPage: string[] = [];
    for (let page = 1; page <= 5; page++) byPage.push(...(await ids(me, `?limit=2&page=${page}`)));
    expect(byPage).toEqual(expected);
  });

  it('the daily trim deletes only rows past the kept window; feeds read the same before and after', async () => {
    const me = await makeUser(t.ctx);
    const friend = await makeUser(t.ctx);
    await makeFriends(t.ctx, me, friend);
    const ancient = await insertPost(t.ctx, friend, clock.now(), { visibility: 'public', ageSeconds: (FRIENDS_INBOX_KEEP_DAYS + 1) * DAY_S });
    const pastHorizon = await insertPost(t.ctx, friend, clock.now(), { visibility: 'public', ageSeconds: FRIENDS_INBOX_DAYS * DAY_S + 3600 });
    const recent = await insertPost(t.ctx, friend, clock.now(), { visibility: 'public', ageSeconds: 3600 });
    expect(await inboxRows(me)).toBe(3); // fan-out does not look at the age of a post
    const before = await allPages(me, 2);
    expect(before).toEqual([recent, pastHorizon, ancient]);

    await t.ctx.services.friendsInbox.trim(clock.now());
    expect(await inboxRows(me)).toBe(2);
    expect(await allPages(me, 2)).toEqual(before);
  });
});
