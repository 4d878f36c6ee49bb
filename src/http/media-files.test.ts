import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeFriends, makeUser, type TestUser } from '../../test/factories.js';
import { createTestApp, type TestApp } from '../../test/harness.js';
import { fetchUrl, unsigned, withParam } from '../features/media/media.test-helpers.js';
import { http, imagePart, NO_RATE_LIMITS } from '../features/posts/posts.test-helpers.js';
import { FakeClock } from '../infra/clock/clock.js';

const clock = new FakeClock(new Date());
let t: TestApp;
let author: TestUser;
let friend: TestUser;
/** A friends-only post's media URLs, as its author got them. */
let media: { url: string; thumb: string };

beforeAll(async () => {
  t = await createTestApp({ env: { ...NO_RATE_LIMITS, MEDIA_SIGNED_URL_TTL_SECONDS: '600' }, clock });
  author = await makeUser(t.ctx);
  friend = await makeUser(t.ctx);
  await makeFriends(t.ctx, author, friend);
  const res = await http(() => t).postForm([await imagePart(), { name: 'visibility', value: 'friends' }], author);
  expect(res.statusCode, res.body).toBe(201);
  media = { url: res.json().media_url, thumb: res.json().media_thumbnail_url };
});
afterAll(async () => t?.close());

describe('issue 14.3: the /media/ route serves private keys only with a valid, unexpired signature', () => {
  it('with its signature: 200, the bytes, Cache-Control: private with the seconds left (between the TTL and one bucket more)', async () => {
    const res = await fetchUrl(t, media.url);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('image/jpeg');
    const maxAge = Number(/^private, max-age=(\d+)$/.exec(String(res.headers['cache-control']))?.[1]);
    expect(maxAge).toBeGreaterThan(600);
    expect(maxAge).toBeLessThanOrEqual(650); // 600 s TTL + a 50 s bucket
    expect(res.headers['cache-control']).not.toMatch(/public|immutable/);
    expect(res.rawPayload.length).toBeGreaterThan(100);
    expect((await fetchUrl(t, media.thumb)).statusCode).toBe(200);
  });

  it('without a signature: 403 invalid_media_link; the key without its private/ prefix is not a public file (404)', async () => {
    const res = await fetchUrl(t, unsigned(media.url));
    expect(res.statusCode).toBe(403);
    expect(res.json()).toMatchObject({ error: { code: 'invalid_media_link' } });
    expect((await fetchUrl(t, withParam(unsigned(media.url), 'exp', '99999999999'))).statusCode).toBe(403);
    expect(res.headers['cache-control'] ?? '').not.toMatch(/public/);
    expect((await fetchUrl(t, unsigned(media.url).replace('/media/private/', '/media/'))).statusCode).toBe(404);
    expect((await fetchUrl(t, unsigned(media.url).replace('/media/private/', '/media/private/../'))).statusCode).toBeGreaterThanOrEqual(400);
  });

  it('a tampered signature, expiry or key: 403', async () => {
    const sig = new URL(media.url).searchParams.get('sig')!;
    const flipped = `${sig[0] === 'A' ? 'B' : 'A'}${sig.slice(1)}`;
    expect((await fetchUrl(t, withParam(media.url, 'sig', flipped))).statusCode).toBe(403);
    expect((await fetchUrl(t, withParam(media.url, 'sig', `${sig.slice(0, -1)}${sig.endsWith('A') ? 'B' : 'A'}`))).statusCode).toBe(403);
    const exp = Number(new URL(media.url).searchParams.get('exp'));
    expect((await fetchUrl(t, withParam(media.url, 'exp', String(exp + 86_400)))).statusCode).toBe(403);
    // The thumbnail's key with the large variant's signature.
    const thumbKeyWithLargeSig = `${unsigned(media.thumb)}${new URL(media.url).search}`;
    expect((await fetchUrl(t, thumbKeyWithLargeSig)).statusCode).toBe(403);
  });

  it('once expired: 403, and the post answers a fresh URL that works', async () => {
    const exp = Number(new URL(media.url).searchParams.get('exp'));
    clock.set(new Date(exp * 1000));
    try {
      expect((await fetchUrl(t, media.url)).statusCode).toBe(403);
      const again = await t.app.inject({ method: 'GET', url: `/api/v1/posts/${media.url.split('/posts/')[1]!.split('/')[0]}`, headers: friend.auth });
      expect(again.statusCode, again.body).toBe(200);
      const fresh = again.json<{ media_url: string }>().media_url;
      expect(fresh).not.toBe(media.url);
      expect(unsigned(fresh)).toBe(unsigned(media.url));
      expect((await fetchUrl(t, fresh)).statusCode).toBe(200);
    } finally {
      clock.set(new Date());
    }
  });

  it('a public post’s media: a public URL, served to anyone with a year of immutable caching', async () => {
    const res = await http(() => t).postForm([await imagePart(), { name: 'visibility', value: 'public' }], author);
    const url = res.json<{ media_url: string }>().media_url;
    expect(url).not.toContain('?');
    expect(url).not.toContain('/private/');
    const served = await fetchUrl(t, url);
    expect(served.statusCode).toBe(200);
    expect(served.headers['cache-control']).toBe('public, max-age=31536000, immutable');
  });
});
