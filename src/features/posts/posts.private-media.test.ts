import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeFriends, makeUser, type TestUser } from '../../../test/factories.js';
import { createTestApp, type TestApp } from '../../../test/harness.js';
import { expectPublic, expectSigned, fetchUrl, unsigned } from '../media/media.test-helpers.js';
import { http, imagePart, NO_RATE_LIMITS, type PostJson } from './posts.test-helpers.js';

let t: TestApp;
let author: TestUser;
let friend: TestUser;
let stranger: TestUser;
const { get, put, postForm } = http(() => t);

beforeAll(async () => {
  t = await createTestApp({ env: NO_RATE_LIMITS });
  [author, friend, stranger] = await Promise.all([makeUser(t.ctx), makeUser(t.ctx), makeUser(t.ctx)]);
  await makeFriends(t.ctx, author, friend);
});
afterAll(async () => t?.close());

async function photoPost(visibility: 'public' | 'friends' | 'private'): Promise<PostJson & { media_thumbnail_url: string }> {
  const res = await postForm([await imagePart(), { name: 'visibility', value: visibility }, { name: 'caption', value: 'day 12' }], author);
  expect(res.statusCode, res.body).toBe(201);
  return res.json();
}

describe('issue 14.3: media of friends-only and private posts are served through short-lived signed URLs', () => {
  it('a friends-only post: its media URLs are signed in the create answer, the post, the author’s list and the friends feed', async () => {
    const post = await photoPost('friends');
    expectSigned(post.media_url);
    expectSigned(post.media_thumbnail_url);
    const seen = [
      (await get(`/api/v1/posts/${post.id}`, friend)).json<PostJson>(),
      (await get(`/api/v1/users/${author.id}/posts`, friend)).json<{ posts: PostJson[] }>().posts.find((p) => p.id === post.id),
      (await get('/api/v1/feed?feed_type=friends', friend)).json<{ posts: PostJson[] }>().posts.find((p) => p.id === post.id),
    ];
    for (const p of seen) {
      expect(p, 'the friend sees the post').toBeDefined();
      expectSigned(p!.media_url);
      expectSigned(p!.media_thumbnail_url);
      expect((await fetchUrl(t, p!.media_url!)).statusCode).toBe(200);
    }
    // Repeated answers within a time bucket give the same URL (clients can cache it).
    expect(seen[0]!.media_url).toBe(post.media_url);
  });

  it('the signed URL serves the image with Cache-Control: private; without the signature the object is refused', async () => {
    const post = await photoPost('friends');
    const served = await fetchUrl(t, post.media_url!);
    expect(served.statusCode).toBe(200);
    expect(served.headers['cache-control']).toMatch(/^private, max-age=\d+$/);
    expect((await fetchUrl(t, unsigned(post.media_url!))).statusCode).toBe(403);
  });

  it('a stranger never gets a URL (the post is 404 for them); a private post’s URL is signed for its author', async () => {
    const post = await photoPost('friends');
    expect((await get(`/api/v1/posts/${post.id}`, stranger)).statusCode).toBe(404);
    expect((await get(`/api/v1/posts/${post.id}`)).statusCode).toBe(401);
    const own = await photoPost('private');
    expectSigned(own.media_url);
    expect((await get(`/api/v1/posts/${own.id}`, friend)).statusCode).toBe(404);
  });

  it('a public post keeps a long-lived public URL with a year of immutable caching', async () => {
    const post = await photoPost('public');
    expectPublic(post.media_url);
    expectPublic(post.media_thumbnail_url);
    const served = await fetchUrl(t, post.media_url!);
    expect(served.statusCode).toBe(200);
    expect(served.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect((await get(`/api/v1/posts/${post.id}`, stranger)).json<PostJson>().media_url).toBe(post.media_url);
  });

  it('narrowing a public post to friends re-keys its media: new signed URLs, and the old public ones 404 (objects deleted)', async () => {
    const post = await photoPost('public');
    const res = await put(`/api/v1/posts/${post.id}`, { visibility: 'friends' }, author);
    expect(res.statusCode, res.body).toBe(200);
    const narrowed = res.json<PostJson & { media_thumbnail_url: string }>();
    expectSigned(narrowed.media_url);
    expectSigned(narrowed.media_thumbnail_url);
    expect(unsigned(narrowed.media_url!)).not.toContain(new URL(post.media_url!).pathname);
    expect((await fetchUrl(t, post.media_url!)).statusCode).toBe(404);
    expect((await fetchUrl(t, post.media_thumbnail_url)).statusCode).toBe(404);
    expect((await fetchUrl(t, narrowed.media_url!)).statusCode).toBe(200);
    expect((await get(`/api/v1/posts/${post.id}`, friend)).json<PostJson>().media_url).toBe(narrowed.media_url);

    // And back: a fresh public URL; the signed one stops working.
    const widened = (await put(`/api/v1/posts/${post.id}`, { visibility: 'public' }, author)).json<PostJson>();
    expectPublic(widened.media_url);
    expect(widened.media_url).not.toBe(post.media_url);
    expect((await fetchUrl(t, widened.media_url!)).statusCode).toBe(200);
    expect((await fetchUrl(t, narrowed.media_url!)).statusCode).toBe(404);
  });

  it('archiving a public post makes its media private too (only its author still sees it)', async () => {
    const post = await photoPost('public');
    const archived = (await put(`/api/v1/posts/${post.id}`, { is_archived: true }, author)).json<PostJson>();
    expectSigned(archived.media_url);
    expect((await fetchUrl(t, post.media_url!)).statusCode).toBe(404);
  });

  it('an edit that keeps the access (a caption, public → public) leaves the URLs alone', async () => {
    const post = await photoPost('friends');
    const edited = (await put(`/api/v1/posts/${post.id}`, { caption: 'day 13', visibility: 'private' }, author)).json<PostJson>();
    expect(unsigned(edited.media_url!)).toBe(unsigned(post.media_url!));
    const open = await photoPost('public');
    expect((await put(`/api/v1/posts/${open.id}`, { caption: 'new' }, author)).json<PostJson>().media_url).toBe(open.media_url);
  });

  it('bad input, another user, no token: nothing is re-keyed', async () => {
    const post = await photoPost('public');
    expect((await put(`/api/v1/posts/${post.id}`, { visibility: 'secret' }, author)).statusCode).toBe(422);
    expect((await put(`/api/v1/posts/${post.id}`, { visibility: 'friends' }, friend)).statusCode).toBe(403);
    expect((await put(`/api/v1/posts/${post.id}`, { visibility: 'friends' }, stranger)).statusCode).toBe(403);
    expect((await put(`/api/v1/posts/${post.id}`, { visibility: 'friends' })).statusCode).toBe(401);
    expect((await get(`/api/v1/posts/${post.id}`, author)).json<PostJson>().media_url).toBe(post.media_url);
    expect((await fetchUrl(t, post.media_url!)).statusCode).toBe(200);
  });

  it('a friends-only post from before private keys (public URLs in the row) is re-keyed on its next edit', async () => {
    const post = await photoPost('public');
    await t.ctx.database.db.execute(sql`update posts set visibility = 'friends' where id = ${post.id}`);
    const healed = (await put(`/api/v1/posts/${post.id}`, { caption: 'edited' }, author)).json<PostJson>();
    expectSigned(healed.media_url);
    expect((await fetchUrl(t, post.media_url!)).statusCode).toBe(404);
  });
});
