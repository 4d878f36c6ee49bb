import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeUser, type TestUser } from '../../../test/factories.js';
import { createTestApp, type TestApp } from '../../../test/harness.js';
import { FakeClock } from '../../infra/clock/clock.js';
import { NO_RATE_LIMITS } from '../goals/goals.test-helpers.js';
import { http } from '../../../test/http.js';
import { FRIENDS_FEED_SCAN_MIN_AUTHORS } from './memories-feed.sql.js';
import { countNotVisible } from './memories-feed.test-helpers.js';

// The friends feed switches strategy at FRIENDS_FEED_SCAN_MIN_AUTHORS authors; the main route test
// covers the per-author branch, this file the newest-first walk (a viewer with many friends).
const clock = new FakeClock('2026-03-01T12:00:00Z');
let t: TestApp;
const { get } = http(() => t);

beforeAll(async () => {
  t = await createTestApp({ clock, env: NO_RATE_LIMITS });
});
afterAll(async () => t.close());

async function rows<T>(query: ReturnType<typeof sql>): Promise<T[]> {
  return ((await t.ctx.database.db.execute(query)) as unknown as { rows: T[] }).rows;
}

/** `count` users inserted in one statement (no argon2), each a friend of `viewer`. */
async function manyFriends(viewer: TestUser, count: number): Promise<string[]> {
  const tag = Math.random().toString(36).slice(2, 8);
  const ids = (
    await rows<{ id: string }>(sql`insert into users (email, username, password_hash, full_name)
      select 'mf' || ${tag} || i || '@example.com', 'mf_' || ${tag} || '_' || i, 'x', 'Many ' || i from generate_series(1, ${count}::int) i
      returning id`)
  ).map((r) => r.id);
  await t.ctx.database.db.execute(sql`insert into friendships (user_id, friend_id, status, accepted_at)
    select case when n % 2 = 0 then ${viewer.id}::uuid else u end, case when n % 2 = 0 then u else ${viewer.id}::uuid end, 'accepted', now()
    from unnest(${`{${ids.join(',')}}`}::uuid[]) with ordinality as x(u, n)`);
  return ids;
}

async function postAs(userId: string, ageSeconds: number, visibility = 'friends', archived = false): Promise<string> {
  const at = new Date(clock.now().getTime() - ageSeconds * 1000).toISOString();
  const [row] = await rows<{ id: string }>(sql`insert into posts (user_id, post_type, caption, visibility, is_archived, created_at)
    values (${userId}, 'text', 'hi', ${visibility}, ${archived}, ${at}::timestamptz) returning id`);
  await t.ctx.services.friendsInbox.postCreated(row!.id); // what the post.created subscription does
  return row!.id;
}

describe('friends feed of a viewer with many friends (the index walk)', () => {
  it('returns exactly the visible posts newest first, pages by cursor, and leaves out blocked, deactivated, private and archived', async () => {
    const me = await makeUser(t.ctx);
    const friends = await manyFriends(me, FRIENDS_FEED_SCAN_MIN_AUTHORS + 10);
    const stranger = await makeUser(t.ctx);
    const expected: string[] = [];
    for (let i = 0; i < 30; i++) expected.push(await postAs(friends[i % friends.length]!, 100 + i, i % 3 === 0 ? 'public' : 'friends'));
    expected.push(await postAs(me.id, 500, 'private'));
    await postAs(friends[1]!, 50, 'private');
    await postAs(friends[2]!, 51, 'friends', true);
    await postAs(stranger.id, 52, 'public');
    await postAs(friends[40]!, 53, 'public');
    await postAs(friends[41]!, 54, 'public');
    await t.ctx.database.db.execute(sql`update users set is_active = false where id = ${friends[40]!}`);
    const blocked = { id: friends[41]! } as TestUser;
    await t.ctx.services.blocks.block(me.id, blocked.id, null); // as the API does: it also ends the friendship
    await t.ctx.bus.drain();

    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const res = await get(`/api/v1/feed?limit=7${cursor ? `&cursor=${cursor}` : ''}`, me);
      expect(res.statusCode, res.body).toBe(200);
      const body = res.json<{ posts: Array<{ id: string }>; pagination: { next_cursor: string | null } }>();
      seen.push(...body.posts.map((p) => p.id));
      cursor = body.pagination.next_cursor;
      if (seen.length === 7) await postAs(friends[5]!, 0, 'public'); // arrives while paging
    } while (cursor);
    expect(seen).toEqual(expected);
    expect(await countNotVisible(t.ctx, me.id, seen)).toBe(0);
  });
});
