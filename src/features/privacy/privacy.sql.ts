import { sql, type SQL, type SQLWrapper } from 'drizzle-orm';

/**
 * THE privacy rules, as named SQL predicates (docs/ARCHITECTURE.md, "Privacy rules: one statement
 * each"). Every query in every feature that needs one of these rules composes the predicate from
 * here; no feature restates a rule (test/privacy-rules.test.ts fails on an inline copy). The
 * TypeScript policies (privacy.policy.ts, goals.policy.ts, posts.policy.ts) are the truth tables
 * the tests check these predicates against.
 *
 * Every subject is a {@link Subject}: a user id bound as a parameter (a string) or an SQL
 * expression naming a column of the enclosing query (sql`u.id`, sql`p.user_id`, a Drizzle column of
 * a JOINED query). In a single-table Drizzle select a column renders unqualified ("id"), and inside
 * these subqueries an unqualified name binds to the subquery's own table (blocked_users.id) — a
 * silent wrong answer; qualify it.
 */
export type Subject = string | SQLWrapper;

/**
 * A `users` row in scope under `alias` is an active account (not deactivated, not deleted). The
 * only statement of "account is active": use it where the users row is already joined.
 */
export function activeAccountRow(alias: string): SQL {
  const u = sql.raw(alias);
  return sql`(${u}.is_active and ${u}.deleted_at is null)`;
}

/** The user `user` has an active account (a lookup of their users row). */
export function accountActive(user: Subject): SQL {
  return sql`exists (select 1 from users aa where aa.id = ${user} and ${activeAccountRow('aa')})`;
}

/** True when either user blocked the other. */
export function blockedEitherWay(viewerId: Subject, other: Subject): SQL {
  return sql`exists (select 1 from blocked_users b
    where (b.blocker_id = ${viewerId} and b.blocked_id = ${other})
       or (b.blocker_id = ${other} and b.blocked_id = ${viewerId}))`;
}

/**
 * THE rule for seeing a user at all (privacy.policy.ts `canSeeUser` is its truth table): `target`
 * is an active account and is the viewer, or neither blocked the other. Every "unknown, inactive
 * or blocked user → 404" check is this predicate.
 */
export function maySeeUser(viewer: Subject, target: Subject): SQL<boolean> {
  return sql<boolean>`(${accountActive(target)} and (${target} = ${viewer} or not ${blockedEitherWay(viewer, target)}))`;
}

/** THE statement of "a friendship": a `friendships` row in scope as `f` is an accepted friendship. */
const ACCEPTED = sql`f.status = 'accepted'`;

/** True when the two users are friends (an accepted friendship in either direction). */
export function areFriends(viewerId: Subject, other: Subject): SQL {
  return sql`exists (select 1 from friendships f where ${ACCEPTED}
    and ((f.user_id = ${viewerId} and f.friend_id = ${other}) or (f.user_id = ${other} and f.friend_id = ${viewerId})))`;
}

/** The ids of a user's friends, as a subquery (`... in (friendIdsOf(id))`). */
export function friendIdsOf(userId: Subject): SQL {
  return sql`(select case when f.user_id = ${userId} then f.friend_id else f.user_id end
    from friendships f where ${ACCEPTED} and (f.user_id = ${userId} or f.friend_id = ${userId}))`;
}

/**
 * A user's friendships as rows for a FROM clause (`from friendshipsOf(id) f`): `id` (the
 * friendship), `friend_id` (the other user), `requested_at` and `accepted_at`. The planner flattens
 * it like the table itself; use it where a list needs the friendship, {@link friendIdsOf} where it
 * needs only the ids.
 */
export function friendshipsOf(userId: Subject): SQL {
  return sql`(select f.id, case when f.user_id = ${userId} then f.friend_id else f.user_id end as friend_id,
      f.requested_at, f.accepted_at
    from friendships f where ${ACCEPTED} and (f.user_id = ${userId} or f.friend_id = ${userId}))`;
}

/** True when a friendship or a pending friend request links the two users, either way. */
export function friendshipOrRequestBetween(viewerId: Subject, other: Subject): SQL {
  return sql`exists (select 1 from friendships fr_pair
    where (fr_pair.user_id = ${viewerId} and fr_pair.friend_id = ${other})
       or (fr_pair.user_id = ${other} and fr_pair.friend_id = ${viewerId}))`;
}

/** How many friends two users have in common. */
export function mutualFriendsCount(viewerId: Subject, other: Subject): SQL<number> {
  return sql<number>`(select count(*)::int from ${friendIdsOf(viewerId)} as mine(id)
    where mine.id in ${friendIdsOf(other)})`;
}

/** True when the two users both take part (not left) in one group goal (a read of the goals feature's tables). */
export function shareGroupGoal(viewerId: Subject, other: Subject): SQL {
  return sql`exists (select 1 from goal_participants gp_mine
    join goal_participants gp_theirs on gp_theirs.goal_id = gp_mine.goal_id and gp_theirs.user_id = ${other}
      and gp_theirs.left_at is null
    join goals gp_goal on gp_goal.id = gp_mine.goal_id and gp_goal.goal_type = 'group'
    where gp_mine.user_id = ${viewerId} and gp_mine.left_at is null)`;
}

/** True when the two users are accountability partners (an active or paused partnership). */
export function arePartners(viewerId: Subject, other: Subject): SQL {
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
export function friendRequestAllowed(viewerId: Subject, other: Subject, options: { viaInvite?: boolean } = {}): SQL<boolean> {
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
    and ${accountActive(other)}
    and not ${blockedEitherWay(viewerId, other)}
    and not ${friendshipOrRequestBetween(viewerId, other)}
    and ${audienceAllows})`;
}

/** Whether `user` shares their goal activity with friends (user_settings, default true). */
export function sharesActivity(user: Subject): SQL<boolean> {
  return sql<boolean>`coalesce((select sa.share_activity_with_friends from user_settings sa where sa.user_id = ${user}), true)`;
}

/**
 * THE rule for direct messages (privacy.policy.ts `canMessage` is its truth table): whether
 * `sender` may message `recipient` directly now. True when they are two different users, the
 * recipient's account exists, neither blocked the other, and the recipient's who_can_send_messages
 * (default friends_only) allows it: everyone, or friends_only and they are friends.
 */
export function mayMessage(sender: Subject, recipient: Subject): SQL<boolean> {
  return sql<boolean>`(${recipient} <> ${sender}
    and exists (select 1 from users mm_target where mm_target.id = ${recipient})
    and not ${blockedEitherWay(sender, recipient)}
    and case coalesce((select mm_settings.who_can_send_messages from user_settings mm_settings
          where mm_settings.user_id = ${recipient}), 'friends_only')
        when 'everyone' then true
        else ${areFriends(sender, recipient)} end)`;
}

/**
 * THE rule for the full profile (privacy.policy.ts `canSeeFullProfile` is its truth table): whether
 * `viewer` may see `target`'s full profile rather than only the card. Their own, always; otherwise
 * never across a block, and by the target's profile_visibility: everyone → yes, friends_only →
 * friends, private → no. Does not decide whether the account is active (callers hide inactive
 * accounts with {@link accountActive}).
 */
export function maySeeFullProfile(viewer: Subject, target: Subject): SQL<boolean> {
  return sql<boolean>`(${target} = ${viewer} or (not ${blockedEitherWay(viewer, target)}
    and case (select fp_target.profile_visibility from users fp_target where fp_target.id = ${target})
        when 'everyone' then true
        when 'friends_only' then ${areFriends(viewer, target)}
        else false end))`;
}

/**
 * A user's accepted friendships as rows `(friend_id, friendship_id)` for a FROM clause, in the form
 * the memories feed measured (docs/benchmarks.md): the UNION ALL of both directions, so each branch
 * walks its own index (idx_friendships_user, idx_friendships_friend) — per author in a fan-out, once
 * for the friends feed's author set. Elsewhere {@link friendIdsOf} / {@link friendshipsOf}.
 */
export function friendsViaIndexesOf(user: Subject): SQL {
  return sql`(select f.friend_id, f.id as friendship_id from friendships f where f.user_id = ${user} and ${ACCEPTED}
     union all
     select f.user_id, f.id from friendships f where f.friend_id = ${user} and ${ACCEPTED})`;
}

/** The ids of the users blocked with `user` either way, as a subquery (`x not in blockedIdsOf(id)`), each direction on its own index. */
export function blockedIdsOf(user: Subject): SQL {
  return sql`(select b.blocked_id from blocked_users b where b.blocker_id = ${user}
     union all select b.blocker_id from blocked_users b where b.blocked_id = ${user})`;
}
