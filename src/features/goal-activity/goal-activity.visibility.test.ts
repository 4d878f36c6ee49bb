import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeBlock, makeFriends, makeUser, setProfileVisibility, type TestUser } from '../../../test/factories.js';
import { createTestApp, type TestApp } from '../../../test/harness.js';
import { queryRows } from '../../infra/db/rows.js';
import { makePartners } from '../goals/goals.test-helpers.js';
import { goalVisibleTo } from '../privacy/goal-visibility.sql.js';

/**
 * The goal activity fan-out decides for every recipient in one INSERT ... SELECT, with the viewer of
 * `goalVisibleTo` as a COLUMN (the recipient row). This checks that form against the bound-id form
 * on every case of the rule.
 */
let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => t.close());

async function goal(creator: TestUser, isPublic: boolean, participants: Array<{ user: TestUser; left?: boolean }> = []): Promise<string> {
  const [row] = await queryRows<{ id: string }>(
    t.ctx.database.db,
    sql`insert into goals (creator_id, title, goal_type, is_public) values (${creator.id}, 'G', 'group', ${isPublic}) returning id`,
  );
  await t.ctx.database.db.execute(sql`insert into goal_participants (goal_id, user_id, role) values (${row!.id}, ${creator.id}, 'creator')`);
  for (const p of participants) {
    await t.ctx.database.db.execute(sql`insert into goal_participants (goal_id, user_id, role, left_at)
      values (${row!.id}, ${p.user.id}, 'member', ${p.left ? sql`now()` : null})`);
  }
  return row!.id;
}

async function both(viewer: TestUser, goalId: string): Promise<{ goals: boolean; feed: boolean }> {
  const [row] = await queryRows<{ a: boolean; b: boolean }>(
    t.ctx.database.db,
    sql`select ${goalVisibleTo(viewer.id)} as a, ${goalVisibleTo(sql.raw('r.id'))} as b
      from goals cross join (values (${viewer.id}::uuid)) as r(id) where goals.id = ${goalId}`,
  );
  return { goals: row!.a, feed: row!.b };
}

describe('goalVisibleTo with the viewer as a column (the fan-out) agrees with the bound-id form', () => {
  it('on every case of the rule', async () => {
    const [creator, openCreator, member, leaver, friend, stranger, partnerActive, partnerPaused, partnerPending, blockedMember, goneCreator] = await Promise.all(
      Array.from({ length: 11 }, () => makeUser(t.ctx)),
    );
    await setProfileVisibility(t.ctx, openCreator!, 'everyone');
    await setProfileVisibility(t.ctx, goneCreator!, 'everyone');
    await makeFriends(t.ctx, goneCreator!, friend!);
    await makeFriends(t.ctx, creator!, friend!);
    await makeFriends(t.ctx, openCreator!, friend!);
    await makePartners(t.ctx, member!, partnerActive!, 'active');
    await makePartners(t.ctx, partnerPaused!, member!, 'paused');
    await makePartners(t.ctx, member!, partnerPending!, 'pending');
    await makeBlock(t.ctx, creator!, blockedMember!);
    await makeBlock(t.ctx, openCreator!, blockedMember!);

    const viewers = { creator, openCreator, member, leaver, friend, stranger, partnerActive, partnerPaused, partnerPending, blockedMember };
    const cases: Record<string, string> = {};
    for (const [owner, ownerName] of [
      [creator!, 'friends_only creator'],
      [openCreator!, 'everyone creator'],
      [goneCreator!, 'deactivated everyone creator'],
    ] as const) {
      for (const isPublic of [false, true]) {
        const id = await goal(owner, isPublic, [{ user: member! }, { user: leaver!, left: true }, { user: blockedMember! }]);
        cases[`${isPublic ? 'public' : 'private'} goal of a ${ownerName}`] = id;
      }
    }

    await t.ctx.database.db.execute(sql`update users set is_active = false, deactivated_at = now() where id = ${goneCreator!.id}`);

    const table: Record<string, Record<string, boolean>> = {};
    for (const [caseName, goalId] of Object.entries(cases)) {
      table[caseName] = {};
      for (const [viewerName, viewer] of Object.entries(viewers)) {
        const { goals, feed } = await both(viewer!, goalId);
        expect(feed, `${viewerName} / ${caseName}`).toBe(goals);
        table[caseName]![viewerName] = goals;
      }
    }
    // The cases really cover both outcomes of each branch.
    expect(table['private goal of a friends_only creator']).toMatchObject({
      creator: true, member: true, leaver: false, friend: false, stranger: false,
      partnerActive: true, partnerPaused: true, partnerPending: false, blockedMember: true,
    });
    // A member keeps the goal they share across a block with its creator (issue 15.9).
    expect(table['public goal of a friends_only creator']).toMatchObject({ friend: true, stranger: false, blockedMember: true });
    expect(table['public goal of a everyone creator']).toMatchObject({ stranger: true, leaver: true, blockedMember: true });
    // A deactivated creator's goal stays with its participants and their partners.
    expect(table['public goal of a deactivated everyone creator']).toMatchObject({
      member: true, partnerActive: true, friend: false, stranger: false, leaver: false,
    });
  });
});
