import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { makeFriends, makeUser, type TestUser } from '../../../test/factories.js';
import { createTestApp, productionMode, type TestApp } from '../../../test/harness.js';
import { FakeClock } from '../../infra/clock/clock.js';
import { queryRows } from '../../infra/db/rows.js';
import { storyCleanupJob } from './stories.job.js';
import { call, HOUR, postStory, relogin, storyFiles } from './stories.test-helpers.js';

let t: TestApp;
const clock = new FakeClock('2026-03-01T10:00:00Z');

beforeAll(async () => {
  t = await createTestApp({ clock, env: { RATE_LIMIT_ENABLED: 'false' } });
});
afterAll(async () => t.close());

const count = async (query: ReturnType<typeof sql>) => Number((await queryRows<{ n: number }>(t.ctx.database.db, query))[0]?.n ?? 0);
const storyExists = (id: string) => count(sql`select count(*)::int as n from stories where id = ${id}`);

describe(`concurrent views (${productionMode ? 'PostgreSQL' : 'PGlite'})`, () => {
  it('100 concurrent views from 25 friends (each 4 times) record 25 rows and views_count 25', { timeout: 120_000 }, async () => {
    const author = await makeUser(t.ctx);
    const viewers: TestUser[] = [];
    for (let i = 0; i < 25; i++) {
      const v = await makeUser(t.ctx);
      await makeFriends(t.ctx, author, v);
      viewers.push(v);
    }
    const story = await postStory(t, author);
    let events = 0;
    const off = t.ctx.bus.onCommit('story.viewed', (e) => {
      if (e.storyId === story.id) events += 1;
    });
    const results = await Promise.all(
      Array.from({ length: 100 }, (_, i) => call(t, 'POST', `/api/v1/stories/${story.id}/view`, viewers[i % 25])),
    );
    await t.ctx.bus.drain();
    off();
    expect(results.map((r) => r.statusCode)).toEqual(Array(100).fill(204));
    expect(await count(sql`select count(*)::int as n from story_views where story_id = ${story.id}`)).toBe(25);
    expect(await count(sql`select views_count as n from stories where id = ${story.id}`)).toBe(25);
    expect(events).toBe(25);
  });
});

describe('the story-cleanup job', () => {
  it('is registered to run every 15 minutes', () => {
    expect(t.ctx.jobs.cronJobs.map((job) => job.name)).toContain('story-cleanup');
    expect(storyCleanupJob(t.ctx.services.stories)).toMatchObject({ name: 'story-cleanup', cron: '*/15 * * * *' });
  });

  it('removes expired stories with their views and media; unexpired stories are untouched', async () => {
    const author = await makeUser(t.ctx);
    const friend = await makeUser(t.ctx);
    await makeFriends(t.ctx, author, friend);
    const old1 = await postStory(t, author);
    const old2 = await postStory(t, friend);
    await call(t, 'POST', `/api/v1/stories/${old1.id}/view`, friend);
    clock.advance(12 * HOUR);
    await relogin(t, author, friend);
    const fresh = await postStory(t, author);
    await call(t, 'POST', `/api/v1/stories/${fresh.id}/view`, friend);
    clock.advance(12 * HOUR);

    await t.ctx.jobs.runCronNow('story-cleanup');

    for (const s of [old1, old2]) {
      expect(await storyExists(s.id)).toBe(0);
      expect(storyFiles(t, s.id)).toEqual([]);
    }
    expect(await count(sql`select count(*)::int as n from story_views where story_id = ${old1.id}`)).toBe(0);
    expect(await storyExists(fresh.id)).toBe(1);
    expect(storyFiles(t, fresh.id).length).toBeGreaterThan(0);
    expect(await count(sql`select count(*)::int as n from story_views where story_id = ${fresh.id}`)).toBe(1);
  });

  it('works through more expired stories than one batch holds', async () => {
    const author = await makeUser(t.ctx);
    const past = new Date(clock.now().getTime() - HOUR).toISOString();
    for (let i = 0; i < 7; i++) {
      await t.ctx.database.db.execute(
        sql`insert into stories (user_id, media_url, media_type, expires_at) values (${author.id}, 'x', 'image', ${past}::timestamptz)`,
      );
    }
    expect(await t.ctx.services.stories.removeExpired(clock.now(), 3)).toEqual({ removed: 7, failed: 0 });
    expect(await count(sql`select count(*)::int as n from stories where user_id = ${author.id}`)).toBe(0);
  });

  it('when a story’s media cannot be deleted, keeps its row and retries on the next run', async () => {
    const author = await makeUser(t.ctx);
    const a = await postStory(t, author);
    const b = await postStory(t, author);
    clock.advance(25 * HOUR);
    const media = t.ctx.services.media;
    const original = media.removeAll.bind(media);
    const spy = vi.spyOn(media, 'removeAll').mockImplementation(async (purpose, id) => {
      if (id === a.id) throw new Error('storage unavailable');
      return original(purpose, id);
    });
    try {
      await t.ctx.jobs.runCronNow('story-cleanup');
    } finally {
      spy.mockRestore();
    }
    expect(await storyExists(a.id)).toBe(1);
    expect(storyFiles(t, a.id).length).toBeGreaterThan(0);
    expect(await storyExists(b.id)).toBe(0);
    expect(storyFiles(t, b.id)).toEqual([]);

    await t.ctx.jobs.runCronNow('story-cleanup');
    expect(await storyExists(a.id)).toBe(0);
    expect(storyFiles(t, a.id)).toEqual([]);
  });
});
