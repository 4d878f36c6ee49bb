import { sql, type SQL } from 'drizzle-orm';
import { leftJoinVisibleGoal } from '../privacy/goal-visibility.sql.js';
import {
  postVisibleTo,
  postVisibleToFriendOrSelf,
  postVisibleToStranger,
  profileOpenToStrangers,
  visibleFriendAuthorsOf,
} from '../privacy/post-visibility.sql.js';

/**
 * The memories feed's SQL, as builders (the repo runs them; scripts/bench-feed.ts runs the very same
 * statements on a bare pool). A read model: it joins posts, post_likes (owned by posts), users,
 * goals, friendships, accountability_partners, goal_participants and blocked_users in one query.
 *
 * Post visibility is THE rule of privacy/post-visibility.sql.ts, plus "archived never appears in a
 * feed". following uses `postVisibleTo` as is; the friends feed and discover use that module's fast
 * variants for their author sets (`visibleFriendAuthorsOf` + `postVisibleToFriendOrSelf`;
 * `postVisibleToStranger` + `profileOpenToStrangers`), built from the same parts, because the full
 * predicate's per-row EXISTS checks would run on every row of the index walk; memories-feed tests
 * check that every post they return satisfies `postVisibleTo`.
 */

/** Keyset position: rows strictly older than (created_at, id). */
export interface KeysetAfter {
  createdAtMicros: string;
  id: string;
}

/** The columns every feed query returns (p = posts, a = the author). */
export const feedColumns = (viewerId: string) => sql`p.id, p.caption, p.media_url, p.media_thumbnail_url, p.post_type, p.visibility,
    p.likes_count, p.comments_count, p.created_at,
    (extract(epoch from p.created_at) * 1000000)::bigint::text as created_us,
    a.id as author_id, a.username as author_username, a.full_name as author_full_name,
    a.profile_image_url as author_profile_image_url,
    g.id as goal_id, g.title as goal_title,
    -- a scalar sub-select: one probe of post_likes' (post_id, user_id) index per row (an EXISTS here
    -- may be planned as a hash of every like the viewer ever gave, built on each page), and none for
    -- a post nobody liked (likes_count changes in the like's own transaction)
    p.likes_count > 0 and coalesce((select true from post_likes l where l.post_id = p.id and l.user_id = ${viewerId}), false) as liked_by_me`;

export function microsToTimestamp(micros: string): SQL {
  // Exact: an interval of whole microseconds (to_timestamp() goes through a double).
  return sql`(timestamptz 'epoch' + ${micros}::bigint * interval '1 microsecond')`;
}

/** `and (createdAt, id) < after` (rows strictly older than the keyset position), or nothing. */
export function keysetAfter(createdAt: SQL, id: SQL, after: KeysetAfter | undefined): SQL {
  return after ? sql`and (${createdAt}, ${id}) < (${microsToTimestamp(after.createdAtMicros)}, ${after.id}::uuid)` : sql``;
}

function keysetCondition(after: KeysetAfter | undefined): SQL {
  return keysetAfter(sql`p.created_at`, sql`p.id`, after);
}

function pageTail(limit: number, offset: number): SQL {
  return offset > 0 ? sql`limit ${limit} offset ${offset}` : sql`limit ${limit}`;
}

/**
 * Below this many authors (friends + self) the friends feed reads each author's newest posts from
 * idx_posts_user (at most authors × page rows); from it on, it walks idx_posts_created_id newest first
 * and keeps the authors' rows (≈ page × posters / authors rows). The two costs cross near
 * √(number of posting users): 100 suits a world of ~10,000 active posters (docs/benchmarks.md).
 */
export const FRIENDS_FEED_SCAN_MIN_AUTHORS = 100;

/**
 * Friends feed past the inbox horizon (newer pages read friends_inbox, friends-inbox.sql.ts; the repo
 * passes a keyset position at the horizon): the viewer's own posts (any visibility) and their friends'
 * public/friends posts, newest first, keyset on (created_at, id). ONE statement: the author set is the UNION ALL of both
 * directions of the pair rows (idx_friendships_user / idx_friendships_friend), kept when the friend
 * is an active account and not blocked either way (so no page row is dropped after the LIMIT, which
 * would break has_more), plus the viewer; a
 * one-time filter on its size runs exactly one of two strategies (see FRIENDS_FEED_SCAN_MIN_AUTHORS):
 * a newest-first walk of idx_posts_created_id filtered by a hashed author set (many friends), or a
 * per-author top-N from idx_posts_user (few friends) — so a user with no friends never walks the
 * whole posts index and a user with hundreds never reads every friend's history.
 */
export function friendsFeedSql(viewerId: string, limit: number, after?: KeysetAfter, offset = 0): SQL {
  const take = limit + offset;
  const visible = postVisibleToFriendOrSelf(viewerId, 'p');
  return sql`with authors(id) as materialized (
      ${visibleFriendAuthorsOf(viewerId)}
      union all
      select ${viewerId}::uuid
    ),
    author_count(n) as materialized (select count(*) from authors),
    page(id, created_at) as (
      (select p.id, p.created_at from posts p
        where (select n from author_count) >= ${FRIENDS_FEED_SCAN_MIN_AUTHORS}
          -- coalesce(): a filter, not an index condition, so the walk stays on idx_posts_created_id
          and coalesce(p.user_id in (select id from authors), false) and ${visible}
          ${keysetCondition(after)}
        order by p.created_at desc, p.id desc limit ${take})
      union all
      (select c.id, c.created_at from authors
        cross join lateral (
          select p.id, p.created_at from posts p
          where p.user_id = authors.id and ${visible} ${keysetCondition(after)}
          order by p.created_at desc, p.id desc limit ${take}) c
        where (select n from author_count) < ${FRIENDS_FEED_SCAN_MIN_AUTHORS}
        order by c.created_at desc, c.id desc limit ${take})
    )
    select ${feedColumns(viewerId)}
    from page
    join posts p on p.id = page.id
    join users a on a.id = p.user_id
    ${leftJoinVisibleGoal(viewerId, sql`p.goal_id`)}
    order by p.created_at desc, p.id desc
    ${pageTail(limit, offset)}`;
}

/**
 * Following feed: posts the viewer may see by their active or paused accountability partners and by
 * people who are active participants of a goal the viewer actively participates in; newest first.
 */
export function followingFeedSql(viewerId: string, limit: number, after?: KeysetAfter, offset = 0): SQL {
  return sql`with authors(id) as (
      select ap.partner_id from accountability_partners ap where ap.user_id = ${viewerId} and ap.status in ('active', 'paused')
      union
      select ap.user_id from accountability_partners ap where ap.partner_id = ${viewerId} and ap.status in ('active', 'paused')
      union
      select other.user_id from goal_participants mine
        join goal_participants other on other.goal_id = mine.goal_id and other.left_at is null
        where mine.user_id = ${viewerId} and mine.left_at is null
    )
    select ${feedColumns(viewerId)}
    from posts p
    join users a on a.id = p.user_id
    ${leftJoinVisibleGoal(viewerId, sql`p.goal_id`)}
    where not p.is_archived
      and p.user_id <> ${viewerId}
      and p.user_id in (select id from authors)
      and ${postVisibleTo(viewerId, 'p')}
      ${keysetCondition(after)}
    order by p.created_at desc, p.id desc
    ${pageTail(limit, offset)}`;
}

/** How far back discover looks, and how deep it pages (a bounded, ranked window). */
export const DISCOVER_WINDOW_DAYS = 7;
export const DISCOVER_MAX_ITEMS = 1000;

/**
 * Discover: public posts of the last DISCOVER_WINDOW_DAYS (before `asOf`) by people who are not the
 * viewer, not friends, not blocked either way, with a profile that is not private and an active
 * account; ranked by engagement decayed by age against the fixed instant `asOf`:
 * (likes + 2 × comments + 1) / (age in hours + 2)^1.5, ties newest first. Paged by offset.
 */
export function discoverFeedSql(viewerId: string, limit: number, asOfMicros: string, offset: number): SQL {
  const asOf = microsToTimestamp(asOfMicros);
  return sql`select ${feedColumns(viewerId)}
    from posts p
    join users a on a.id = p.user_id
    ${leftJoinVisibleGoal(viewerId, sql`p.goal_id`)}
    where ${postVisibleToStranger(viewerId, 'p', 'a')} and ${profileOpenToStrangers('a')}
      and p.created_at <= ${asOf}
      and p.created_at > ${asOf} - ${DISCOVER_WINDOW_DAYS} * interval '1 day'
      and p.user_id <> ${viewerId}
    order by (p.likes_count + 2 * p.comments_count + 1)
               / power(extract(epoch from (${asOf} - p.created_at)) / 3600.0 + 2, 1.5) desc,
             p.created_at desc, p.id desc
    limit ${limit} offset ${offset}`;
}
