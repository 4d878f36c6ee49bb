import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeBlock, makeFriends, makeUser, type TestUser } from '../../../test/factories.js';
import { createTestApp, type TestApp } from '../../../test/harness.js';
import { mayViewPost, type PostAccessFacts } from '../posts/posts.policy.js';
import type { PostVisibility } from '../posts/posts.vocabulary.js';
import { PostReadsRepo } from '../posts/posts.reads.repo.js';
import { makePost, NO_RATE_LIMITS, one } from '../posts/posts.test-helpers.js';
import { queryRows } from '../../infra/db/rows.js';
import { postVisibleTo } from './post-visibility.sql.js';
import { accountActive, areFriends, blockedEitherWay } from './privacy.sql.js';

/**
 * Post visibility is decided in SQL (`postVisibleTo`); `mayViewPost` is its truth table. Every case
 * is checked three ways: the truth table over the facts read here, the SQL predicate, and the
 * single-post load's `visible` column (PostReadsRepo.findWithAccess, what every post use case gates on).
 */

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ env: NO_RATE_LIMITS });
});
afterAll(async () => t.close());

/** The inputs of the truth table for one viewer and post, each read by the part of the rule that decides it. */
async function factsOf(viewerId: string, postId: string): Promise<PostAccessFacts> {
  const author = sql.raw('p.user_id');
  const [row] = await queryRows<Record<string, unknown>>(
    t.ctx.database.db,
    sql`select p.user_id, p.is_archived, p.visibility,
        ${blockedEitherWay(viewerId, author)} as blocked, ${areFriends(viewerId, author)} as friends, ${accountActive(author)} as author_active
      from posts p where p.id = ${postId}`,
  );
  return {
    isAuthor: row!.user_id === viewerId,
    isArchived: row!.is_archived === true,
    visibility: row!.visibility as PostVisibility,
    friendOfAuthor: row!.friends === true,
    blockedWithAuthor: row!.blocked === true,
    authorActive: row!.author_active === true,
  };
}

describe('post visibility: the pure rule and its SQL twin agree', () => {
  it('on every viewer (author, friend, stranger, blocked either way) × visibility × archived', async () => {
    const author = await makeUser(t.ctx);
    const friend = await makeUser(t.ctx);
    const stranger = await makeUser(t.ctx);
    const blockedByAuthor = await makeUser(t.ctx);
    const blockerOfAuthor = await makeUser(t.ctx);
    const blockedFriend = await makeUser(t.ctx);
    const goneAuthor = await makeUser(t.ctx);
    await makeFriends(t.ctx, goneAuthor, friend);
    await makeFriends(t.ctx, author, friend);
    await makeFriends(t.ctx, author, blockedFriend);
    await makeBlock(t.ctx, author, blockedByAuthor);
    await makeBlock(t.ctx, blockerOfAuthor, author);
    await makeBlock(t.ctx, blockedFriend, author);
    const viewers: Array<[string, TestUser]> = [
      ['author', author],
      ['friend', friend],
      ['stranger', stranger],
      ['blocked by author', blockedByAuthor],
      ['blocker of author', blockerOfAuthor],
      ['blocked friend', blockedFriend],
    ];
    const repo = new PostReadsRepo(t.ctx.database.db);
    const expected: Record<string, boolean> = {};
    const seen: Record<string, boolean> = {};
    for (const visibility of ['public', 'friends', 'private'] as PostVisibility[]) {
      for (const archived of [false, true]) {
        const postId = await makePost(t.ctx, author, { visibility, archived });
        for (const [name, viewer] of viewers) {
          const key = `${name}/${visibility}/${archived ? 'archived' : 'live'}`;
          const found = await repo.findWithAccess(viewer.id, postId);
          const pure = mayViewPost(await factsOf(viewer.id, postId));
          const inSql = await one<boolean>(t.ctx, sql`select ${postVisibleTo(viewer.id, 'p')} as v from posts p where p.id = ${postId}`);
          expect(Boolean(inSql), key).toBe(pure);
          expect(found!.visible, key).toBe(pure);
          seen[key] = pure;
          const blocked = name.startsWith('block');
          expected[key] =
            name === 'author' || (!archived && !blocked && (visibility === 'public' || (visibility === 'friends' && name === 'friend')));
        }
      }
    }
    expect(seen).toEqual(expected);

    // A deactivated author's posts are visible to the author only (also on public posts, to friends).
    for (const visibility of ['public', 'friends'] as PostVisibility[]) {
      const postId = await makePost(t.ctx, goneAuthor, { visibility });
      await t.ctx.database.db.execute(sql`update users set is_active = false, deactivated_at = now() where id = ${goneAuthor.id}`);
      for (const viewer of [goneAuthor, friend, stranger]) {
        const found = await repo.findWithAccess(viewer.id, postId);
        const pure = mayViewPost(await factsOf(viewer.id, postId));
        const inSql = await one<boolean>(t.ctx, sql`select ${postVisibleTo(viewer.id, 'p')} as v from posts p where p.id = ${postId}`);
        expect(Boolean(inSql)).toBe(pure);
        expect(found!.visible).toBe(pure);
        expect(pure).toBe(viewer === goneAuthor);
      }
      await t.ctx.database.db.execute(sql`update users set is_active = true, deactivated_at = null where id = ${goneAuthor.id}`);
    }
  });

  it('refuses an alias that is not a plain identifier', () => {
    expect(() => postVisibleTo('x', 'p; drop table posts')).toThrow();
  });
});
