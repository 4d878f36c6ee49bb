import { sql, type SQL, type SQLWrapper } from 'drizzle-orm';
import { areFriends, blockedEitherWay } from '../privacy/privacy.sql.js';

/**
 * The goal visibility rule as SQL, for read models that filter many goals at once. It reads
 * `goal_participants`, `accountability_partners`, `friendships`, `blocked_users` and `users`
 * (reads only). Keep it in step with `mayViewGoal` in goals.policy.ts (goals.visibility.test.ts
 * checks both on the same cases).
 */

/**
 * Qualified references to the `goals` row in scope, for raw fragments: Drizzle renders a column
 * object unqualified ("id") inside a single-table select list, where a subquery would bind it to its
 * own table's column.
 */
export const GOAL_ID = sql.raw('"goals"."id"');
export const GOAL_CREATOR_ID = sql.raw('"goals"."creator_id"');
const GOAL_IS_PUBLIC = sql.raw('"goals"."is_public"');

/** True when `viewerId` is an active participant of the goal. */
export function isActiveParticipant(viewerId: string, goalId: SQLWrapper = GOAL_ID): SQL {
  return sql`exists (select 1 from goal_participants vp
    where vp.goal_id = ${goalId} and vp.user_id = ${viewerId} and vp.left_at is null)`;
}

/** True when `viewerId` is an active or paused accountability partner of an active participant. */
export function isPartnerOfActiveParticipant(viewerId: string, goalId: SQLWrapper = GOAL_ID): SQL {
  return sql`exists (select 1 from goal_participants pp
    join accountability_partners ap
      on (ap.user_id = ${viewerId} and ap.partner_id = pp.user_id) or (ap.partner_id = ${viewerId} and ap.user_id = pp.user_id)
    where pp.goal_id = ${goalId} and pp.left_at is null and ap.status in ('active', 'paused'))`;
}

/** The creator's profile visibility ('everyone' | 'friends_only' | 'private'). */
export function creatorVisibility(creatorId: SQLWrapper = GOAL_CREATOR_ID): SQL<string> {
  return sql<string>`(select cu.profile_visibility from users cu where cu.id = ${creatorId})`;
}

/** The columns of one goals row the visibility rule reads. */
export interface GoalRef {
  id: SQLWrapper;
  creatorId: SQLWrapper;
  isPublic: SQLWrapper;
}

/** The goals row in scope under a table alias (`goalAliased('g')` for `join goals g`). */
export function goalAliased(alias: string): GoalRef {
  if (!/^[a-z_][a-z0-9_]*$/.test(alias)) throw new Error(`not a table alias: ${alias}`);
  return { id: sql.raw(`${alias}.id`), creatorId: sql.raw(`${alias}.creator_id`), isPublic: sql.raw(`${alias}.is_public`) };
}

const GOALS_TABLE: GoalRef = { id: GOAL_ID, creatorId: GOAL_CREATOR_ID, isPublic: GOAL_IS_PUBLIC };

/** The creator's account is active (not deactivated, not deleted). */
export function creatorActive(creatorId: SQLWrapper = GOAL_CREATOR_ID): SQL<boolean> {
  return sql<boolean>`coalesce((select cu.is_active and cu.deleted_at is null from users cu where cu.id = ${creatorId}), false)`;
}

/** `mayViewGoal` for the row of `goals` in scope (or the row `goal` names). */
export function goalVisibleTo(viewerId: string, goal: GoalRef = GOALS_TABLE): SQL {
  return sql`(${goal.creatorId} = ${viewerId} or ${isActiveParticipant(viewerId, goal.id)} or (not ${blockedEitherWay(viewerId, goal.creatorId)} and (
    ${isPartnerOfActiveParticipant(viewerId, goal.id)}
    or (${goal.isPublic} and ${creatorActive(goal.creatorId)}
      and (${creatorVisibility(goal.creatorId)} = 'everyone' or ${areFriends(viewerId, goal.creatorId)}))
  )))`;
}

/**
 * `left join goals <alias>` on `goalId`, matching only a goal `viewerId` may see: a post or card that
 * names a goal shows its title to those viewers only (others see no goal).
 */
export function leftJoinVisibleGoal(viewerId: string, goalId: SQLWrapper, alias = 'g'): SQL {
  const goal = goalAliased(alias);
  return sql`left join goals ${sql.raw(alias)} on ${goal.id} = ${goalId} and ${goalVisibleTo(viewerId, goal)}`;
}
