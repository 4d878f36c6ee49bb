import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { queryRows } from '../../infra/db/rows.js';
import { ChatMediaOwnership } from '../chat/chat-media-ownership.js';
import { makeFriends, makeUser, type TestUser } from '../../../test/factories.js';
import { createTestApp, type TestApp } from '../../../test/harness.js';
import { http, makePost, NO_RATE_LIMITS, UNKNOWN_ID } from './posts.test-helpers.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ env: NO_RATE_LIMITS });
});
afterAll(async () => t.close());

const { post, put, del } = http(() => t);

/**
 * Runs `work` while the `posts` table of this test app's own database is renamed away: every
 * query on posts fails in the driver (42P01 undefined_table), which is what a real failure on the
 * way looks like to the services (the same path an outage takes), while comments can still be read.
 */
async function withPostsTableGone<T>(work: () => Promise<T>): Promise<T> {
  await t.ctx.database.db.execute(sql`alter table posts rename to posts_away`);
  try {
    return await work();
  } finally {
    await t.ctx.database.db.execute(sql`alter table posts_away rename to posts`);
  }
}

async function friendsWithAComment(): Promise<{ author: TestUser; friend: TestUser; postId: string; commentId: string }> {
  const [author, friend] = [await makeUser(t.ctx), await makeUser(t.ctx)];
  await makeFriends(t.ctx, author, friend);
  const postId = await makePost(t.ctx, author);
  const created = await post(`/api/v1/posts/${postId}/comments`, { content: 'Nice one' }, friend);
  expect(created.statusCode, created.body).toBe(201);
  return { author, friend, postId, commentId: created.json<{ id: string }>().id };
}

/** Calls `PostsService.visible` for real, then runs `meanwhile` (a concurrent change) before the caller goes on. */
function afterNextVisibilityCheck(meanwhile: () => Promise<unknown>) {
  const posts = t.ctx.services.posts;
  const visible = posts.visible.bind(posts);
  return vi.spyOn(posts, 'visible').mockImplementationOnce(async (viewerId, postId) => {
    const found = await visible(viewerId, postId);
    await meanwhile();
    return found;
  });
}

describe('issue 15.6: errors that lie — only "not found" answers 404', () => {
  it('a database failure while checking a comment’s post answers 500, not 404 (edit, delete, like, unlike a comment), and writes nothing', async () => {
    const { friend, commentId } = await friendsWithAComment();
    const answers = await withPostsTableGone(async () => [
      await put(`/api/v1/posts/comments/${commentId}`, { content: 'edited' }, friend),
      await del(`/api/v1/posts/comments/${commentId}`, friend),
      await post(`/api/v1/posts/comments/${commentId}/like`, undefined, friend),
      await del(`/api/v1/posts/comments/${commentId}/like`, friend),
    ]);
    for (const res of answers) {
      expect(res.statusCode, res.body).toBeGreaterThanOrEqual(500);
      expect(res.json<{ error: { code: string } }>().error.code).not.toBe('comment_not_found');
    }
    const [row] = await queryRows(t.ctx.database.db, sql`select content, likes_count from post_comments where id = ${commentId}`);
    expect(row).toEqual({ content: 'Nice one', likes_count: 0 });
  });

  it('with the database healthy the same calls still answer 404 for an unknown comment and for one on a post the caller may not see', async () => {
    const { commentId } = await friendsWithAComment();
    const stranger = await makeUser(t.ctx);
    for (const id of [UNKNOWN_ID, commentId]) {
      for (const res of [
        await put(`/api/v1/posts/comments/${id}`, { content: 'edited' }, stranger),
        await del(`/api/v1/posts/comments/${id}`, stranger),
        await post(`/api/v1/posts/comments/${id}/like`, undefined, stranger),
        await del(`/api/v1/posts/comments/${id}/like`, stranger),
      ]) {
        expect(res.statusCode, res.body).toBe(404);
        expect(res.json<{ error: { code: string } }>().error.code).toBe('comment_not_found');
      }
    }
    expect((await post(`/api/v1/posts/comments/${commentId}/like`, undefined, stranger)).statusCode).toBe(404);
    expect((await put(`/api/v1/posts/comments/${commentId}`, { content: 'x' })).statusCode).toBe(401);
  });

  it('a post deleted between the check and the write still answers 404 post_not_found (like, comment), and a comment deleted meanwhile 404 comment_not_found', async () => {
    const { author, friend, postId, commentId } = await friendsWithAComment();
    afterNextVisibilityCheck(() => t.ctx.database.db.execute(sql`delete from post_comments where id = ${commentId}`));
    const likedComment = await post(`/api/v1/posts/comments/${commentId}/like`, undefined, friend);
    expect(likedComment.statusCode, likedComment.body).toBe(404);
    expect(likedComment.json().error.code).toBe('comment_not_found');

    afterNextVisibilityCheck(() => t.ctx.services.posts.delete(author.id, postId));
    const liked = await post(`/api/v1/posts/${postId}/like`, undefined, friend);
    expect(liked.statusCode, liked.body).toBe(404);
    expect(liked.json().error.code).toBe('post_not_found');

    const other = await makePost(t.ctx, author);
    afterNextVisibilityCheck(() => t.ctx.services.posts.delete(author.id, other));
    const commented = await post(`/api/v1/posts/${other}/comments`, { content: 'too late' }, friend);
    expect(commented.statusCode, commented.body).toBe(404);
    expect(commented.json().error.code).toBe('post_not_found');
    const rows = await queryRows(
      t.ctx.database.db,
      sql`select 1 from post_likes where post_id in (${postId}, ${other}) union all select 1 from post_comments where post_id = ${other}`,
    );
    expect(rows).toEqual([]);
  });

  it('another foreign-key failure (the caller’s account deleted meanwhile) is not taken for "post not found"', async () => {
    const [author, friend] = [await makeUser(t.ctx), await makeUser(t.ctx)];
    await makeFriends(t.ctx, author, friend);
    const postId = await makePost(t.ctx, author);
    const posts = t.ctx.services.posts;
    const card = posts.card.bind(posts);
    vi.spyOn(posts, 'card').mockImplementationOnce(async (userId) => {
      const found = await card(userId);
      await t.ctx.database.db.execute(sql`delete from users where id = ${friend.id}`);
      return found;
    });
    const res = await post(`/api/v1/posts/${postId}/like`, undefined, friend);
    expect(res.statusCode, res.body).toBe(500);
    expect(res.json().error.code).not.toBe('post_not_found');
  });

  it('chat media ownership: a failure reading the post propagates instead of reading as "not your upload"', async () => {
    const author = await makeUser(t.ctx);
    const postId = await makePost(t.ctx, author, { visibility: 'public' });
    const ownership = new ChatMediaOwnership(t.ctx.services.media, t.ctx.storage, t.ctx.services.posts);
    const url = t.ctx.storage.urlFor(`posts/${postId}/original.jpg`);
    const unknown = t.ctx.storage.urlFor(`posts/${UNKNOWN_ID}/original.jpg`);
    expect(await ownership.isOwnPublicUpload(author.id, unknown)).toBe(false);
    await withPostsTableGone(async () => {
      await expect(ownership.isOwnPublicUpload(author.id, url)).rejects.toThrow();
    });
  });
});
