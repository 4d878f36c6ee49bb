import { sql, type SQL, type SQLWrapper } from 'drizzle-orm';
import { activeAccountRow, areFriends, blockedEitherWay, type Subject } from './privacy.sql.js';

/**
 * THE goal visibility rule as SQL (docs/ARCHITECTURE.md, "Goal, post and story visibility"): every
 * query that shows a goal, a list of goals or a goal's title filters or selects with
 * `goalVisibleTo`. `mayViewGoal` in goals/goals.policy.ts is its truth table
 * (goal-visibility.test.ts checks both on every case). The viewer is a {@link Subject}: a bound id
 * (a page, a single goal) or a column (the goal activity fan-out decides for every recipient in one
 * INSERT ... SELECT). Reads goals, goal_participants, accountability_partners, friendships,
 * blocked_users and users (reads only).
 */

/**
 * Qualified references to the `goals` row in scope, for raw fragments: Drizzle renders a column
 * object unqualified ("id") inside a single-table select list, where a subquery would bind it to its
 * own table's column.
 */
export const GOAL_ID = sql.raw('"goals"."id"');
export const GOAL_CREATOR_ID = sql.raw('"goals"."creator_id"');
const GOAL_IS_PUBLIC = sql.raw('"goals"."is_public"');

/** True when `viewer` is an active participant of the goal. */
export function isActiveParticipant(viewer: Subject, goalId: SQLWrapper = GOAL_ID): SQL {
  return sql`exists (select 1 from goal_participants vp
    where vp.goal_id = ${goalId} and vp.user_id = ${viewer} and vp.left_at is null)`;
}

/** True when `viewer` is an active or paused accountability partner of an active participant. */
export function isPartnerOfActiveParticipant(viewer: Subject, goalId: SQLWrapper = GOAL_ID): SQL {
  return sql`exists (select 1 from goal_participants pp
    join accountability_partners ap
      on (ap.user_id = ${viewer} and ap.partner_id = pp.user_id) or (ap.partner_id = ${viewer} and ap.user_id = pp.user_id)
    where pp.goal_id = ${goalId} and pp.left_at is null and ap.status in ('active', 'paused'))`;
}

/** The creator's profile visibility ('everyone' | 'friends_only' | 'private'). */
export function creatorVisibility(creatorId: SQLWrapper = GOAL_CREATOR_ID): SQL<string> {
  return sql<string>`(select cu.profile_visibility from users cu where cu.id = ${creatorId})`;
}

/**
 * The creator's account is active (`activeAccountRow` of their users row), as a scalar sub-select:
 * it sits under an OR in every feed's goal join, where a sub-select is one users_pkey probe per row.
 */
export function creatorActive(creatorId: SQLWrapper = GOAL_CREATOR_ID): SQL<boolean> {
  return sql<boolean>`coalesce((select ${activeAccountRow('cu')} from users cu where cu.id = ${creatorId}), false)`;
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

/**
 * `mayViewGoal` for the row of `goals` in scope (or the row `goal` names) and the viewer `viewer`.
 * Its creator and its active participants (across a block too: a participant keeps the goal they
 * share); never anyone else blocked with the creator; an accountability partner of an active
 * participant; and for a public goal of an active account, the creator's friends, or anyone when the
 * creator's profile is visible to everyone.
 */
export function goalVisibleTo(viewer: Subject, goal: GoalRef = GOALS_TABLE): SQL {
  return sql`(${goal.creatorId} = ${viewer} or ${isActiveParticipant(viewer, goal.id)} or (not ${blockedEitherWay(viewer, goal.creatorId)} and (
    ${isPartnerOfActiveParticipant(viewer, goal.id)}
    or (${goal.isPublic} and ${creatorActive(goal.creatorId)}
      and (${creatorVisibility(goal.creatorId)} = 'everyone' or ${areFriends(viewer, goal.creatorId)}))
  )))`;
}

/**
 * `left join goals <alias>` on `goalId`, matching only a goal `viewer` may see: a post or card that
 * names a goal shows its title to those viewers only (others see no goal).
 */
export function leftJoinVisibleGoal(viewer: Subject, goalId: SQLWrapper, alias = 'g'): SQL {
  const goal = goalAliased(alias);
  return sql`left join goals ${sql.raw(alias)} on ${goal.id} = ${goalId} and ${goalVisibleTo(viewer, goal)}`;
}
