import { sql, type SQL, type SQLWrapper } from 'drizzle-orm';
import type { Db } from '../../infra/db/database.js';
import { queryRows } from '../../infra/db/rows.js';
import {
  activeAccountRow,
  blockedEitherWay,
  friendIdsOf,
  friendRequestAllowed,
  friendshipOrRequestBetween,
  mutualFriendsCount,
} from '../privacy/privacy.sql.js';
import { cardOf, type UserCardRow } from './friends.lists.repo.js';


export interface SuggestionRow {
  user: UserCardRow;
  mutualFriends: number;
  commonGoals: number;
}

/** Suggestions kept per user by a recompute. */
export const MAX_STORED_SUGGESTIONS = 50;

/** Goal categories the user currently takes part in (a read of the goals feature's tables). */
function goalCategoriesOf(userId: string | SQLWrapper): SQL {
  return sql`(select g.category from goal_participants gp join goals g on g.id = gp.goal_id
    where gp.user_id = ${userId} and gp.left_at is null and g.category is not null)`;
}

/** How many goal categories two users both take part in. */
function commonGoalCategories(userId: string, other: SQLWrapper): SQL<number> {
  return sql<number>`(select count(distinct c.category)::int from ${goalCategoriesOf(other)} as c(category)
    where c.category in ${goalCategoriesOf(userId)})`;
}

/**
 * Someone `userId` could be introduced to: an active account that allows suggestions, with no
 * friendship or pending request with the user, no block either way, and not dismissed by the user.
 */
function suggestible(userId: string, other: SQL): SQL {
  return sql`${activeAccountRow('u')} and u.appear_in_suggestions
    and not ${friendshipOrRequestBetween(userId, other)}
    and not ${blockedEitherWay(userId, other)}`;
}

/** Every statement on `friend_suggestions`, plus the read model the suggestions are computed from. */
export class FriendSuggestionsRepo {
  constructor(private readonly db: Db) {}

  /**
   * Replaces the user's non-dismissed suggestions with the top candidates. Run it inside a
   * transaction: a per-user advisory lock serialises concurrent recomputes of the same user, and
   * dismissed rows are kept (the upsert never revives one dismissed meanwhile).
   *
   * Candidates are friends of friends and users sharing a goal category. Ranking:
   *   score = 2 × mutual friends + 1 × shared goal categories
   * (a mutual friend is stronger evidence of knowing someone than a shared interest);
   * reason = 'mutual_friends' when there is at least one mutual friend, else 'common_goals'.
   */
  async replaceFor(userId: string, now: Date): Promise<void> {
    await this.db.execute(sql`select pg_advisory_xact_lock(hashtextextended(${`friend_suggestions:${userId}`}, 0))`);
    await this.db.execute(sql`delete from friend_suggestions where user_id = ${userId} and not dismissed`);
    await this.db.execute(sql`
      with my_friends as (select x.id from ${friendIdsOf(userId)} as x(id)),
      via_friends as (
        select fof.id, count(*)::int as mutual
        from my_friends mf cross join lateral ${friendIdsOf(sql`mf.id`)} as fof(id)
        group by fof.id),
      via_goals as (
        select gp.user_id as id, count(distinct g.category)::int as common
        from goal_participants gp join goals g on g.id = gp.goal_id
        where gp.left_at is null and g.category in ${goalCategoriesOf(userId)}
        group by gp.user_id),
      candidates as (
        select coalesce(vf.id, vg.id) as id, coalesce(vf.mutual, 0) as mutual, coalesce(vg.common, 0) as common
        from via_friends vf full join via_goals vg on vg.id = vf.id)
      insert into friend_suggestions (user_id, suggested_user_id, score, reason, dismissed, created_at)
      select ${userId}, c.id, c.mutual * 2 + c.common,
        case when c.mutual > 0 then 'mutual_friends' else 'common_goals' end, false, ${now.toISOString()}::timestamptz
      from candidates c join users u on u.id = c.id
      where c.id <> ${userId} and ${suggestible(userId, sql`c.id`)}
        and not exists (select 1 from friend_suggestions s
          where s.user_id = ${userId} and s.suggested_user_id = c.id and s.dismissed)
      order by c.mutual * 2 + c.common desc, c.mutual desc, c.id
      limit ${MAX_STORED_SUGGESTIONS}
      on conflict (user_id, suggested_user_id) do update
        set score = excluded.score, reason = excluded.reason, created_at = excluded.created_at
        where not friend_suggestions.dismissed`);
  }

  /** Whether the user has any suggestion row, dismissed or not. */
  async hasAny(userId: string): Promise<boolean> {
    const rows = await queryRows<{ ok: boolean }>(
      this.db,
      sql`select true as ok from friend_suggestions where user_id = ${userId} limit 1`,
    );
    return rows.length > 0;
  }

  /**
   * The user's stored suggestions, best first, re-checked against the graph as it is now: a block,
   * request, friendship or opt-out since the last recompute hides the row, and so does a row whose
   * reason no longer holds (no mutual friend and no shared goal category left). Counts are fresh.
   * At most MAX_STORED_SUGGESTIONS rows are stored per user, which bounds the per-row counts.
   */
  async listVisible(userId: string, limit: number): Promise<SuggestionRow[]> {
    const rows = await queryRows<Record<string, unknown>>(
      this.db,
      sql`select p.* from (
          select u.id, u.username, u.full_name, u.profile_image_url, s.score,
            ${mutualFriendsCount(userId, sql`u.id`)} as mutual_friends_count,
            ${commonGoalCategories(userId, sql`u.id`)} as common_goals,
            ${friendRequestAllowed(userId, sql`u.id`)} as can_send_friend_request
          from friend_suggestions s join users u on u.id = s.suggested_user_id
          where s.user_id = ${userId} and not s.dismissed and ${suggestible(userId, sql`u.id`)}
        ) p
        where p.mutual_friends_count > 0 or p.common_goals > 0
        order by p.score desc, p.id
        limit ${limit}`,
    );
    return rows.map((r) => ({
      user: cardOf(r),
      mutualFriends: Number(r.mutual_friends_count ?? 0),
      commonGoals: Number(r.common_goals ?? 0),
    }));
  }

  /** Marks `suggestedUserId` dismissed for the user, creating the row if needed (idempotent). */
  async dismiss(userId: string, suggestedUserId: string, now: Date): Promise<void> {
    await this.db.execute(sql`
      insert into friend_suggestions (user_id, suggested_user_id, score, dismissed, created_at)
      values (${userId}, ${suggestedUserId}, 0, true, ${now.toISOString()}::timestamptz)
      on conflict (user_id, suggested_user_id) do update set dismissed = true`);
  }

  /** Active account ids after `afterId` in id order: keyset batches for the nightly recompute. */
  async activeUserIdsAfter(afterId: string | null, limit: number): Promise<string[]> {
    const rows = await queryRows<{ id: string }>(
      this.db,
      sql`select u.id from users u where ${activeAccountRow('u')}
        ${afterId ? sql`and u.id > ${afterId}` : sql``} order by u.id limit ${limit}`,
    );
    return rows.map((r) => r.id);
  }
}
