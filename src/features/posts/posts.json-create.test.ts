import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countRows, makeUser } from '../../../test/factories.js';
import { createTestApp, type TestApp } from '../../../test/harness.js';
import { multipart } from '../../../test/media-samples.js';
import { countOf, http, imagePart, NO_RATE_LIMITS, UNKNOWN_ID, type PostJson } from './posts.test-helpers.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ env: NO_RATE_LIMITS });
});
afterAll(async () => t.close());

const { get, post, postForm } = http(() => t);
const postsOf = (userId: string) => countOf(t.ctx, sql`select count(*) from posts where user_id = ${userId}`);

describe('issue 15.11: text posts as JSON, and a create that answers what GET shows', () => {
  it('a JSON text post → 201 whose body deep-equals the GET that follows', async () => {
    const me = await makeUser(t.ctx);
    const res = await post('/api/v1/posts', { caption: 'Day one.\nRan 3 km.', visibility: 'public' }, me);
    expect(res.statusCode, res.body).toBe(201);
    const created = res.json<PostJson>();
    expect(created).toMatchObject({
      caption: 'Day one.\nRan 3 km.',
      post_type: 'text',
      visibility: 'public',
      media_url: null,
      is_archived: false,
      is_liked_by_me: false,
      time_ago: expect.any(String),
      updated_at: expect.any(String),
    });
    const read = await get(`/api/v1/posts/${created.id}`, me);
    expect(read.statusCode).toBe(200);
    expect(created).toEqual(read.json());
  });

  it('JSON defaults: visibility friends, no goal; a goal id is kept (lower case)', async () => {
    const me = await makeUser(t.ctx);
    const goal = await t.app.inject({
      method: 'POST',
      url: '/api/v1/goals',
      headers: me.auth,
      payload: { title: 'Read 12 books', goal_type: 'individual', target_type: 'amount', target_amount: 12 },
    });
    const goalId = goal.json<{ id: string }>().id;
    const plain = await post('/api/v1/posts', { caption: 'Hello' }, me);
    expect(plain.json()).toMatchObject({ visibility: 'friends', goal: null });
    const withGoal = await post('/api/v1/posts', { caption: 'Chapter 1', goal_id: goalId.toUpperCase() }, me);
    expect(withGoal.statusCode, withGoal.body).toBe(201);
    expect(withGoal.json()).toMatchObject({ goal: { id: goalId, title: 'Read 12 books' } });
  });

  it('multipart still works and now answers the GET shape too (text and photo)', async () => {
    const me = await makeUser(t.ctx);
    const text = await postForm([{ name: 'caption', value: 'form text' }], me);
    expect(text.statusCode, text.body).toBe(201);
    expect(text.json()).toEqual((await get(`/api/v1/posts/${text.json<PostJson>().id}`, me)).json());
    const photo = await postForm([await imagePart(), { name: 'caption', value: 'form photo' }], me);
    expect(photo.statusCode, photo.body).toBe(201);
    const photoBody = photo.json<PostJson>();
    expect(photoBody.post_type).toBe('photo');
    const photoRead = (await get(`/api/v1/posts/${photoBody.id}`, me)).json<PostJson>();
    expect(Object.keys(photoBody).sort()).toEqual(Object.keys(photoRead).sort());
  });

  it('JSON with a media field → 415 multipart_required naming it; nothing written', async () => {
    const me = await makeUser(t.ctx);
    for (const payload of [
      { caption: 'x', image: 'data:image/png;base64,AAAA' },
      { caption: 'x', media_url: 'https://example.com/a.jpg' },
      { video: 'x' },
    ]) {
      const res = await post('/api/v1/posts', payload, me);
      expect(res.statusCode, res.body).toBe(415);
      expect(res.json().error.code).toBe('multipart_required');
      expect(res.json().error.details[0].field).toBe(Object.keys(payload).find((k) => k !== 'caption'));
    }
    expect(await postsOf(me.id)).toBe(0);
  });

  it('JSON bad input → 422 naming the field, nothing written; no token → 401', async () => {
    const me = await makeUser(t.ctx);
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ caption: 'x'.repeat(2201) }, 'caption'],
      [{ caption: 'ok', visibility: 'everyone' }, 'visibility'],
      [{ caption: 'ok', goal_id: 'not-a-uuid' }, 'goal_id'],
      [{ caption: 'ok', mood: 'happy' }, 'mood'],
      [{ caption: 'bell\u0007' }, 'caption'],
      [{ caption: 42 }, 'caption'],
    ];
    for (const [payload, field] of cases) {
      const res = await post('/api/v1/posts', payload, me);
      expect(res.statusCode, JSON.stringify(payload)).toBe(422);
      expect(JSON.stringify(res.json().error.details ?? []), res.body).toContain(field);
    }
    const blank = await post('/api/v1/posts', { caption: '   ' }, me);
    expect(blank.statusCode).toBe(422);
    const foreignGoal = await post('/api/v1/posts', { caption: 'ok', goal_id: UNKNOWN_ID }, me);
    expect(foreignGoal.statusCode).toBe(422);
    expect(foreignGoal.json().error.code).toBe('invalid_goal');
    expect(await postsOf(me.id)).toBe(0);
    const before = await countRows(t.ctx, 'posts');
    expect((await post('/api/v1/posts', { caption: 'anonymous' })).statusCode).toBe(401);
    expect(await countRows(t.ctx, 'posts')).toBe(before);
  });

  it('another content type (text/plain) → 415; a JSON post costs no upload budget', async () => {
    const me = await makeUser(t.ctx);
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/posts',
      headers: { ...me.auth, 'content-type': 'text/plain' },
      payload: 'caption=hello',
    });
    expect(res.statusCode).toBe(415);
    expect(await postsOf(me.id)).toBe(0);
  });
});

describe('issue 15.11: a JSON text post under the rate limits', () => {
  let limited: TestApp;
  beforeAll(async () => {
    limited = await createTestApp();
  });
  afterAll(async () => limited.close());

  it('long JSON captions written with \\u escapes stay text posts: 11 of them spend none of the 10 uploads per hour', async () => {
    const me = await makeUser(limited.ctx);
    // 2,200 emoji as \ud83d\ude00 escapes: about 26 kB of JSON, over the multipart text-post size.
    const payload = `{"caption":"${'\\ud83d\\ude00'.repeat(2200)}"}`;
    for (let i = 0; i < 11; i++) {
      const res = await limited.app.inject({
        method: 'POST',
        url: '/api/v1/posts',
        headers: { ...me.auth, 'content-type': 'application/json' },
        payload,
      });
      expect(res.statusCode, res.body).toBe(201);
    }
    const form = multipart([await imagePart()]);
    const photo = await limited.app.inject({ method: 'POST', url: '/api/v1/posts', headers: { ...me.auth, ...form.headers }, payload: form.payload });
    expect(photo.statusCode, photo.body).toBe(201);
  });
});
