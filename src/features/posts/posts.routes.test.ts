import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countRows, makeBlock, makeFriends, makeUser, type TestUser } from '../../../test/factories.js';
import { createTestApp, type TestApp } from '../../../test/harness.js';
import { fixture } from '../../../test/media-samples.js';
import { countOf, http, imagePart, makePost, NO_RATE_LIMITS, one, UNKNOWN_ID, type PostJson } from './posts.test-helpers.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ env: NO_RATE_LIMITS });
});
afterAll(async () => t.close());

const { get, put, del, postForm } = http(() => t);

const photosShared = (u: TestUser) => countOf(t.ctx, sql`select photos_shared from users where id = ${u.id}`);
/** Files stored for a post (disk storage under DATA_DIR/media/posts/{id}). */
function storedFiles(postId?: string): string[] {
  const dir = path.join(t.dataDir, 'media', 'posts', ...(postId ? [postId] : []));
  return existsSync(dir) ? readdirSync(dir, { recursive: true }).map(String) : [];
}

async function createGoal(who: TestUser, title = 'Run a 5K'): Promise<string> {
  const res = await t.app.inject({
    method: 'POST',
    url: '/api/v1/goals',
    headers: who.auth,
    payload: { title, goal_type: 'individual', target_type: 'amount', target_amount: 100 },
  });
  expect(res.statusCode, res.body).toBe(201);
  return res.json<{ id: string }>().id;
}

describe('POST /api/v1/posts', () => {
  it('a photo post with a goal: 201 with the plan’s body, media under posts/{id}/, photos_shared +1, post.created', async () => {
    const me = await makeUser(t.ctx);
    const goalId = await createGoal(me);
    const events: string[] = [];
    t.ctx.bus.onCommit('post.created', (e) => {
      if (e.author.id === me.id) events.push(e.postType);
    });
    const res = await postForm(
      [await imagePart(), { name: 'caption', value: 'First training session!' }, { name: 'goal_id', value: goalId }, { name: 'visibility', value: 'public' }],
      me,
    );
    expect(res.statusCode, res.body).toBe(201);
    const body = res.json<PostJson>();
    expect(body).toMatchObject({
      user: { id: me.id, username: me.username, full_name: expect.any(String), profile_image_url: null },
      caption: 'First training session!',
      post_type: 'photo',
      goal: { id: goalId, title: 'Run a 5K' },
      visibility: 'public',
      likes_count: 0,
      comments_count: 0,
      media_width: 64,
      media_height: 48,
    });
    expect(body.media_url).toContain(`/posts/${body.id}/`);
    expect(body.media_thumbnail_url).toContain(`/posts/${body.id}/`);
    expect(Object.keys(body).sort()).toEqual(
      // Issue 15.11: the plan's fields plus what GET /posts/:postId shows (the same shape).
      ['caption', 'comments_count', 'created_at', 'goal', 'id', 'is_archived', 'is_liked_by_me', 'likes_count', 'media_height',
        'media_thumbnail_url', 'media_url', 'media_width', 'post_type', 'time_ago', 'updated_at', 'user', 'visibility'],
    );
    expect(storedFiles(body.id).length).toBeGreaterThan(0);
    expect(await photosShared(me)).toBe(1);
    await t.ctx.bus.drain();
    expect(events).toEqual(['photo']);
  });

  it('a video post: post_type video, visibility defaults to friends, photos_shared unchanged', async () => {
    const me = await makeUser(t.ctx);
    const res = await postForm([{ name: 'video', filename: 'clip.mp4', contentType: 'video/mp4', data: fixture('tiny.mp4') }], me);
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json()).toMatchObject({ post_type: 'video', visibility: 'friends', caption: null, goal: null });
    expect(res.json<PostJson>().media_url).toContain('/posts/');
    expect(await photosShared(me)).toBe(0);
  });

  it('a text post (caption, no file): post_type text and null media', async () => {
    const me = await makeUser(t.ctx);
    const res = await postForm([{ name: 'caption', value: 'Just words today' }], me);
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json()).toMatchObject({ post_type: 'text', media_url: null, media_thumbnail_url: null, media_width: null, caption: 'Just words today' });
    expect(await photosShared(me)).toBe(0);
  });

  it('the first post awards first_memory through post.created (no read needed)', async () => {
    const me = await makeUser(t.ctx);
    const held = () =>
      countOf(t.ctx, sql`select count(*)::int from user_achievements ua join achievements a on a.id = ua.achievement_id
        where ua.user_id = ${me.id} and a.code = 'first_memory'`);
    expect(await held()).toBe(0);
    expect((await postForm([{ name: 'caption', value: 'my first memory' }], me)).statusCode).toBe(201);
    await t.ctx.bus.drain();
    expect(await held()).toBe(1);
  });

  it('without a token: 401', async () => {
    expect((await postForm([{ name: 'caption', value: 'x' }])).statusCode).toBe(401);
  });

  describe('bad input: 4xx with a clear code, nothing written, no media left', () => {
    let me: TestUser;
    beforeAll(async () => {
      me = await makeUser(t.ctx);
    });
    const cases: Array<[string, () => Promise<Parameters<typeof postForm>[0]>, number, string]> = [
      ['no caption and no file', async () => [{ name: 'visibility', value: 'public' }], 422, 'post_content_required'],
      ['a blank caption and no file', async () => [{ name: 'caption', value: '   ' }], 422, 'post_content_required'],
      ['a caption of 2,201 characters', async () => [await imagePart(), { name: 'caption', value: 'a'.repeat(2201) }], 422, 'validation_failed'],
      ['an unknown visibility', async () => [await imagePart(), { name: 'visibility', value: 'everyone' }], 422, 'validation_failed'],
      ['a goal_id that is not a UUID', async () => [await imagePart(), { name: 'goal_id', value: 'abc' }], 422, 'validation_failed'],
      ['an unknown goal', async () => [await imagePart(), { name: 'goal_id', value: UNKNOWN_ID }], 422, 'invalid_goal'],
      ['an unknown multipart field', async () => [{ name: 'caption', value: 'x' }, { name: 'location', value: 'Nairobi' }], 422, 'validation_failed'],
      ['a file in an unknown field', async () => [{ name: 'photo', filename: 'a.png', contentType: 'image/png', data: Buffer.from('x') }], 422, 'unexpected_file'],
      ['a file that is not an image or video', async () => [{ name: 'image', filename: 'a.png', contentType: 'image/png', data: Buffer.from('%PDF-1.4 not an image at all') }], 415, 'unsupported_media_type'],
      ['a video in the image field', async () => [{ name: 'image', filename: 'clip.mp4', contentType: 'video/mp4', data: fixture('tiny.mp4') }], 415, 'unsupported_media_type'],
    ];
    for (const [situation, parts, status, code] of cases) {
      it(`${situation}: ${status} ${code}`, async () => {
        const before = await countRows(t.ctx, 'posts');
        const filesBefore = storedFiles().length;
        const res = await postForm(await parts(), me);
        expect(res.statusCode, res.body).toBe(status);
        expect(res.json().error.code).toBe(code);
        expect(await countRows(t.ctx, 'posts')).toBe(before);
        expect(storedFiles().length).toBe(filesBefore);
        expect(await photosShared(me)).toBe(0);
      });
    }

    it('a goal the caller does not take part in: 422 invalid_goal', async () => {
      const other = await makeUser(t.ctx);
      const goalId = await createGoal(other);
      const res = await postForm([{ name: 'caption', value: 'x' }, { name: 'goal_id', value: goalId }], me);
      expect(res.statusCode).toBe(422);
      expect(res.json().error).toMatchObject({ code: 'invalid_goal', details: [{ field: 'goal_id' }] });
    });

    it('neither multipart nor JSON: 415', async () => {
      const res = await t.app.inject({
        method: 'POST',
        url: '/api/v1/posts',
        headers: { ...me.auth, 'content-type': 'text/plain' },
        payload: 'caption=x',
      });
      expect(res.statusCode).toBe(415);
    });
  });
});

describe('GET /api/v1/posts/:postId — the visibility matrix', () => {
  let author: TestUser, friend: TestUser, stranger: TestUser, blocked: TestUser, blocker: TestUser;
  beforeAll(async () => {
    author = await makeUser(t.ctx);
    friend = await makeUser(t.ctx);
    stranger = await makeUser(t.ctx);
    blocked = await makeUser(t.ctx);
    blocker = await makeUser(t.ctx);
    await makeFriends(t.ctx, author, friend);
    await makeFriends(t.ctx, author, blocked);
    await makeBlock(t.ctx, author, blocked);
    await makeBlock(t.ctx, blocker, author);
  });

  it('the author sees the plan’s body with is_liked_by_me and time_ago', async () => {
    const postId = await makePost(t.ctx, author, { visibility: 'private' });
    const res = await get(`/api/v1/posts/${postId}`, author);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ id: postId, is_liked_by_me: false, time_ago: 'just now', is_archived: false, likes_count: 0 });
  });

  const matrix: Array<[string, 'public' | 'friends' | 'private', boolean, Record<string, boolean>]> = [
    ['public', 'public', false, { friend: true, stranger: true, blocked: false, blocker: false }],
    ['friends', 'friends', false, { friend: true, stranger: false, blocked: false, blocker: false }],
    ['private', 'private', false, { friend: false, stranger: false, blocked: false, blocker: false }],
    ['archived public', 'public', true, { friend: false, stranger: false, blocked: false, blocker: false }],
  ];
  for (const [label, visibility, archived, expected] of matrix) {
    it(`a ${label} post: ${JSON.stringify(expected)}; invisible answers equal an unknown id’s`, async () => {
      const postId = await makePost(t.ctx, author, { visibility, archived });
      const unknown = await get(`/api/v1/posts/${UNKNOWN_ID}`, stranger);
      expect(unknown.statusCode).toBe(404);
      expect((await get(`/api/v1/posts/${postId}`, author)).statusCode).toBe(200);
      const viewers = { friend, stranger, blocked, blocker };
      for (const [name, viewer] of Object.entries(viewers)) {
        const res = await get(`/api/v1/posts/${postId}`, viewer);
        if (expected[name]) expect(res.statusCode, name).toBe(200);
        else {
          expect(res.statusCode, name).toBe(404);
          expect(res.json(), name).toEqual(unknown.json());
        }
      }
    });
  }

  it('401 without a token, 422 for a non-UUID id', async () => {
    const postId = await makePost(t.ctx, author);
    expect((await get(`/api/v1/posts/${postId}`)).statusCode).toBe(401);
    expect((await get('/api/v1/posts/not-a-uuid', author)).statusCode).toBe(422);
  });
});

describe('PUT and DELETE /api/v1/posts/:postId', () => {
  it('the author edits caption, visibility and archives; 200 with the new values', async () => {
    const me = await makeUser(t.ctx);
    const postId = await makePost(t.ctx, me);
    const res = await put(`/api/v1/posts/${postId}`, { caption: 'edited', visibility: 'public', is_archived: true }, me);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ caption: 'edited', visibility: 'public', is_archived: true });
  });

  it('a friend who can see it: 403 not_post_author; a stranger: 404; nothing changes', async () => {
    const [me, friend, stranger] = [await makeUser(t.ctx), await makeUser(t.ctx), await makeUser(t.ctx)];
    await makeFriends(t.ctx, me, friend);
    const postId = await makePost(t.ctx, me, { caption: 'mine' });
    const asFriend = await put(`/api/v1/posts/${postId}`, { caption: 'hacked' }, friend);
    expect(asFriend.statusCode).toBe(403);
    expect(asFriend.json().error.code).toBe('not_post_author');
    expect((await put(`/api/v1/posts/${postId}`, { caption: 'hacked' }, stranger)).statusCode).toBe(404);
    expect((await del(`/api/v1/posts/${postId}`, friend)).statusCode).toBe(403);
    expect((await del(`/api/v1/posts/${postId}`, stranger)).statusCode).toBe(404);
    expect(await one(t.ctx, sql`select caption from posts where id = ${postId}`)).toBe('mine');
  });

  it('bad input: unknown field, unknown visibility, caption of 2,201, empty body, clearing a text post’s caption → 422', async () => {
    const me = await makeUser(t.ctx);
    const postId = await makePost(t.ctx, me, { caption: 'keep' });
    for (const body of [{ likes_count: 5 }, { visibility: 'everyone' }, { caption: 'a'.repeat(2201) }, {}, { caption: null }, { caption: '  ' }]) {
      const res = await put(`/api/v1/posts/${postId}`, body, me);
      expect(res.statusCode, JSON.stringify(body)).toBe(422);
    }
    expect(await one(t.ctx, sql`select caption from posts where id = ${postId}`)).toBe('keep');
    expect((await put(`/api/v1/posts/${postId}`, { caption: 'x' })).statusCode).toBe(401);
  });

  it('the author deletes a photo post: 204, media, likes and comments gone, photos_shared back to 0, post.deleted', async () => {
    const [me, friend] = [await makeUser(t.ctx), await makeUser(t.ctx)];
    await makeFriends(t.ctx, me, friend);
    const created = await postForm([await imagePart()], me);
    const postId = created.json<PostJson>().id;
    expect(await photosShared(me)).toBe(1);
    await t.ctx.services.postLikes.likePost(friend.id, postId);
    await t.ctx.services.postComments.create(friend.id, postId, { content: 'nice' });
    const deletedEvents: string[] = [];
    t.ctx.bus.onCommit('post.deleted', (e) => {
      deletedEvents.push(e.postId);
    });
    expect((await del(`/api/v1/posts/${postId}`, me)).statusCode).toBe(204);
    expect(await countOf(t.ctx, sql`select count(*)::int from posts where id = ${postId}`)).toBe(0);
    expect(await countOf(t.ctx, sql`select count(*)::int from post_likes where post_id = ${postId}`)).toBe(0);
    expect(await countOf(t.ctx, sql`select count(*)::int from post_comments where post_id = ${postId}`)).toBe(0);
    expect(storedFiles(postId)).toEqual([]);
    expect(await photosShared(me)).toBe(0);
    await t.ctx.bus.drain();
    expect(deletedEvents).toEqual([postId]);
    expect((await get(`/api/v1/posts/${postId}`, me)).statusCode).toBe(404);
    expect((await del(`/api/v1/posts/${postId}`)).statusCode).toBe(401);
  });
});

describe('GET /api/v1/users/:userId/posts', () => {
  it('lists the user’s visible, non-archived posts newest first, with is_liked_by_me; paginated', async () => {
    const [author, friend, stranger] = [await makeUser(t.ctx), await makeUser(t.ctx), await makeUser(t.ctx)];
    await makeFriends(t.ctx, author, friend);
    const tick = () => new Promise((r) => setTimeout(r, 3)); // distinct created_at: one "newest first" order
    const pub = await makePost(t.ctx, author, { visibility: 'public', caption: 'pub' });
    await tick();
    const fr = await makePost(t.ctx, author, { visibility: 'friends', caption: 'fr' });
    await tick();
    await makePost(t.ctx, author, { visibility: 'private', caption: 'priv' });
    await makePost(t.ctx, author, { visibility: 'public', archived: true, caption: 'arch' });
    await t.ctx.services.postLikes.likePost(friend.id, pub);

    const asFriend = await get(`/api/v1/users/${author.id}/posts`, friend);
    expect(asFriend.statusCode, asFriend.body).toBe(200);
    const posts = asFriend.json<{ posts: Array<{ id: string; is_liked_by_me: boolean }> }>().posts;
    expect(posts.map((p) => p.id)).toEqual([fr, pub]);
    expect(posts.map((p) => p.is_liked_by_me)).toEqual([false, true]);
    expect(asFriend.json().pagination).toEqual({ page: 1, limit: 20, total: 2, total_pages: 1 });

    const asStranger = await get(`/api/v1/users/${author.id}/posts?limit=1`, stranger);
    expect(asStranger.json<{ posts: Array<{ id: string }> }>().posts.map((p) => p.id)).toEqual([pub]);
    const asAuthor = await get(`/api/v1/users/${author.id}/posts?page=2&limit=1`, author);
    expect(asAuthor.json().pagination).toEqual({ page: 2, limit: 1, total: 3, total_pages: 3 });
  });

  it('blocked either way or unknown user: 404 user_not_found; 401; bad query 422', async () => {
    const [author, blocked] = [await makeUser(t.ctx), await makeUser(t.ctx)];
    await makeBlock(t.ctx, blocked, author);
    await makePost(t.ctx, author, { visibility: 'public' });
    expect((await get(`/api/v1/users/${author.id}/posts`, blocked)).statusCode).toBe(404);
    expect((await get(`/api/v1/users/${UNKNOWN_ID}/posts`, blocked)).json().error.code).toBe('user_not_found');
    expect((await get(`/api/v1/users/${author.id}/posts`)).statusCode).toBe(401);
    expect((await get(`/api/v1/users/${author.id}/posts?limit=101`, author)).statusCode).toBe(422);
    expect((await get(`/api/v1/users/${author.id}/posts?sort=old`, author)).statusCode).toBe(422);
  });
});
