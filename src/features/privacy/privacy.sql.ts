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

/** True when the two users both take part (not left) in one group goal (a read of the goals feature's tables). */
export function shareGroupGoal(viewerId: string, other: SQLWrapper): SQL {
  return sql`exists (select 1 from goal_participants gp_mine
    join goal_participants gp_theirs on gp_theirs.goal_id = gp_mine.goal_id and gp_theirs.user_id = ${other}
      and gp_theirs.left_at is null
    join goals gp_goal on gp_goal.id = gp_mine.goal_id and gp_goal.goal_type = 'group'
    where gp_mine.user_id = ${viewerId} and gp_mine.left_at is null)`;
}

/** True when the two users are accountability partners (an active or paused partnership). */
export function arePartners(viewerId: string, other: SQLWrapper): SQL {
  return sql`exists (select 1 from accountability_partners ap where ap.status in ('active', 'paused')
    and ((ap.user_id = ${viewerId} and ap.partner_id = ${other}) or (ap.user_id = ${other} and ap.partner_id = ${viewerId})))`;
}

/**
 * THE rule for friend requests (docs/ARCHITECTURE.md, "Who may send a friend request"): whether
 * `viewerId` may send `other` a new friend request now. Both the `can_send_friend_request` flag on
 * every card and the insert of POST /friends/requests (and of an invite redemption) evaluate this
 * one predicate, so the app's button and the endpoint cannot disagree.
 *
 * True when `other` is not the viewer, is an active account, neither blocked the other, there is no
 * friendship or pending request between them either way, and `other`'s who_can_send_friend_requests
 * (default friends_of_friends) allows it:
 *   - everyone: anyone;
 *   - friends_of_friends: someone with a mutual friend, a shared group goal (both still taking part)
 *     or an accountability partnership (active or paused);
 *   - no_one: nobody.
 * With `viaInvite` (the viewer redeems `other`'s own invite code) the setting is not consulted:
 * `other` chose to share the code. Everything else still holds.
 */
export function friendRequestAllowed(viewerId: string, other: SQLWrapper, options: { viaInvite?: boolean } = {}): SQL<boolean> {
  const audienceAllows = options.viaInvite
    ? sql`true`
    : sql`case coalesce((select fr_settings.who_can_send_friend_requests from user_settings fr_settings
          where fr_settings.user_id = ${other}), 'friends_of_friends')
        when 'everyone' then true
        when 'friends_of_friends' then (
          exists (select 1 from ${friendIdsOf(viewerId)} as fr_mine(id) where fr_mine.id in ${friendIdsOf(other)})
          or ${shareGroupGoal(viewerId, other)}
          or ${arePartners(viewerId, other)})
        else false end`;
  return sql<boolean>`(${other} <> ${viewerId}
    and exists (select 1 from users fr_target where fr_target.id = ${other} and fr_target.is_active and fr_target.deleted_at is null)
    and not ${blockedEitherWay(viewerId, other)}
    and not exists (select 1 from friendships fr_pair
      where (fr_pair.user_id = ${viewerId} and fr_pair.friend_id = ${other})
         or (fr_pair.user_id = ${other} and fr_pair.friend_id = ${viewerId}))
    and ${audienceAllows})`;
}
