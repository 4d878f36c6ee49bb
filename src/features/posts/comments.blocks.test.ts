import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeBlock, makeFriends, makeUser, type TestUser } from '../../../test/factories.js';
import { createTestApp, type TestApp } from '../../../test/harness.js';
import { countOf, http, makePost, NO_RATE_LIMITS } from './posts.test-helpers.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ env: NO_RATE_LIMITS });
});
afterAll(async () => t.close());

const { post, del } = http(() => t);

/** A third user's post with a comment by `commenter`, a reply by `other` under it, and `other`'s own comment with a reply by `commenter`. */
async function thread() {
  const [owner, commenter, actor, other] = [await makeUser(t.ctx), await makeUser(t.ctx), await makeUser(t.ctx), await makeUser(t.ctx)];
  for (const u of [commenter, actor, other]) await makeFriends(t.ctx, owner, u);
  const postId = await makePost(t.ctx, owner);
  const create = (who: TestUser, content: string, parentCommentId?: string) =>
    t.ctx.services.postComments.create(who.id, postId, { content, parentCommentId: parentCommentId ?? null });
  const comment = await create(commenter, 'by the commenter');
  const replyUnderComment = await create(other, 'reply by the other', comment.id);
  const othersComment = await create(other, 'by the other');
  const commentersReply = await create(commenter, 'reply by the commenter', othersComment.id);
  return { owner, commenter, actor, other, postId, comment: comment.id, replyUnderComment: replyUnderComment.id, othersComment: othersComment.id, commentersReply: commentersReply.id };
}

/** Everything a reply or a like would have written on the post, and the events it would have published. */
async function footprint(postId: string) {
  await t.ctx.bus.drain();
  return {
    comments: await countOf(t.ctx, sql`select count(*)::int from post_comments where post_id = ${postId}`),
    commentsCount: await countOf(t.ctx, sql`select comments_count from posts where id = ${postId}`),
    replies: await countOf(t.ctx, sql`select coalesce(sum(replies_count), 0)::int from post_comments where post_id = ${postId}`),
    likes: await countOf(t.ctx, sql`select count(*)::int from comment_likes l join post_comments c on c.id = l.comment_id where c.post_id = ${postId}`),
    likesCount: await countOf(t.ctx, sql`select coalesce(sum(likes_count), 0)::int from post_comments where post_id = ${postId}`),
  };
}

function recordEvents(actorId: string): string[] {
  const seen: string[] = [];
  t.ctx.bus.onCommit('comment.replied', (e) => {
    if (e.replier.id === actorId) seen.push(`replied:${e.parentCommentId}`);
  });
  t.ctx.bus.onCommit('comment.liked', (e) => {
    if (e.liker.id === actorId) seen.push(`liked:${e.commentId}`);
  });
  return seen;
}

describe('issue 14.8: block bypasses (replies to and likes of a blocked user’s comment)', () => {
  it('control: without a block, replying to and liking another user’s comment under a third user’s post succeed', async () => {
    const th = await thread();
    const events = recordEvents(th.actor.id);
    const reply = await post(`/api/v1/posts/${th.postId}/comments`, { content: 'well done', parent_comment_id: th.comment }, th.actor);
    expect(reply.statusCode, reply.body).toBe(201);
    const viaReply = await post(`/api/v1/posts/${th.postId}/comments`, { content: 'same', parent_comment_id: th.commentersReply }, th.actor);
    expect(viaReply.statusCode, viaReply.body).toBe(201);
    const like = await post(`/api/v1/posts/comments/${th.comment}/like`, undefined, th.actor);
    expect(like.statusCode, like.body).toBe(201);
    await t.ctx.bus.drain();
    expect(events).toEqual([`replied:${th.comment}`, `replied:${th.othersComment}`, `liked:${th.comment}`]);
  });

  it.each([
    ['the comment’s author blocked the actor', true],
    ['the actor blocked the comment’s author', false],
  ])('when %s, the actor cannot reply in or like the author’s comments (422 / 404) and nothing is written', async (_, authorBlocks) => {
    const th = await thread();
    await (authorBlocks ? makeBlock(t.ctx, th.commenter, th.actor) : makeBlock(t.ctx, th.actor, th.commenter));
    const events = recordEvents(th.actor.id);
    const before = await footprint(th.postId);

    // The author's comment, a reply in its thread, and the author's reply in someone else's thread.
    for (const parent of [th.comment, th.replyUnderComment, th.commentersReply]) {
      const res = await post(`/api/v1/posts/${th.postId}/comments`, { content: 'sneaky', parent_comment_id: parent }, th.actor);
      expect(res.statusCode, res.body).toBe(422);
      expect(res.json().error.code).toBe('invalid_parent_comment');
    }
    for (const target of [th.comment, th.commentersReply]) {
      const res = await post(`/api/v1/posts/comments/${target}/like`, undefined, th.actor);
      expect(res.statusCode, res.body).toBe(404);
      expect(res.json().error.code).toBe('comment_not_found');
    }
    expect(await footprint(th.postId)).toEqual(before);
    expect(events).toEqual([]);

    // The same actor still replies to and likes the other user's comment.
    expect((await post(`/api/v1/posts/${th.postId}/comments`, { content: 'ok', parent_comment_id: th.othersComment }, th.actor)).statusCode).toBe(201);
    expect((await post(`/api/v1/posts/comments/${th.othersComment}/like`, undefined, th.actor)).statusCode).toBe(201);
  });

  it('a like given before the block can still be withdrawn (204), but not given again (404)', async () => {
    const th = await thread();
    expect((await post(`/api/v1/posts/comments/${th.comment}/like`, undefined, th.actor)).statusCode).toBe(201);
    await makeBlock(t.ctx, th.commenter, th.actor);
    expect((await del(`/api/v1/posts/comments/${th.comment}/like`, th.actor)).statusCode).toBe(204);
    expect(await countOf(t.ctx, sql`select likes_count from post_comments where id = ${th.comment}`)).toBe(0);
    expect((await post(`/api/v1/posts/comments/${th.comment}/like`, undefined, th.actor)).statusCode).toBe(404);
    expect(await countOf(t.ctx, sql`select count(*)::int from comment_likes where comment_id = ${th.comment}`)).toBe(0);
  });
});
