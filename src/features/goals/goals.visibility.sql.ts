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

/** `mayViewGoal` for the row of `goals` in scope. */
export function goalVisibleTo(viewerId: string): SQL {
  return sql`(${GOAL_CREATOR_ID} = ${viewerId} or (not ${blockedEitherWay(viewerId, GOAL_CREATOR_ID)} and (
    ${isActiveParticipant(viewerId)}
    or ${isPartnerOfActiveParticipant(viewerId)}
    or (${GOAL_IS_PUBLIC} and (${creatorVisibility()} = 'everyone' or ${areFriends(viewerId, GOAL_CREATOR_ID)}))
  )))`;
}
