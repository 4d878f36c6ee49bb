import { randomUUID } from 'node:crypto';
import { and, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../test/harness.js';
import { queryRows } from '../../infra/db/rows.js';
import { mayViewGoal, type GoalAccessFacts } from '../goals/goals.policy.js';
import { GoalReadsRepo } from '../goals/goals.reads.repo.js';
import { goals } from '../goals/goals.tables.js';
import { creatorActive, creatorVisibility, GOAL_CREATOR_ID, GOAL_ID, goalVisibleTo, isActiveParticipant, isPartnerOfActiveParticipant } from './goal-visibility.sql.js';
import type { ProfileVisibility } from './privacy.vocabulary.js';
import { areFriends, blockedEitherWay } from './privacy.sql.js';

/**
 * The goal visibility rule is decided in SQL (`goalVisibleTo`); `mayViewGoal` is its truth table.
 * This test builds every kind of viewer for every kind of goal and checks that the truth table (over
 * the facts read here), the SQL filter, and the single-goal load's `visible` column
 * (GoalReadsRepo.findWithAccess) give the same answer, and the expected one.
 */
let t: TestApp;

beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => t.close());

const exec = (q: ReturnType<typeof sql>) => t.ctx.database.db.execute(q);

/** The inputs of the truth table for one viewer and goal, each read by the part of the rule that decides it. */
async function factsOf(viewerId: string, goalId: string): Promise<GoalAccessFacts> {
  const [row] = await queryRows<Record<string, unknown>>(
    t.ctx.database.db,
    sql`select goals.creator_id, goals.is_public, goals.status,
        (select gp.role from goal_participants gp where gp.goal_id = ${GOAL_ID} and gp.user_id = ${viewerId} and gp.left_at is null) as my_role,
        ${isActiveParticipant(viewerId)} as participant,
        ${blockedEitherWay(viewerId, GOAL_CREATOR_ID)} as blocked,
        ${isPartnerOfActiveParticipant(viewerId)} as partner,
        ${areFriends(viewerId, GOAL_CREATOR_ID)} as friend,
        ${creatorActive()} as creator_active,
        ${creatorVisibility()} as visibility
      from goals where goals.id = ${goalId}`,
  );
  expect(row!.participant).toBe(row!.my_role != null);
  return {
    isCreator: row!.creator_id === viewerId,
    myRole: (row!.my_role as GoalAccessFacts['myRole']) ?? null,
    status: row!.status as GoalAccessFacts['status'],
    blockedWithCreator: row!.blocked === true,
    partnerOfParticipant: row!.partner === true,
    friendOfCreator: row!.friend === true,
    creatorActive: row!.creator_active === true,
    isPublic: row!.is_public === true,
    creatorVisibility: row!.visibility as ProfileVisibility,
  };
}

async function user(visibility: 'everyone' | 'friends_only' | 'private' = 'friends_only'): Promise<string> {
  const id = randomUUID();
  const name = `v_${id.slice(0, 8)}`;
  await exec(sql`insert into users (id, email, username, full_name, password_hash, profile_visibility)
    values (${id}, ${`${name}@example.com`}, ${name}, ${name}, 'x', ${visibility})`);
  return id;
}
const friends = (a: string, b: string) => exec(sql`insert into friendships (user_id, friend_id, status) values (${a}, ${b}, 'accepted')`);
const block = (a: string, b: string) => exec(sql`insert into blocked_users (blocker_id, blocked_id) values (${a}, ${b})`);
const partners = (a: string, b: string, status: string) =>
  exec(sql`insert into accountability_partners (user_id, partner_id, status, requested_by) values (${a}, ${b}, ${status}, ${a})`);

type Viewer = 'creator' | 'member' | 'leaver' | 'friend' | 'friendOfMember' | 'partnerActive' | 'partnerPaused'
  | 'partnerPending' | 'partnerEnded' | 'stranger' | 'blockedFriend' | 'blockingMember';

/** Who sees a goal, by the creator's profile visibility, the goal's is_public and whether the creator's account is active. */
function expected(viewer: Viewer, visibility: string, isPublic: boolean, creatorActive: boolean): boolean {
  switch (viewer) {
    case 'creator':
    case 'member':
    case 'partnerActive':
    case 'partnerPaused':
    case 'blockingMember': // a member keeps the goal they share across a block with its creator (issue 15.9)
      return true;
    case 'blockedFriend':
      return false;
    case 'friend':
    case 'leaver': // still the creator's friend
      return isPublic && creatorActive;
    default:
      return isPublic && creatorActive && visibility === 'everyone';
  }
}

describe('goal visibility: the pure policy and its SQL twin agree', () => {
  const cases = [
    ...(['everyone', 'friends_only', 'private'] as const).flatMap((visibility) => [true, false].map((isPublic) => ({ visibility, isPublic, active: true }))),
    // A deactivated creator: the most open settings, so only the account state can hide the goal.
    { visibility: 'everyone' as const, isPublic: true, active: false },
  ];
  for (const { visibility, isPublic, active } of cases) {
    it(`creator profile ${visibility}, ${isPublic ? 'public' : 'private'} goal${active ? '' : ', creator deactivated'}`, async () => {
      const creator = await user(visibility);
      const viewers = {} as Record<Viewer, string>;
      for (const v of ['member', 'leaver', 'friend', 'friendOfMember', 'partnerActive', 'partnerPaused', 'partnerPending', 'partnerEnded', 'stranger', 'blockedFriend', 'blockingMember'] as const) {
        viewers[v] = await user();
      }
      viewers.creator = creator;
      const goalId = randomUUID();
      await exec(sql`insert into goals (id, creator_id, title, goal_type, target_type, is_public)
        values (${goalId}, ${creator}, 'g', 'group', 'milestone', ${isPublic})`);
      for (const [who, role, left] of [[creator, 'creator', false], [viewers.member, 'member', false], [viewers.leaver, 'member', true], [viewers.blockingMember, 'member', false]] as const) {
        await exec(sql`insert into goal_participants (goal_id, user_id, role, left_at) values (${goalId}, ${who}, ${role}, ${left ? sql`now()` : null})`);
      }
      await friends(creator, viewers.member);
      await friends(creator, viewers.leaver);
      await friends(creator, viewers.friend);
      await friends(viewers.member, viewers.friendOfMember);
      await friends(creator, viewers.blockedFriend);
      await block(creator, viewers.blockedFriend);
      await block(viewers.blockingMember, creator);
      await partners(viewers.partnerActive, viewers.member, 'active');
      await partners(viewers.member, viewers.partnerPaused, 'paused');
      await partners(viewers.partnerPending, viewers.member, 'pending');
      await partners(viewers.partnerEnded, viewers.member, 'ended');
      // A partner of someone who LEFT does not count.
      await partners(viewers.stranger, viewers.leaver, 'active');
      if (!active) await exec(sql`update users set is_active = false, deactivated_at = now() where id = ${creator}`);

      const repo = new GoalReadsRepo(t.ctx.database.db);
      const outcomes: Record<string, { policy: boolean; sql: boolean; load: boolean; expected: boolean }> = {};
      for (const [name, id] of Object.entries(viewers) as Array<[Viewer, string]>) {
        const found = await repo.findWithAccess(id, goalId);
        const [row] = await t.ctx.database.db
          .select({ id: goals.id })
          .from(goals)
          .where(and(eq(goals.id, goalId), goalVisibleTo(id)));
        outcomes[name] = {
          policy: mayViewGoal(await factsOf(id, goalId)),
          sql: row !== undefined,
          load: found!.visible,
          expected: expected(name, visibility, isPublic, active),
        };
      }
      for (const [name, o] of Object.entries(outcomes)) {
        expect({ name, policy: o.policy, sql: o.sql, load: o.load }).toEqual({ name, policy: o.expected, sql: o.expected, load: o.expected });
      }
    });
  }
});
