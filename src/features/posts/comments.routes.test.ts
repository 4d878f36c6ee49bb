import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeBlock, makeFriends, makeUser, type TestUser } from '../../../test/factories.js';
import { createTestApp, productionMode, type TestApp } from '../../../test/harness.js';
import { countOf, http, makePost, NO_RATE_LIMITS, one, UNKNOWN_ID } from './posts.test-helpers.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ env: NO_RATE_LIMITS });
});
afterAll(async () => t.close());

const { get, post, put, del } = http(() => t);
const commentsCount = (postId: string) => countOf(t.ctx, sql`select comments_count from posts where id = ${postId}`);
const commentRows = (postId: string) => countOf(t.ctx, sql`select count(*)::int from post_comments where post_id = ${postId}`);
const repliesCount = (commentId: string) => countOf(t.ctx, sql`select replies_count from post_comments where id = ${commentId}`);

async function comment(who: TestUser, postId: string, content: string, parent?: string): Promise<string> {
  const res = await post(`/api/v1/posts/${postId}/comments`, { content, ...(parent ? { parent_comment_id: parent } : {}) }, who);
  expect(res.statusCode, res.body).toBe(201);
  // Distinct created_at values, so "oldest first" is one order.
  await new Promise((r) => setTimeout(r, 2));
  return res.json<{ id: string }>().id;
}

describe('POST /api/v1/posts/:postId/comments', () => {
  it('a friend comments: 201 with the plan’s body (trimmed content); comments_count +1; post.commented', async () => {
    const [author, friend] = [await makeUser(t.ctx), await makeUser(t.ctx)];
    await makeFriends(t.ctx, author, friend);
    const postId = await makePost(t.ctx, author);
    const events: string[] = [];
    t.ctx.bus.onCommit('post.commented', (e) => {
      if (e.postId === postId) events.push(`${e.postAuthorId}:${e.excerpt}`);
    });
    const res = await post(`/api/v1/posts/${postId}/comments`, { content: '  So proud of you! 💪  ', parent_comment_id: null }, friend);
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json()).toEqual({
      id: expect.any(String),
      post_id: postId,
      user: { id: friend.id, username: friend.username, full_name: expect.any(String), profile_image_url: null },
      content: 'So proud of you! 💪',
      parent_comment_id: null,
      likes_count: 0,
      created_at: expect.any(String),
      // Issue 15.11: the Comment shape GET and PUT show.
      replies_count: 0,
      is_liked_by_me: false,
      updated_at: expect.any(String),
    });
    expect(await commentsCount(postId)).toBe(1);
    await t.ctx.bus.drain();
    expect(events).toEqual([`${author.id}:So proud of you! 💪`]);
  });

  it('replies: parent’s replies_count +1, comment.replied; a reply to a reply attaches to the top-level comment', async () => {
    const [author, friend] = [await makeUser(t.ctx), await makeUser(t.ctx)];
    await makeFriends(t.ctx, author, friend);
    const postId = await makePost(t.ctx, author);
    const top = await comment(friend, postId, 'top');
    const replied: string[] = [];
    t.ctx.bus.onCommit('comment.replied', (e) => {
      if (e.postId === postId) replied.push(`${e.parentCommentId}:${e.parentAuthorId}`);
    });
    const reply = await comment(author, postId, 'reply', top);
    const res = await post(`/api/v1/posts/${postId}/comments`, { content: 'reply to reply', parent_comment_id: reply }, friend);
    expect(res.statusCode).toBe(201);
    expect(res.json().parent_comment_id).toBe(top);
    expect(await repliesCount(top)).toBe(2);
    expect(await commentsCount(postId)).toBe(3);
    await t.ctx.bus.drain();
    expect(replied).toEqual([`${top}:${friend.id}`, `${top}:${friend.id}`]);
  });

  it('bad input → 422 and nothing written: blank, 1,001 chars, unknown field, non-UUID parent, parent of another post', async () => {
    const author = await makeUser(t.ctx);
    const postId = await makePost(t.ctx, author);
    const otherPost = await makePost(t.ctx, author);
    const foreign = await comment(author, otherPost, 'elsewhere');
    const cases: Array<[unknown, string]> = [
      [{ content: '   ' }, 'validation_failed'],
      [{ content: '' }, 'validation_failed'],
      [{ content: 'a'.repeat(1001) }, 'validation_failed'],
      [{ content: 'x', likes_count: 3 }, 'validation_failed'],
      [{ content: 'x', parent_comment_id: 'nope' }, 'validation_failed'],
      [{ content: 'x', parent_comment_id: foreign }, 'invalid_parent_comment'],
      [{ content: 'x', parent_comment_id: UNKNOWN_ID }, 'invalid_parent_comment'],
    ];
    for (const [body, code] of cases) {
      const res = await post(`/api/v1/posts/${postId}/comments`, body, author);
      expect(res.statusCode, JSON.stringify(body)).toBe(422);
      expect(res.json().error.code, JSON.stringify(body)).toBe(code);
    }
    expect([await commentRows(postId), await commentsCount(postId)]).toEqual([0, 0]);
    expect((await post(`/api/v1/posts/${postId}/comments`, { content: 'a'.repeat(1000) }, author)).statusCode).toBe(201);
  });

  it('users who may not see the post get 404 (stranger, blocked, private, archived, unknown); 401', async () => {
    const [author, stranger, blocked, friend] = [await makeUser(t.ctx), await makeUser(t.ctx), await makeUser(t.ctx), await makeUser(t.ctx)];
    await makeFriends(t.ctx, author, friend);
    await makeBlock(t.ctx, blocked, author);
    const friendsPost = await makePost(t.ctx, author);
    const publicPost = await makePost(t.ctx, author, { visibility: 'public' });
    const privatePost = await makePost(t.ctx, author, { visibility: 'private' });
    const archived = await makePost(t.ctx, author, { archived: true });
    for (const [who, id] of [
      [stranger, friendsPost],
      [blocked, publicPost],
      [friend, privatePost],
      [friend, archived],
      [friend, UNKNOWN_ID],
    ] as Array<[TestUser, string]>) {
      const res = await post(`/api/v1/posts/${id}/comments`, { content: 'hi' }, who);
      expect(res.statusCode).toBe(404);
      expect(res.json().error.code).toBe('post_not_found');
      expect((await get(`/api/v1/posts/${id}/comments`, who)).statusCode).toBe(404);
    }
    expect(await countOf(t.ctx, sql`select count(*)::int from post_comments c join posts p on p.id = c.post_id where p.user_id = ${author.id}`)).toBe(0);
    expect((await post(`/api/v1/posts/${publicPost}/comments`, { content: 'hi' })).statusCode).toBe(401);
  });
});

describe('GET /api/v1/posts/:postId/comments', () => {
  it('top-level oldest first, each with replies_count and its first 3 replies oldest first; paginated; blocked authors hidden', async () => {
    const [author, a, b] = [await makeUser(t.ctx), await makeUser(t.ctx), await makeUser(t.ctx)];
    const postId = await makePost(t.ctx, author, { visibility: 'public' });
    const first = await comment(a, postId, 'first');
    const second = await comment(b, postId, 'second');
    const third = await comment(a, postId, 'third');
    const replies: string[] = [];
    for (let i = 0; i < 5; i++) replies.push(await comment(i % 2 ? a : b, postId, `reply ${i}`, first));
    await t.ctx.services.postLikes.likeComment(author.id, second);

    const res = await get(`/api/v1/posts/${postId}/comments?limit=2`, author);
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json<{ comments: Array<{ id: string; replies_count: number; is_liked_by_me: boolean; likes_count: number; replies: Array<{ id: string; content: string }> }>; pagination: unknown }>();
    expect(body.comments.map((c) => c.id)).toEqual([first, second]);
    expect(body.comments[0]!.replies_count).toBe(5);
    expect(body.comments[0]!.replies.map((r) => r.id)).toEqual(replies.slice(0, 3));
    expect(body.comments[1]).toMatchObject({ replies: [], replies_count: 0, is_liked_by_me: true, likes_count: 1 });
    expect(body.pagination).toEqual({ page: 1, limit: 2, total: 3, total_pages: 2 });
    const page2 = await get(`/api/v1/posts/${postId}/comments?limit=2&page=2`, author);
    expect(page2.json().comments.map((c: { id: string }) => c.id)).toEqual([third]);

    const viewer = await makeUser(t.ctx);
    await makeBlock(t.ctx, viewer, b);
    const filtered = await get(`/api/v1/posts/${postId}/comments`, viewer);
    expect(filtered.json().comments.map((c: { id: string }) => c.id)).toEqual([first, third]);
    expect(filtered.json().comments[0].replies.map((r: { id: string }) => r.id)).toEqual([replies[1], replies[3]]);
    expect((await get(`/api/v1/posts/${postId}/comments`)).statusCode).toBe(401);
    expect((await get(`/api/v1/posts/${postId}/comments?limit=500`, author)).statusCode).toBe(422);
  });
});

describe('PUT and DELETE /api/v1/posts/comments/:commentId', () => {
  it('the author edits (200, trimmed); others: 403 not_comment_author if they see the post, else 404; bad input 422', async () => {
    const [author, friend, stranger] = [await makeUser(t.ctx), await makeUser(t.ctx), await makeUser(t.ctx)];
    await makeFriends(t.ctx, author, friend);
    const postId = await makePost(t.ctx, author);
    const id = await comment(friend, postId, 'typo');
    const res = await put(`/api/v1/posts/comments/${id}`, { content: ' fixed ' }, friend);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ id, content: 'fixed', replies_count: 0 });
    const asPostAuthor = await put(`/api/v1/posts/comments/${id}`, { content: 'mine now' }, author);
    expect(asPostAuthor.statusCode).toBe(403);
    expect(asPostAuthor.json().error.code).toBe('not_comment_author');
    const asStranger = await put(`/api/v1/posts/comments/${id}`, { content: 'x' }, stranger);
    expect(asStranger.statusCode).toBe(404);
    expect(asStranger.json().error.code).toBe('comment_not_found');
    for (const body of [{ content: '  ' }, { content: 'a'.repeat(1001) }, { content: 'x', extra: 1 }, {}]) {
      expect((await put(`/api/v1/posts/comments/${id}`, body, friend)).statusCode, JSON.stringify(body)).toBe(422);
    }
    expect((await put('/api/v1/posts/comments/nope', { content: 'x' }, friend)).statusCode).toBe(422);
    expect((await put(`/api/v1/posts/comments/${id}`, { content: 'x' })).statusCode).toBe(401);
    expect(await one(t.ctx, sql`select content from post_comments where id = ${id}`)).toBe('fixed');
  });

  it('deleting a top-level comment removes its replies; comments_count drops by all of them; a reply’s deletion drops replies_count', async () => {
    const [author, friend, other] = [await makeUser(t.ctx), await makeUser(t.ctx), await makeUser(t.ctx)];
    await makeFriends(t.ctx, author, friend);
    await makeFriends(t.ctx, author, other);
    const postId = await makePost(t.ctx, author);
    const top = await comment(friend, postId, 'top');
    const r1 = await comment(author, postId, 'r1', top);
    await comment(friend, postId, 'r2', top);
    const keep = await comment(friend, postId, 'keep');
    expect(await commentsCount(postId)).toBe(4);

    expect((await del(`/api/v1/posts/comments/${r1}`, other)).statusCode).toBe(403);
    expect((await del(`/api/v1/posts/comments/${r1}`, author)).statusCode).toBe(204);
    expect(await repliesCount(top)).toBe(1);
    expect(await commentsCount(postId)).toBe(3);
    // The post's author may delete someone else's comment (with its reply).
    expect((await del(`/api/v1/posts/comments/${top}`, author)).statusCode).toBe(204);
    expect([await commentsCount(postId), await commentRows(postId)]).toEqual([1, 1]);
    expect((await del(`/api/v1/posts/comments/${top}`, author)).statusCode).toBe(404);
    expect((await del(`/api/v1/posts/comments/${keep}`, await makeUser(t.ctx))).statusCode).toBe(404);
    expect((await del(`/api/v1/posts/comments/${keep}`)).statusCode).toBe(401);
    expect((await del(`/api/v1/posts/comments/${keep}`, friend)).statusCode).toBe(204);
    expect([await commentsCount(postId), await commentRows(postId)]).toEqual([0, 0]);
  });
});

describe('POST/DELETE /api/v1/posts/comments/:commentId/like', () => {
  it('201 then 200 (idempotent), one comment.liked; DELETE 204; invisible → 404; 401', async () => {
    const [author, friend, stranger] = [await makeUser(t.ctx), await makeUser(t.ctx), await makeUser(t.ctx)];
    await makeFriends(t.ctx, author, friend);
    const postId = await makePost(t.ctx, author);
    const id = await comment(author, postId, 'like this');
    const liked: string[] = [];
    t.ctx.bus.onCommit('comment.liked', (e) => {
      if (e.commentId === id) liked.push(`${e.commentAuthorId}:${e.liker.id}`);
    });
    const first = await post(`/api/v1/posts/comments/${id}/like`, undefined, friend);
    expect(first.statusCode, first.body).toBe(201);
    expect(first.json()).toEqual({ comment_id: id, liked: true, likes_count: 1 });
    expect((await post(`/api/v1/posts/comments/${id}/like`, undefined, friend)).statusCode).toBe(200);
    const stranger404 = await post(`/api/v1/posts/comments/${id}/like`, undefined, stranger);
    expect(stranger404.statusCode).toBe(404);
    expect(stranger404.json().error.code).toBe('comment_not_found');
    expect((await post(`/api/v1/posts/comments/${UNKNOWN_ID}/like`, undefined, friend)).statusCode).toBe(404);
    expect((await post(`/api/v1/posts/comments/${id}/like`, undefined)).statusCode).toBe(401);
    expect(await countOf(t.ctx, sql`select likes_count from post_comments where id = ${id}`)).toBe(1);
    expect((await del(`/api/v1/posts/comments/${id}/like`, friend)).statusCode).toBe(204);
    expect((await del(`/api/v1/posts/comments/${id}/like`, friend)).statusCode).toBe(204);
    expect((await del(`/api/v1/posts/comments/${id}/like`, stranger)).statusCode).toBe(404);
    expect(await countOf(t.ctx, sql`select likes_count from post_comments where id = ${id}`)).toBe(0);
    await t.ctx.bus.drain();
    expect(liked).toEqual([`${author.id}:${friend.id}`]);
  });
});

describe(`comment counters under concurrency (${productionMode ? 'PostgreSQL' : 'PGlite'})`, () => {
  it('concurrent comments, replies and deletions: comments_count and replies_count equal the rows', { timeout: 120_000 }, async () => {
    const author = await makeUser(t.ctx);
    const postId = await makePost(t.ctx, author, { visibility: 'public' });
    const tops: string[] = [];
    for (let i = 0; i < 5; i++) tops.push(await comment(author, postId, `top ${i}`));
    const users: TestUser[] = [];
    for (let i = 0; i < 5; i++) users.push(await makeUser(t.ctx));
    const calls: Array<Promise<unknown>> = [];
    for (let i = 0; i < 60; i++) {
      const who = users[i % users.length]!;
      calls.push(post(`/api/v1/posts/${postId}/comments`, { content: `c${i}`, ...(i % 2 ? { parent_comment_id: tops[i % tops.length] } : {}) }, who));
      if (i % 15 === 7) calls.push(del(`/api/v1/posts/comments/${tops[(i / 15) | 0]}`, author));
    }
    const results = (await Promise.all(calls)) as Array<{ statusCode: number; body: string }>;
    // A reply racing its parent's deletion may find the parent gone (422); nothing else may fail.
    expect(results.filter((r) => ![201, 204, 422].includes(r.statusCode)).map((r) => r.body)).toEqual([]);
    expect(await commentsCount(postId)).toBe(await commentRows(postId));
    const drift = await countOf(
      t.ctx,
      sql`select count(*)::int from post_comments c where c.post_id = ${postId}
        and c.replies_count <> (select count(*) from post_comments r where r.parent_comment_id = c.id)`,
    );
    expect(drift).toBe(0);
  });
});
