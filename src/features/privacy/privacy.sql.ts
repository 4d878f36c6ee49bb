import { sql, type SQL, type SQLWrapper } from 'drizzle-orm';

/**
 * SQL fragments of the privacy rules, for read-model queries that filter many users at once
 * (lists, search, feeds). Each takes the viewer's id and a column (or expression) holding the other
 * user's id. They read `friendships` and `blocked_users`; keep them in step with privacy.policy.ts.
 *
 * Pass the other user's id as a qualified expression (sql`u.id`, sql`p.user_id`) or a Drizzle column
 * of a JOINED query. In a single-table Drizzle select a column renders unqualified ("id"), and inside
 * these subqueries an unqualified name binds to the subquery's own table (blocked_users.id) — a
 * silent wrong answer.
 */

/** True when either user blocked the other. */
export function blockedEitherWay(viewerId: string, other: SQLWrapper): SQL {
  return sql`exists (select 1 from blocked_users b
    where (b.blocker_id = ${viewerId} and b.blocked_id = ${other})
       or (b.blocker_id = ${other} and b.blocked_id = ${viewerId}))`;
}

/** True when the two users are friends (an accepted friendship in either direction). */
export function areFriends(viewerId: string, other: SQLWrapper): SQL {
  return sql`exists (select 1 from friendships f where f.status = 'accepted'
    and ((f.user_id = ${viewerId} and f.friend_id = ${other}) or (f.user_id = ${other} and f.friend_id = ${viewerId})))`;
}

/** The ids of a user's friends, as a subquery (`... in (friendIdsOf(id))`). */
export function friendIdsOf(userId: string | SQLWrapper): SQL {
  return sql`(select case when f.user_id = ${userId} then f.friend_id else f.user_id end
    from friendships f where f.status = 'accepted' and (f.user_id = ${userId} or f.friend_id = ${userId}))`;
}

/** How many friends two users have in common. */
export function mutualFriendsCount(viewerId: string, other: SQLWrapper): SQL<number> {
  return sql<number>`(select count(*)::int from ${friendIdsOf(viewerId)} as mine(id)
    where mine.id in ${friendIdsOf(other)})`;
}
