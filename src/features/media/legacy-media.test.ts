import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeUser, type TestUser } from '../../../test/factories.js';
import { createTestApp, type TestApp } from '../../../test/harness.js';
import { png } from '../../../test/media-samples.js';
import { queryRows } from '../../infra/db/rows.js';
import { createGoal } from '../goals/goals.test-helpers.js';
import { http, imagePart, NO_RATE_LIMITS, type PostJson } from '../posts/posts.test-helpers.js';
import { postStory } from '../stories/stories.test-helpers.js';
import { expectPublic, expectSigned, fetchUrl } from './media.test-helpers.js';

let t: TestApp;
let author: TestUser;
let scratch: string;

beforeAll(async () => {
  t = await createTestApp({ env: NO_RATE_LIMITS });
  author = await makeUser(t.ctx);
  scratch = await mkdtemp(path.join(os.tmpdir(), 'tribe-legacy-media-'));
});
afterAll(async () => {
  await t?.close();
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

/** Stores a public upload as the code before private keys did, for `purpose` of `ownerId`. */
async function legacyPublicUpload(purpose: 'story' | 'goal', ownerId: string) {
  const file = path.join(scratch, randomUUID());
  const data = await png(40, 30);
  await writeFile(file, data);
  return t.ctx.services.media.store(purpose, ownerId, { path: file, size: data.length }, { allowVideo: false, access: 'public' });
}

const column = async (query: ReturnType<typeof sql>) => (await queryRows<{ v: string }>(t.ctx.database.db, query))[0]!.v;

describe('issue 14.3: npm run media:secure moves media stored with public URLs before private keys to private keys', () => {
  it('friends-only posts, stories and goal images get private keys; their old public URLs 404; public posts stay; a second run moves nothing', async () => {
    const { postForm, get } = http(() => t);
    const hidden = (await postForm([await imagePart(), { name: 'visibility', value: 'public' }], author)).json<PostJson>();
    await t.ctx.database.db.execute(sql`update posts set visibility = 'friends' where id = ${hidden.id}`); // as a legacy row
    const open = (await postForm([await imagePart(), { name: 'visibility', value: 'public' }], author)).json<PostJson>();

    const story = await postStory(t, author);
    const storyMedia = await legacyPublicUpload('story', story.id);
    await t.ctx.database.db.execute(sql`update stories set media_url = ${storyMedia.ref}, media_thumbnail_url = ${storyMedia.thumbnailRef} where id = ${story.id}`);
    const goal = await createGoal(t, author);
    const goalImage = await legacyPublicUpload('goal', goal.id);
    await t.ctx.database.db.execute(sql`update goals set image_url = ${goalImage.ref} where id = ${goal.id}`);
    for (const url of [hidden.media_url!, storyMedia.ref, goalImage.ref]) expect((await fetchUrl(t, url)).statusCode).toBe(200);

    expect(await t.ctx.services.posts.secureLegacyMedia()).toBe(1);
    expect(await t.ctx.services.stories.secureLegacyMedia()).toBe(1);
    expect(await t.ctx.services.goals.secureLegacyImages()).toBe(1);

    for (const url of [hidden.media_url!, storyMedia.ref, storyMedia.thumbnailRef, goalImage.ref]) expect((await fetchUrl(t, url)).statusCode).toBe(404);
    expect(await column(sql`select media_url as v from posts where id = ${hidden.id}`)).toMatch(/^private\/posts\//);
    expect(await column(sql`select media_url as v from stories where id = ${story.id}`)).toMatch(/^private\/stories\//);
    expect(await column(sql`select image_url as v from goals where id = ${goal.id}`)).toMatch(/^private\/goals\//);
    const now = (await get(`/api/v1/posts/${hidden.id}`, author)).json<PostJson>();
    expectSigned(now.media_url);
    expect((await fetchUrl(t, now.media_url!)).statusCode).toBe(200);

    const stillOpen = (await get(`/api/v1/posts/${open.id}`, author)).json<PostJson>();
    expectPublic(stillOpen.media_url);
    expect(stillOpen.media_url).toBe(open.media_url);

    expect(await t.ctx.services.posts.secureLegacyMedia()).toBe(0);
    expect(await t.ctx.services.stories.secureLegacyMedia()).toBe(0);
    expect(await t.ctx.services.goals.secureLegacyImages()).toBe(0);
  });
});
