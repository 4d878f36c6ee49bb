import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../../infra/db/rows.js';
import { countRows, makeFriends, makeUser, type TestUser } from '../../../test/factories.js';
import { recordEvents } from '../../../test/capture.js';
import { createTestApp, type TestApp } from '../../../test/harness.js';

/**
 * Blocking is one use case over three features (settings' block, friends' friendship and its
 * friends-inbox rows, partners' partnership) and commits once: a failure anywhere undoes all of it.
 * The failure is real: a trigger in this test's database refuses to end the partnership, the last
 * write of the use case, after the block row is written and the friendship deleted.
 */
let t: TestApp;

beforeAll(async () => {
  t = await createTestApp({ env: { RATE_LIMIT_ENABLED: 'false' } });
});
afterAll(async () => t.close());

const pair = (table: string, a: string, b: string, x: TestUser, y: TestUser, extra = '') =>
  `${table} where ((${a} = '${x.id}' and ${b} = '${y.id}') or (${a} = '${y.id}' and ${b} = '${x.id}'))${extra}`;

/** Friends with an active partnership, and a friends-only post of `b` in `a`'s friends inbox. */
async function friendsAndPartners(): Promise<{ a: TestUser; b: TestUser; partnershipId: string }> {
  const a = await makeUser(t.ctx);
  const b = await makeUser(t.ctx);
  await makeFriends(t.ctx, a, b);
  const { row } = await t.ctx.services.partners.propose(a.id, b.id, 'weekly');
  await t.ctx.services.partners.accept(b.id, row.id);
  await t.ctx.services.posts.create(b.id, { caption: 'Day one', goalId: null, visibility: 'friends' });
  await t.ctx.bus.drain();
  return { a, b, partnershipId: row.id };
}

/**
 * The subscriber jobs (the transactional outbox: pending, done or archived) of these events that
 * name both users, per event.
 */
async function outboxJobs(a: TestUser, b: TestUser): Promise<Record<string, number>> {
  const rows = await queryRows<{ event: string; n: number }>(
    t.ctx.database.db,
    sql`select data->>'event' as event, count(*)::int as n
        from (select data from pgboss.job union all select data from pgboss.archive) j
        where data->>'event' in ('friend.removed', 'partner.status_changed', 'user.blocked')
          and data->>'payload' like ${`%${a.id}%`} and data->>'payload' like ${`%${b.id}%`}
        group by 1`,
  );
  return Object.fromEntries(rows.map((r) => [r.event, r.n]));
}

async function state(a: TestUser, b: TestUser) {
  return {
    blocks: await countRows(t.ctx, pair('blocked_users', 'blocker_id', 'blocked_id', a, b)),
    friendships: await countRows(t.ctx, pair('friendships', 'user_id', 'friend_id', a, b, ` and status = 'accepted'`)),
    livePartnerships: await countRows(t.ctx, pair('accountability_partners', 'user_id', 'partner_id', a, b, ` and status = 'active'`)),
    inboxRows: await countRows(t.ctx, `friends_inbox where user_id = '${a.id}'`),
  };
}

describe('blocking commits once', () => {
  it('when ending the partnership fails, the block, the friendship and its friends-inbox rows are all as before, and no event is published (no job either)', async () => {
    const { a, b } = await friendsAndPartners();
    const before = await state(a, b);
    expect(before).toEqual({ blocks: 0, friendships: 1, livePartnerships: 1, inboxRows: 1 });
    const db = t.ctx.database.db;
    await db.execute(sql.raw(`create function refuse_partnership_end() returns trigger language plpgsql as $$
      begin if new.status = 'ended' then raise exception 'injected: partnership end refused'; end if; return new; end $$`));
    await db.execute(sql.raw('create trigger refuse_partnership_end before update on accountability_partners for each row execute function refuse_partnership_end()'));
    const events = recordEvents(t.ctx, 'friend.removed', 'partner.status_changed', 'user.blocked');
    try {
      const failure = await t.ctx.services.blocks.block(a.id, b.id, null).then(
        () => undefined,
        (err: unknown) => err as Error & { cause?: Error },
      );
      expect(`${failure?.message} ${failure?.cause?.message}`).toContain('injected: partnership end refused');
      expect(await state(a, b)).toEqual(before);
      expect(await events.events()).toEqual([]);
      expect(await outboxJobs(a, b)).toEqual({});
    } finally {
      events.stop();
      await db.execute(sql.raw('drop trigger refuse_partnership_end on accountability_partners'));
      await db.execute(sql.raw('drop function refuse_partnership_end()'));
    }
  });

  it('without the failure, one transaction writes the block and ends the partnership; the events follow the commit in order, their jobs with them', async () => {
    const { a, b, partnershipId } = await friendsAndPartners();
    const events = recordEvents(t.ctx, 'friend.removed', 'partner.status_changed', 'user.blocked');
    try {
      await t.ctx.services.blocks.block(a.id, b.id, null);
      expect(await state(a, b)).toEqual({ blocks: 1, friendships: 0, livePartnerships: 0, inboxRows: 0 });
      // Rows a transaction writes carry its id (xmin): one id means one commit.
      const writers = await queryRows<{ xid: string }>(
        t.ctx.database.db,
        sql`select xmin::text as xid from blocked_users where blocker_id = ${a.id} and blocked_id = ${b.id}
            union select xmin::text from accountability_partners where id = ${partnershipId}`,
      );
      expect(writers).toHaveLength(1);
      expect((await events.events()).map((e) => e.name)).toEqual(['friend.removed', 'partner.status_changed', 'user.blocked']);
      const jobs = await outboxJobs(a, b);
      expect(jobs['friend.removed']).toBeGreaterThan(0);
      expect(jobs['user.blocked']).toBeGreaterThan(0);
    } finally {
      events.stop();
    }
  });
});
