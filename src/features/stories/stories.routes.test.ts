import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countRows, makeBlock, makeFriends, makeUser, type TestUser } from '../../../test/factories.js';
import { createTestApp, type TestApp } from '../../../test/harness.js';
import { FakeClock } from '../../infra/clock/clock.js';
import { call, HOUR, postStory, relogin, storyFiles } from './stories.test-helpers.js';

let t: TestApp;
const clock = new FakeClock('2026-03-01T10:00:00Z');
const UNKNOWN = '00000000-0000-4000-8000-000000000000';

beforeAll(async () => {
  t = await createTestApp({ clock, env: { RATE_LIMIT_ENABLED: 'false' } });
});
afterAll(async () => t.close());

/** An author, their friend, a stranger, and a user the author blocked. */
async function world() {
  const [author, friend, stranger, blocked] = await Promise.all([makeUser(t.ctx), makeUser(t.ctx), makeUser(t.ctx), makeUser(t.ctx)]);
  await makeFriends(t.ctx, author, friend);
  await makeBlock(t.ctx, author, blocked);
  return { author, friend, stranger, blocked };
}

describe('GET /api/v1/stories/:storyId', () => {
  it('the author and a friend see it; a stranger, a blocked user and an unknown id get 404 story_not_found', async () => {
    const { author, friend, stranger, blocked } = await world();
    const story = await postStory(t, author);
    const own = await call(t, 'GET', `/api/v1/stories/${story.id}`, author);
    expect(own.statusCode).toBe(200);
    expect(own.json()).toMatchObject({ id: story.id, user_id: author.id, user: { id: author.id, username: author.username }, viewed_by_me: false });
    expect((await call(t, 'GET', `/api/v1/stories/${story.id}`, friend)).statusCode).toBe(200);
    for (const who of [stranger, blocked]) {
      const res = await call(t, 'GET', `/api/v1/stories/${story.id}`, who);
      expect(res.statusCode).toBe(404);
      expect(res.json().error.code).toBe('story_not_found');
      expect(res.body).not.toContain(author.id);
    }
    expect((await call(t, 'GET', `/api/v1/stories/${UNKNOWN}`, author)).json().error.code).toBe('story_not_found');
  });

  it('a block either way hides a friend’s story (the friend blocked the author after)', async () => {
    const { author, friend } = await world();
    const story = await postStory(t, author);
    await makeBlock(t.ctx, friend, author); // friendship row left in place on purpose: the block alone must hide it
    expect((await call(t, 'GET', `/api/v1/stories/${story.id}`, friend)).statusCode).toBe(404);
    expect((await call(t, 'GET', '/api/v1/stories', friend)).json().stories).toEqual([]);
  });

  it('a deactivated author’s stories are hidden from friends', async () => {
    const { author, friend } = await world();
    const story = await postStory(t, author);
    await t.ctx.database.db.execute(sql`update users set is_active = false where id = ${author.id}`);
    expect((await call(t, 'GET', `/api/v1/stories/${story.id}`, friend)).statusCode).toBe(404);
    expect((await call(t, 'GET', '/api/v1/stories', friend)).json().stories).toEqual([]);
  });

  it('401 without a token; 422 for a non-UUID id', async () => {
    const u = await makeUser(t.ctx);
    expect((await call(t, 'GET', `/api/v1/stories/${UNKNOWN}`)).statusCode).toBe(401);
    expect((await call(t, 'GET', '/api/v1/stories/not-a-uuid', u)).statusCode).toBe(422);
  });
});

describe('POST /api/v1/stories/:storyId/view', () => {
  it('records one view per friend (repeats are no-ops), never the author’s own; viewed_by_me follows', async () => {
    const { author, friend } = await world();
    const story = await postStory(t, author);
    const viewed: string[] = [];
    const off = t.ctx.bus.onCommit('story.viewed', (e) => void viewed.push(e.viewerId));
    for (let i = 0; i < 3; i++) expect((await call(t, 'POST', `/api/v1/stories/${story.id}/view`, friend)).statusCode).toBe(204);
    expect((await call(t, 'POST', `/api/v1/stories/${story.id}/view`, author)).statusCode).toBe(204);
    await t.ctx.bus.drain();
    off();
    expect(viewed).toEqual([friend.id]);
    const seen = await call(t, 'GET', `/api/v1/stories/${story.id}`, friend);
    expect(seen.json()).toMatchObject({ views_count: 1, viewed_by_me: true });
    const views = (await call(t, 'GET', `/api/v1/stories/${story.id}/views`, author)).json();
    expect(views.users.map((u: { id: string }) => u.id)).toEqual([friend.id]);
  });

  it('a stranger, a blocked user or an unknown story: 404 and nothing recorded; 401 and 422 as usual', async () => {
    const { author, stranger, blocked } = await world();
    const story = await postStory(t, author);
    const before = await countRows(t.ctx, 'story_views');
    for (const who of [stranger, blocked]) expect((await call(t, 'POST', `/api/v1/stories/${story.id}/view`, who)).statusCode).toBe(404);
    expect((await call(t, 'POST', `/api/v1/stories/${UNKNOWN}/view`, author)).statusCode).toBe(404);
    expect((await call(t, 'POST', `/api/v1/stories/${story.id}/view`)).statusCode).toBe(401);
    expect((await call(t, 'POST', '/api/v1/stories/nope/view', author)).statusCode).toBe(422);
    expect(await countRows(t.ctx, 'story_views')).toBe(before);
  });
});

describe('GET /api/v1/stories/:storyId/views', () => {
  it('lists viewers newest first with viewed_at, paged; only the author may ask', async () => {
    const { author, friend, stranger, blocked } = await world();
    const f2 = await makeUser(t.ctx);
    await makeFriends(t.ctx, f2, author);
    const story = await postStory(t, author);
    await call(t, 'POST', `/api/v1/stories/${story.id}/view`, friend);
    clock.advance(60_000);
    await call(t, 'POST', `/api/v1/stories/${story.id}/view`, f2);
    const res = await call(t, 'GET', `/api/v1/stories/${story.id}/views?limit=1`, author);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      users: [{ id: f2.id, username: f2.username, full_name: expect.any(String), profile_image_url: null, viewed_at: clock.now().toISOString() }],
      pagination: { page: 1, limit: 1, total: 2, total_pages: 2 },
    });
    const page2 = (await call(t, 'GET', `/api/v1/stories/${story.id}/views?limit=1&page=2`, author)).json();
    expect(page2.users[0].id).toBe(friend.id);
    for (const who of [friend, stranger, blocked]) {
      const other = await call(t, 'GET', `/api/v1/stories/${story.id}/views`, who);
      expect(other.statusCode).toBe(404);
      expect(other.json().error.code).toBe('story_not_found');
    }
    expect((await call(t, 'GET', `/api/v1/stories/${story.id}/views`)).statusCode).toBe(401);
    expect((await call(t, 'GET', `/api/v1/stories/${story.id}/views?limit=101`, author)).statusCode).toBe(422);
  });
});

describe('DELETE /api/v1/stories/:storyId', () => {
  it('the author deletes the story, its views and its media → 204; then 404', async () => {
    const { author, friend } = await world();
    const story = await postStory(t, author);
    await call(t, 'POST', `/api/v1/stories/${story.id}/view`, friend);
    expect(storyFiles(t, story.id).length).toBeGreaterThan(0);
    expect((await call(t, 'DELETE', `/api/v1/stories/${story.id}`, author)).statusCode).toBe(204);
    expect(storyFiles(t, story.id)).toEqual([]);
    expect((await call(t, 'GET', `/api/v1/stories/${story.id}`, author)).statusCode).toBe(404);
    expect((await call(t, 'DELETE', `/api/v1/stories/${story.id}`, author)).statusCode).toBe(404);
  });

  it('a friend gets 403 not_story_owner, a stranger or blocked user 404; nothing is deleted', async () => {
    const { author, friend, stranger, blocked } = await world();
    const story = await postStory(t, author);
    const res = await call(t, 'DELETE', `/api/v1/stories/${story.id}`, friend);
    expect(res.statusCode).toBe(403);
    expect(res.json().error.code).toBe('not_story_owner');
    for (const who of [stranger, blocked]) expect((await call(t, 'DELETE', `/api/v1/stories/${story.id}`, who)).statusCode).toBe(404);
    expect((await call(t, 'DELETE', `/api/v1/stories/${story.id}`)).statusCode).toBe(401);
    expect((await call(t, 'DELETE', '/api/v1/stories/123', author)).statusCode).toBe(422);
    expect((await call(t, 'GET', `/api/v1/stories/${story.id}`, author)).statusCode).toBe(200);
    expect(storyFiles(t, story.id).length).toBeGreaterThan(0);
  });
});

describe('GET /api/v1/stories', () => {
  it('groups: own first, then friends with unviewed stories, then all-viewed; most recent first; stories oldest first', async () => {
    const me = await makeUser(t.ctx);
    const [a, b, c, stranger, blocker] = await Promise.all([1, 2, 3, 4, 5].map(() => makeUser(t.ctx)));
    for (const f of [a!, b!, c!, blocker!]) await makeFriends(t.ctx, me, f);
    const post = async (who: TestUser) => {
      clock.advance(60_000);
      return postStory(t, who);
    };
    const a1 = await post(a!);
    const c1 = await post(c!);
    const b1 = await post(b!);
    const a2 = await post(a!);
    await post(stranger!);
    await post(blocker!);
    await makeBlock(t.ctx, blocker!, me);
    const mine = await post(me);
    // c's only story is viewed, so c goes after a and b even though c posted before b.
    await call(t, 'POST', `/api/v1/stories/${c1.id}/view`, me);
    await call(t, 'POST', `/api/v1/stories/${a1.id}/view`, me);

    const res = await call(t, 'GET', '/api/v1/stories', me);
    expect(res.statusCode).toBe(200);
    const groups = res.json().stories as Array<{ user: { id: string }; stories: Array<{ id: string; viewed_by_me: boolean }>; has_unviewed: boolean }>;
    expect(groups.map((g) => g.user.id)).toEqual([me.id, a!.id, b!.id, c!.id]);
    expect(groups[0]!.stories.map((s) => s.id)).toEqual([mine.id]);
    expect(groups[1]).toMatchObject({
      has_unviewed: true,
      stories: [
        { id: a1.id, viewed_by_me: true },
        { id: a2.id, viewed_by_me: false },
      ],
    });
    expect(groups[2]).toMatchObject({ has_unviewed: true, stories: [{ id: b1.id }] });
    expect(groups[3]).toMatchObject({ has_unviewed: false, stories: [{ id: c1.id, viewed_by_me: true }] });
    expect(groups[1]!.stories[0]).toEqual({
      id: a1.id,
      // The same object; the signature may be of a later time bucket (the clock moved).
      media_url: expect.stringContaining(String(a1.media_url).split('?')[0]!),
      media_thumbnail_url: expect.stringContaining(String(a1.media_thumbnail_url).split('?')[0]!),
      media_type: 'image',
      duration: 5,
      views_count: 1,
      viewed_by_me: true,
      expires_at: a1.expires_at,
      created_at: a1.created_at,
    });
  });

  it('without stories, an empty list; 401 without a token', async () => {
    const u = await makeUser(t.ctx);
    expect((await call(t, 'GET', '/api/v1/stories', u)).json()).toEqual({ stories: [] });
    expect((await call(t, 'GET', '/api/v1/stories')).statusCode).toBe(401);
  });
});

describe('expiry', () => {
  it('a story disappears from GET /stories and GET /stories/:id once 24 hours have passed', async () => {
    const { author, friend } = await world();
    const story = await postStory(t, author);
    clock.advance(24 * HOUR - 1000);
    await relogin(t, author, friend);
    expect((await call(t, 'GET', `/api/v1/stories/${story.id}`, friend)).statusCode).toBe(200);
    expect((await call(t, 'GET', '/api/v1/stories', friend)).json().stories.map((g: { user: { id: string } }) => g.user.id)).toContain(author.id);
    clock.advance(1000);
    await relogin(t, author, friend);
    for (const who of [author, friend]) {
      expect((await call(t, 'GET', `/api/v1/stories/${story.id}`, who)).statusCode).toBe(404);
      expect((await call(t, 'POST', `/api/v1/stories/${story.id}/view`, who)).statusCode).toBe(404);
      const tray = (await call(t, 'GET', '/api/v1/stories', who)).json().stories;
      expect(tray.flatMap((g: { stories: Array<{ id: string }> }) => g.stories.map((s) => s.id))).not.toContain(story.id);
    }
  });
});
