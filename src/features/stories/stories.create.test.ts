import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { countRows, makeUser } from '../../../test/factories.js';
import { createTestApp, type TestApp } from '../../../test/harness.js';
import { multipart } from '../../../test/media-samples.js';
import { FakeClock } from '../../infra/clock/clock.js';
import { StoriesRepo } from './stories.repo.js';
import { HOUR, imagePart, postStory, postStoryParts, storyFiles, videoPart } from './stories.test-helpers.js';

let t: TestApp;
const clock = new FakeClock('2026-03-01T10:00:00Z');

beforeAll(async () => {
  t = await createTestApp({ clock, env: { RATE_LIMIT_ENABLED: 'false' } });
});
afterAll(async () => t.close());

describe('POST /api/v1/stories', () => {
  it('stores an image story under private/stories/{id}/{version}/ and returns the plan body (signed URLs), expiring 24 h later', async () => {
    const u = await makeUser(t.ctx);
    const body = await postStory(t, u, { media_type: 'image', duration: '7' });
    expect(body).toEqual({
      id: expect.any(String),
      user_id: u.id,
      // Issue 15.11: the author's card and viewed_by_me, as GET /stories/:storyId shows it.
      user: { id: u.id, username: u.username, full_name: expect.any(String), profile_image_url: null },
      viewed_by_me: false,
      media_url: expect.stringMatching(new RegExp(`/media/private/stories/${body.id}/[0-9a-f]{24}/original\\.jpg\\?exp=\\d+&sig=`)),
      media_thumbnail_url: expect.stringMatching(new RegExp(`/media/private/stories/${body.id}/[0-9a-f]{24}/thumb\\.jpg\\?exp=\\d+&sig=`)),
      media_type: 'image',
      duration: 7,
      views_count: 0,
      created_at: clock.now().toISOString(),
      expires_at: new Date(clock.now().getTime() + 24 * HOUR).toISOString(),
    });
    expect(storyFiles(t, body.id).sort()).toEqual(['original.jpg', 'thumb.jpg']);
  });

  it('accepts a video (type read from the content), defaulting duration to 5', async () => {
    const u = await makeUser(t.ctx);
    const res = await postStoryParts(t, u, [videoPart()]);
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({ media_type: 'video', duration: 5 });
    expect(res.json().media_url).toMatch(/original\.mp4\?exp=/);
  });

  it('without a token, returns 401 and writes nothing', async () => {
    const before = await countRows(t.ctx, 'stories');
    const res = await postStoryParts(t, undefined, [await imagePart()]);
    expect(res.statusCode).toBe(401);
    expect(await countRows(t.ctx, 'stories')).toBe(before);
  });

  it.each([
    ['duration 0', { duration: '0' }, 'validation_failed', 'duration'],
    ['duration 61', { duration: '61' }, 'validation_failed', 'duration'],
    ['duration "x"', { duration: 'x' }, 'validation_failed', 'duration'],
    ['duration 2.5', { duration: '2.5' }, 'validation_failed', 'duration'],
    ['an unknown media_type', { media_type: 'gif' }, 'validation_failed', 'media_type'],
    ['media_type video for an image', { media_type: 'video' }, 'media_type_mismatch', 'media_type'],
  ])('with %s, returns 422 and leaves no row and no media', async (_name, fields, code, field) => {
    const u = await makeUser(t.ctx);
    const before = await countRows(t.ctx, 'stories');
    const filesBefore = storyFiles(t).length;
    const parts = [await imagePart(), ...Object.entries(fields).map(([name, value]) => ({ name, value }))];
    const res = await postStoryParts(t, u, parts);
    expect(res.statusCode).toBe(422);
    expect(res.json().error.code).toBe(code);
    expect(res.json().error.details[0].field).toBe(field);
    expect(await countRows(t.ctx, 'stories')).toBe(before);
    expect(storyFiles(t).length).toBe(filesBefore);
  });

  it('media_type image for a video is 422 media_type_mismatch, nothing kept', async () => {
    const u = await makeUser(t.ctx);
    const before = await countRows(t.ctx, 'stories');
    const filesBefore = storyFiles(t).length;
    const res = await postStoryParts(t, u, [videoPart(), { name: 'media_type', value: 'image' }]);
    expect(res.statusCode).toBe(422);
    expect(res.json().error.code).toBe('media_type_mismatch');
    expect(await countRows(t.ctx, 'stories')).toBe(before);
    expect(storyFiles(t).length).toBe(filesBefore);
  });

  it('when the insert fails after the media was stored, the media is deleted again (500, nothing left)', async () => {
    const u = await makeUser(t.ctx);
    const filesBefore = storyFiles(t).length;
    const spy = vi.spyOn(StoriesRepo.prototype, 'insert').mockRejectedValueOnce(new Error('database unavailable'));
    try {
      const res = await postStoryParts(t, u, [await imagePart()]);
      expect(res.statusCode).toBe(500);
      expect(res.body).not.toContain('database unavailable');
    } finally {
      spy.mockRestore();
    }
    expect(storyFiles(t).length).toBe(filesBefore);
  });

  it('without a file, returns 422 file_required', async () => {
    const u = await makeUser(t.ctx);
    const res = await postStoryParts(t, u, [{ name: 'duration', value: '5' }]);
    expect(res.statusCode).toBe(422);
    expect(res.json().error.code).toBe('file_required');
  });

  it('with a file that is not an image or video, returns 415 and keeps nothing', async () => {
    const u = await makeUser(t.ctx);
    const before = await countRows(t.ctx, 'stories');
    const filesBefore = storyFiles(t).length;
    const res = await postStoryParts(t, u, [{ name: 'media', filename: 'a.pdf', contentType: 'application/pdf', data: Buffer.from('%PDF-1.4 hello') }]);
    expect(res.statusCode).toBe(415);
    expect(res.json().error.code).toBe('unsupported_media_type');
    expect(await countRows(t.ctx, 'stories')).toBe(before);
    expect(storyFiles(t).length).toBe(filesBefore);
  });

  it('with JSON instead of multipart, returns 415', async () => {
    const u = await makeUser(t.ctx);
    const res = await t.app.inject({ method: 'POST', url: '/api/v1/stories', headers: u.auth, payload: { duration: 5 } });
    expect(res.statusCode).toBe(415);
  });

  it('with the file in another field, returns 422', async () => {
    const u = await makeUser(t.ctx);
    const img = await imagePart();
    const body = multipart([{ ...img, name: 'image' } as never]);
    const res = await t.app.inject({ method: 'POST', url: '/api/v1/stories', headers: { ...body.headers, ...u.auth }, payload: body.payload });
    expect(res.statusCode).toBe(422);
  });
});

describe('upload rate limit', () => {
  it('the 11th story upload within an hour is 429 with Retry-After, and stores nothing', { timeout: 60_000 }, async () => {
    const limited = await createTestApp();
    try {
      const u = await makeUser(limited.ctx);
      for (let i = 0; i < 10; i++) await postStory(limited, u);
      const res = await postStoryParts(limited, u, [await imagePart()]);
      expect(res.statusCode).toBe(429);
      expect(res.headers['retry-after']).toBeDefined();
      expect(await countRows(limited.ctx, 'stories')).toBe(10);
      expect(storyFiles(limited).length).toBe(20);
    } finally {
      await limited.close();
    }
  });
});
