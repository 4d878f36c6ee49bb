import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeBlock, makeFriends, makeUser, type TestUser } from '../../../test/factories.js';
import { createTestApp, productionMode, type TestApp } from '../../../test/harness.js';
import { countOf, http, makePost, NO_RATE_LIMITS, UNKNOWN_ID } from './posts.test-helpers.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ env: NO_RATE_LIMITS });
});
afterAll(async () => t.close());

const { get, post, del } = http(() => t);
const likesCount = (postId: string) => countOf(t.ctx, sql`select likes_count from posts where id = ${postId}`);
const likeRows = (postId: string) => countOf(t.ctx, sql`select count(*)::int from post_likes where post_id = ${postId}`);

function recordLikeEvents() {
  const seen: string[] = [];
  t.ctx.bus.onCommit('post.liked', (e) => {
    seen.push(`liked:${e.liker.id}`);
  });
  t.ctx.bus.onCommit('post.unliked', (e) => {
    seen.push(`unliked:${e.userId}`);
  });
  return seen;
}

describe('POST/DELETE /api/v1/posts/:postId/like', () => {
  it('201 the first time, 200 when already liked (one row, count 1, one post.liked); DELETE 204 twice, count 0', async () => {
    const [author, friend] = [await makeUser(t.ctx), await makeUser(t.ctx)];
    await makeFriends(t.ctx, author, friend);
    const postId = await makePost(t.ctx, author);
    const events = recordLikeEvents();
    const first = await post(`/api/v1/posts/${postId}/like`, undefined, friend);
    expect(first.statusCode, first.body).toBe(201);
    expect(first.json()).toEqual({ post_id: postId, liked: true, likes_count: 1 });
    const again = await post(`/api/v1/posts/${postId}/like`, undefined, friend);
    expect(again.statusCode).toBe(200);
    expect(again.json().likes_count).toBe(1);
    expect([await likesCount(postId), await likeRows(postId)]).toEqual([1, 1]);
    expect((await get(`/api/v1/posts/${postId}`, friend)).json().is_liked_by_me).toBe(true);

    expect((await del(`/api/v1/posts/${postId}/like`, friend)).statusCode).toBe(204);
    expect((await del(`/api/v1/posts/${postId}/like`, friend)).statusCode).toBe(204);
    expect([await likesCount(postId), await likeRows(postId)]).toEqual([0, 0]);
    await t.ctx.bus.drain();
    expect(events.filter((e) => e.endsWith(friend.id))).toEqual([`liked:${friend.id}`, `unliked:${friend.id}`]);
  });

  it('users who may not see the post (stranger, blocked, private, archived) get 404 and write nothing; 401; 422', async () => {
    const [author, stranger, blocked] = [await makeUser(t.ctx), await makeUser(t.ctx), await makeUser(t.ctx)];
    await makeFriends(t.ctx, author, blocked);
    await makeBlock(t.ctx, author, blocked);
    const friendsPost = await makePost(t.ctx, author);
    const publicPost = await makePost(t.ctx, author, { visibility: 'public' });
    const archived = await makePost(t.ctx, author, { visibility: 'public', archived: true });
    for (const [who, id] of [
      [stranger, friendsPost],
      [blocked, publicPost],
      [stranger, archived],
      [stranger, UNKNOWN_ID],
    ] as Array<[TestUser, string]>) {
      const res = await post(`/api/v1/posts/${id}/like`, undefined, who);
      expect(res.statusCode).toBe(404);
      expect(res.json().error.code).toBe('post_not_found');
      expect((await del(`/api/v1/posts/${id}/like`, who)).statusCode).toBe(404);
      expect((await get(`/api/v1/posts/${id}/likes`, who)).statusCode).toBe(404);
    }
    expect(await countOf(t.ctx, sql`select coalesce(sum(likes_count), 0)::int from posts where user_id = ${author.id}`)).toBe(0);
    expect((await post(`/api/v1/posts/${publicPost}/like`, undefined)).statusCode).toBe(401);
    expect((await post('/api/v1/posts/nope/like', undefined, author)).statusCode).toBe(422);
  });
});

describe('GET /api/v1/posts/:postId/likes', () => {
  it('cards with liked_at, newest first, paginated; likers blocked with the viewer left out', async () => {
    const author = await makeUser(t.ctx);
    const postId = await makePost(t.ctx, author, { visibility: 'public' });
    const likers = [await makeUser(t.ctx), await makeUser(t.ctx), await makeUser(t.ctx)];
    for (const u of likers) {
      await t.ctx.services.postLikes.likePost(u.id, postId);
      await new Promise((r) => setTimeout(r, 5));
    }
    const res = await get(`/api/v1/posts/${postId}/likes?limit=2`, author);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().users.map((u: { id: string }) => u.id)).toEqual([likers[2]!.id, likers[1]!.id]);
    expect(res.json().users[0]).toMatchObject({ username: likers[2]!.username, profile_image_url: null, liked_at: expect.any(String) });
    expect(res.json().pagination).toEqual({ page: 1, limit: 2, total: 3, total_pages: 2 });

    const viewer = await makeUser(t.ctx);
    await makeBlock(t.ctx, viewer, likers[0]!);
    const filtered = await get(`/api/v1/posts/${postId}/likes`, viewer);
    expect(filtered.json().users.map((u: { id: string }) => u.id)).toEqual([likers[2]!.id, likers[1]!.id]);
    expect((await get(`/api/v1/posts/${postId}/likes`)).statusCode).toBe(401);
    expect((await get(`/api/v1/posts/${postId}/likes?limit=0`, author)).statusCode).toBe(422);
  });
});

describe(`likes_count under concurrency (${productionMode ? 'PostgreSQL' : 'PGlite'})`, () => {
  it('200 concurrent like/unlike requests (mixed users, some repeated): likes_count equals the rows', { timeout: 120_000 }, async () => {
    const author = await makeUser(t.ctx);
    const postId = await makePost(t.ctx, author, { visibility: 'public' });
    const users: TestUser[] = [];
    for (let i = 0; i < 20; i++) users.push(await makeUser(t.ctx));
    const calls = Array.from({ length: 200 }, (_, i) => {
      const who = users[(i * 7) % users.length]!;
      return i % 3 === 2 ? del(`/api/v1/posts/${postId}/like`, who) : post(`/api/v1/posts/${postId}/like`, undefined, who);
    });
    const results = await Promise.all(calls);
    expect(results.filter((r) => ![200, 201, 204].includes(r.statusCode)).map((r) => r.body)).toEqual([]);
    const rows = await likeRows(postId);
    expect(await likesCount(postId)).toBe(rows);
    // Every 201 is a row that appeared; every appearance after the first per user follows a deletion.
    expect(results.filter((r) => r.statusCode === 201).length).toBeGreaterThanOrEqual(rows);
  });

  it('the same on comments: concurrent comment likes/unlikes keep the comment’s likes_count exact', { timeout: 120_000 }, async () => {
    const author = await makeUser(t.ctx);
    const postId = await makePost(t.ctx, author, { visibility: 'public' });
    const comment = await t.ctx.services.postComments.create(author.id, postId, { content: 'like me' });
    const users: TestUser[] = [];
    for (let i = 0; i < 10; i++) users.push(await makeUser(t.ctx));
    const results = await Promise.all(
      Array.from({ length: 100 }, (_, i) => {
        const who = users[(i * 3) % users.length]!;
        const url = `/api/v1/posts/comments/${comment.id}/like`;
        return i % 4 === 3 ? del(url, who) : post(url, undefined, who);
      }),
    );
    expect(results.filter((r) => ![200, 201, 204].includes(r.statusCode)).map((r) => r.body)).toEqual([]);
    const rows = await countOf(t.ctx, sql`select count(*)::int from comment_likes where comment_id = ${comment.id}`);
    expect(await countOf(t.ctx, sql`select likes_count from post_comments where id = ${comment.id}`)).toBe(rows);
  });
});
