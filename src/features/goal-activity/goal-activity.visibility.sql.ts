import { sql, type SQL, type SQLWrapper } from 'drizzle-orm';
import { creatorActive, creatorVisibility, GOAL_CREATOR_ID, GOAL_ID } from '../goals/goals.visibility.sql.js';

/**
 * The goal visibility rule (`mayViewGoal` in goals.policy.ts) with the VIEWER as an SQL expression
 * rather than a bound id, for the feed's fan-out, which decides for a whole set of recipients in one
 * INSERT ... SELECT. goals.visibility.sql.ts and privacy.sql.ts take the viewer as a string
 * parameter, so this restates the same rule over a column; feed.visibility.test.ts checks that it
 * agrees with `goalVisibleTo` on every case. Reads goals, goal_participants, accountability_partners,
 * friendships, blocked_users and users; the `goals` row must be in scope under the name "goals".
 */

const GOAL_IS_PUBLIC = sql.raw('"goals"."is_public"');

/** True when either user blocked the other. */
export function blockedBetween(a: SQLWrapper, b: SQLWrapper): SQL {
  return sql`exists (select 1 from blocked_users bb
    where (bb.blocker_id = ${a} and bb.blocked_id = ${b}) or (bb.blocker_id = ${b} and bb.blocked_id = ${a}))`;
}

/** True when the two users are friends (an accepted friendship in either direction). */
export function friendsBetween(a: SQLWrapper, b: SQLWrapper): SQL {
  return sql`exists (select 1 from friendships ff where ff.status = 'accepted'
    and ((ff.user_id = ${a} and ff.friend_id = ${b}) or (ff.user_id = ${b} and ff.friend_id = ${a})))`;
}

/** `mayViewGoal` for the `goals` row in scope and the viewer `viewer` (a column or expression). */
export function goalVisibleToUser(viewer: SQLWrapper): SQL {
  return sql`(${GOAL_CREATOR_ID} = ${viewer}
    or exists (select 1 from goal_participants vp where vp.goal_id = ${GOAL_ID} and vp.user_id = ${viewer} and vp.left_at is null)
    or (not ${blockedBetween(viewer, GOAL_CREATOR_ID)} and (
    exists (select 1 from goal_participants pp
      join accountability_partners ap
        on (ap.user_id = ${viewer} and ap.partner_id = pp.user_id) or (ap.partner_id = ${viewer} and ap.user_id = pp.user_id)
      where pp.goal_id = ${GOAL_ID} and pp.left_at is null and ap.status in ('active', 'paused'))
    or (${GOAL_IS_PUBLIC} and ${creatorActive()} and (${creatorVisibility()} = 'everyone' or ${friendsBetween(viewer, GOAL_CREATOR_ID)}))
  )))`;
}
