import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../test/harness.js';
import { queryRows } from '../../infra/db/rows.js';
import { StoriesRepo } from '../stories/stories.repo.js';
import { storyVisibleTo } from './story-visibility.sql.js';

/**
 * The story visibility rule exists once, as SQL (`storyVisibleTo`). This builds every kind of viewer
 * for a live story, an expired one and one of a deactivated author, and checks the predicate and the
 * stories repo's single-story load against the expected table.
 */
let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => t.close());

const exec = (q: ReturnType<typeof sql>) => t.ctx.database.db.execute(q);

async function user(): Promise<string> {
  const id = randomUUID();
  const name = `s_${id.slice(0, 8)}`;
  await exec(sql`insert into users (id, email, username, full_name, password_hash) values (${id}, ${`${name}@example.com`}, ${name}, ${name}, 'x')`);
  return id;
}
const friends = (a: string, b: string) => exec(sql`insert into friendships (user_id, friend_id, status) values (${a}, ${b}, 'accepted')`);
const block = (a: string, b: string) => exec(sql`insert into blocked_users (blocker_id, blocked_id) values (${a}, ${b})`);
async function story(author: string, expiresAt: Date): Promise<string> {
  const [row] = await queryRows<{ id: string }>(
    t.ctx.database.db,
    sql`insert into stories (user_id, media_url, media_type, expires_at) values (${author}, 'private/stories/x.jpg', 'image', ${expiresAt.toISOString()}::timestamptz) returning id`,
  );
  return row!.id;
}

type Viewer = 'author' | 'friend' | 'reverseFriend' | 'pendingFriend' | 'stranger' | 'blockedFriend' | 'blockingFriend';

describe('story visibility: storyVisibleTo decides every case, and the single-story load applies it', () => {
  for (const kind of ['live', 'expired', 'of a deactivated author'] as const) {
    it(`when the story is ${kind}`, async () => {
      const now = new Date();
      const author = await user();
      const viewers = { author } as Record<Viewer, string>;
      for (const v of ['friend', 'reverseFriend', 'pendingFriend', 'stranger', 'blockedFriend', 'blockingFriend'] as const) viewers[v] = await user();
      await friends(author, viewers.friend);
      await friends(viewers.reverseFriend, author);
      await exec(sql`insert into friendships (user_id, friend_id, status) values (${viewers.pendingFriend}, ${author}, 'pending')`);
      await friends(author, viewers.blockedFriend);
      await block(author, viewers.blockedFriend);
      await friends(viewers.blockingFriend, author);
      await block(viewers.blockingFriend, author);
      const storyId = await story(author, new Date(now.getTime() + (kind === 'expired' ? -1 : 1) * 60_000));
      if (kind === 'of a deactivated author') await exec(sql`update users set is_active = false, deactivated_at = now() where id = ${author}`);

      const repo = new StoriesRepo(t.ctx.database.db);
      const seen: Record<string, { sql: boolean; load: boolean }> = {};
      const expected: Record<string, { sql: boolean; load: boolean }> = {};
      for (const [name, id] of Object.entries(viewers) as Array<[Viewer, string]>) {
        const [row] = await queryRows<{ v: boolean }>(t.ctx.database.db, sql`select ${storyVisibleTo(id, now)} as v from stories s join users u on u.id = s.user_id where s.id = ${storyId}`);
        seen[name] = { sql: row!.v === true, load: (await repo.findVisible(id, storyId, now)) !== undefined };
        const visible = kind === 'live' && (name === 'author' || name === 'friend' || name === 'reverseFriend');
        expected[name] = { sql: visible, load: visible };
      }
      expect(seen).toEqual(expected);
    });
  }

  it('takes the viewer as a column too (one answer per viewer row)', async () => {
    const now = new Date();
    const [author, friend, stranger] = [await user(), await user(), await user()];
    await friends(author, friend);
    const storyId = await story(author, new Date(now.getTime() + 60_000));
    const rows = await queryRows<{ id: string; v: boolean }>(
      t.ctx.database.db,
      sql`select w.id::text as id, ${storyVisibleTo(sql`w.id`, now)} as v
        from stories s join users u on u.id = s.user_id cross join (values (${author}::uuid), (${friend}::uuid), (${stranger}::uuid)) as w(id) where s.id = ${storyId}`,
    );
    expect(Object.fromEntries(rows.map((r) => [r.id, r.v]))).toEqual({ [author]: true, [friend]: true, [stranger]: false });
  });

  it('refuses an alias that is not a plain identifier', () => {
    expect(() => storyVisibleTo('x', new Date(), 's; drop table stories')).toThrow();
  });
});
