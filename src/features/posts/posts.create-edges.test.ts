import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countRows, makeUser } from '../../../test/factories.js';
import { createTestApp, type TestApp } from '../../../test/harness.js';
import { countOf, http, imagePart } from './posts.test-helpers.js';

/** Post creation edges: a failing insert cleans up its media; the upload budget applies to posts with a file only. */
let t: TestApp;
beforeAll(async () => {
  // Rate limits ON here (the default of the test config is the real limits).
  t = await createTestApp();
});
afterAll(async () => t.close());

const { postForm } = http(() => t);
const mediaFiles = () => {
  const dir = path.join(t.dataDir, 'media', 'posts');
  return existsSync(dir) ? readdirSync(dir, { recursive: true }).length : 0;
};

describe('POST /api/v1/posts edges', () => {
  it('when the insert fails after the media were stored: 500, no row, no media left, photos_shared unchanged', async () => {
    const me = await makeUser(t.ctx);
    // Fault injection: the database refuses this one caption.
    await t.ctx.database.db.execute(sql.raw(`create function refuse_boom() returns trigger language plpgsql as $$
      begin if new.caption = 'boom' then raise exception 'injected failure'; end if; return new; end $$`));
    await t.ctx.database.db.execute(sql.raw('create trigger refuse_boom before insert on posts for each row execute function refuse_boom()'));
    try {
      const before = await countRows(t.ctx, 'posts');
      const res = await postForm([await imagePart(), { name: 'caption', value: 'boom' }], me);
      expect(res.statusCode).toBe(500);
      expect(await countRows(t.ctx, 'posts')).toBe(before);
      expect(mediaFiles()).toBe(0);
      expect(await countOf(t.ctx, sql`select photos_shared from users where id = ${me.id}`)).toBe(0);
    } finally {
      await t.ctx.database.db.execute(sql.raw('drop trigger refuse_boom on posts'));
      await t.ctx.database.db.execute(sql.raw('drop function refuse_boom()'));
    }
  });

  it('posts with a file spend the upload budget (10 per hour, 429 after); text posts do not', { timeout: 60_000 }, async () => {
    const me = await makeUser(t.ctx);
    for (let i = 0; i < 10; i++) {
      const res = await postForm([await imagePart()], me);
      expect(res.statusCode, res.body).toBe(201);
    }
    const refused = await postForm([await imagePart()], me);
    expect(refused.statusCode).toBe(429);
    expect(refused.headers['retry-after']).toBeDefined();
    // A large upload is refused by the hook before its body is read.
    const big = await postForm([{ name: 'image', filename: 'big.png', contentType: 'image/png', data: Buffer.alloc(64 * 1024, 1) }], me);
    expect(big.statusCode).toBe(429);
    const text = await postForm([{ name: 'caption', value: 'words still work' }], me);
    expect(text.statusCode, text.body).toBe(201);
    expect(await countOf(t.ctx, sql`select count(*)::int from posts where user_id = ${me.id}`)).toBe(11);
  });
});
