import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../test/harness.js';
import { PreparedStatements } from './postgres-database.js';

describe('PreparedStatements', () => {
  it('names a statement by its text: the same shape reuses its name, another shape gets another', () => {
    const prepared = new PreparedStatements();
    const page = (user: string, limit: number) => prepared.toQuery(sql`select * from posts where user_id = ${user} limit ${limit}`);
    const a = page('u1', 21);
    const b = page('u2', 51);
    const other = prepared.toQuery(sql`select * from users where id = ${'u1'}`);
    expect(a.name).toMatch(/^tribe_[0-9a-f]{24}$/);
    expect(b.name).toBe(a.name);
    expect(b.values).toEqual(['u2', 51]);
    expect(other.name).not.toBe(a.name);
  });

  it('stops naming past 200 shapes (values leaking into the text would otherwise prepare without end)', () => {
    const prepared = new PreparedStatements();
    for (let i = 0; i < 200; i++) expect(prepared.toQuery(sql.raw(`select ${i}`)).name).toBeDefined();
    expect(prepared.toQuery(sql.raw('select 200')).name).toBeUndefined();
    expect(prepared.toQuery(sql.raw('select 7')).name).toBeDefined(); // known shapes keep their name
  });
});

describe('Database.queryPrepared', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => t.close());

  it('returns the rows; on PostgreSQL its sessions always use the generic plan of a prepared statement', async () => {
    const rows = await t.ctx.database.queryPrepared<{ mode: string; n: number }>(
      sql`select current_setting('plan_cache_mode') as mode, ${41}::int + 1 as n`,
    );
    expect(rows).toEqual([{ mode: t.ctx.database.kind === 'postgres' ? 'force_generic_plan' : 'auto', n: 42 }]);
  });
});
