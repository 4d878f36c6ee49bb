import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeFriends, makeUser, type TestUser } from '../../../test/factories.js';
import { createTestApp, type TestApp } from '../../../test/harness.js';
import { FakeClock } from '../../infra/clock/clock.js';
import { expectSigned, fetchUrl, unsigned } from '../media/media.test-helpers.js';
import { postStory, postStoryParts, videoPart } from './stories.test-helpers.js';

const clock = new FakeClock(new Date());
let t: TestApp;
let owner: TestUser;
let friend: TestUser;
let stranger: TestUser;

beforeAll(async () => {
  t = await createTestApp({ env: { RATE_LIMIT_ENABLED: 'false' }, clock });
  [owner, friend, stranger] = await Promise.all([makeUser(t.ctx), makeUser(t.ctx), makeUser(t.ctx)]);
  await makeFriends(t.ctx, owner, friend);
});
afterAll(async () => t?.close());

type StoryJson = { id: string; media_url: string; media_thumbnail_url: string };

describe('issue 14.3: story media are private, served through short-lived signed URLs', () => {
  it('the create answer, the friend’s tray and the story carry signed URLs that serve the media with Cache-Control: private', async () => {
    const story = (await postStory(t, owner)) as unknown as StoryJson;
    expectSigned(story.media_url);
    expectSigned(story.media_thumbnail_url);
    const tray = await t.app.inject({ method: 'GET', url: '/api/v1/stories', headers: friend.auth });
    const group = tray.json<{ stories: Array<{ user: { id: string }; stories: StoryJson[] }> }>().stories.find((g) => g.user.id === owner.id);
    const inTray = group?.stories.find((s) => s.id === story.id);
    expectSigned(inTray?.media_url);
    const one = await t.app.inject({ method: 'GET', url: `/api/v1/stories/${story.id}`, headers: friend.auth });
    expectSigned(one.json<StoryJson>().media_url);
    const served = await fetchUrl(t, inTray!.media_url);
    expect(served.statusCode).toBe(200);
    expect(served.headers['cache-control']).toMatch(/^private, max-age=\d+$/);
    expect((await fetchUrl(t, unsigned(story.media_url))).statusCode).toBe(403);
  });

  it('a video story’s URLs are signed too', async () => {
    const res = await postStoryParts(t, owner, [videoPart()]);
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json<StoryJson>().media_url).toMatch(/original\.mp4\?/);
    expectSigned(res.json<StoryJson>().media_url);
  });

  it('a stranger gets no URL (404); a URL handed out before stops working within its lifetime (403 after expiry)', async () => {
    const story = (await postStory(t, owner)) as unknown as StoryJson;
    expect((await t.app.inject({ method: 'GET', url: `/api/v1/stories/${story.id}`, headers: stranger.auth })).statusCode).toBe(404);
    const exp = expectSigned(story.media_url);
    clock.set(new Date(exp * 1000 + 1000));
    try {
      expect((await fetchUrl(t, story.media_url)).statusCode).toBe(403);
    } finally {
      clock.set(new Date());
    }
  });

  it('deleting the story deletes its media: even a valid signed URL then 404s', async () => {
    const story = (await postStory(t, owner)) as unknown as StoryJson;
    expect((await t.app.inject({ method: 'DELETE', url: `/api/v1/stories/${story.id}`, headers: owner.auth })).statusCode).toBe(204);
    expect((await fetchUrl(t, story.media_url)).statusCode).toBe(404);
  });
});
