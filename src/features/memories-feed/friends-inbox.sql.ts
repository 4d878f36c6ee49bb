import { sql, type SQL } from 'drizzle-orm';
import { leftJoinVisibleGoal } from '../privacy/goal-visibility.sql.js';
import { postVisibleToFriend } from '../privacy/post-visibility.sql.js';
import { friendsViaIndexesOf } from '../privacy/privacy.sql.js';
import { feedColumns, keysetAfter, microsToTimestamp, type KeysetAfter } from './memories-feed.sql.js';

/**
 * The friends feed's inbox (table friends_inbox, fan-out on write). It holds, for each reader, the
 * posts their friends created in the last FRIENDS_INBOX_DAYS days; older pages are read by the
 * search of `friendsFeedSql` (memories-feed.sql.ts), restricted to before the horizon.
 */
export const FRIENDS_INBOX_DAYS = 7;

/**
 * Rows are kept one day past the horizon, so a page read just before a trim still finds everything
 * newer than its own horizon (the trim and every backfill use this margin).
 */
export const FRIENDS_INBOX_KEEP_DAYS = FRIENDS_INBOX_DAYS + 1;

/** The readers of an author's posts (their friends) and through which friendship, as `r(reader, friendship_id)`. */
function readersOf(authorId: SQL): SQL {
  return sql`${friendsViaIndexesOf(authorId)} r(reader, friendship_id)`;
}

/** A row written again (a repeated event) changes nothing. */
const upsert = sql`on conflict (user_id, post_created_at, post_id) do nothing`;

/** Fan-out of one post to its author's friends (idempotent). Private posts too: a page filters them. */
export function fanOutPostSql(postId: string): SQL {
  return sql`insert into friends_inbox (user_id, post_created_at, post_id, author_id, friendship_id)
    select r.reader, p.created_at, p.id, p.user_id, r.friendship_id
    from posts p cross join lateral ${readersOf(sql`p.user_id`)}
    where p.id = ${postId}
    ${upsert}`;
}

/** A new friendship: each side's posts since `sinceMicros` into the other's inbox (idempotent). */
export function backfillPairSql(a: string, b: string, sinceMicros: string): SQL {
  return sql`insert into friends_inbox (user_id, post_created_at, post_id, author_id, friendship_id)
    select case when p.user_id = ${a}::uuid then ${b}::uuid else ${a}::uuid end, p.created_at, p.id, p.user_id, fr.friendship_id
    from ${friendsViaIndexesOf(sql`${a}::uuid`)} fr(friend_id, friendship_id)
    join posts p on p.user_id in (${a}::uuid, ${b}::uuid) and p.created_at >= ${microsToTimestamp(sinceMicros)}
    where fr.friend_id = ${b}::uuid
    ${upsert}`;
}

/** Deletes up to `batch` rows older than `beforeMicros`; returns how many (run until 0). */
export function trimBatchSql(beforeMicros: string, batch: number): SQL {
  return sql`with old as (
      select user_id, post_created_at, post_id from friends_inbox
      where post_created_at < ${microsToTimestamp(beforeMicros)} limit ${batch})
    delete from friends_inbox i using old
    where i.user_id = old.user_id and i.post_created_at = old.post_created_at and i.post_id = old.post_id`;
}

/** Refills every inbox with the posts since `sinceMicros` (seeding scripts and benchmarks). */
export function rebuildSinceSql(sinceMicros: string): SQL {
  return sql`insert into friends_inbox (user_id, post_created_at, post_id, author_id, friendship_id)
    select r.reader, p.created_at, p.id, p.user_id, r.friendship_id
    from posts p cross join lateral ${readersOf(sql`p.user_id`)}
    where p.created_at >= ${microsToTimestamp(sinceMicros)}
    ${upsert}`;
}

/**
 * One friends-feed page from the inbox: friends' posts re-checked on read (post `public`/`friends`
 * and not archived, author active; a row exists only while its friendship does, see the table)
 * merged with the viewer's own posts, all at or after the horizon, newest first, keyset on
 * (created_at, id); at most `take` rows. ONE statement: a backward range scan of friends_inbox_pkey
 * that stops after `take` kept rows, with primary-key probes per row (post, author, goal, like) —
 * no sort of the reader's whole inbox. Each branch returns the feed columns itself, so nothing is
 * looked up twice. Run as a prepared statement.
 */
export function friendsInboxPageSql(viewerId: string, take: number, horizonMicros: string, after?: KeysetAfter): SQL {
  const horizon = microsToTimestamp(horizonMicros);
  return sql`select * from (
      (select ${feedColumns(viewerId)}
        from friends_inbox e
        join posts p on p.id = e.post_id
        join users a on a.id = e.author_id
        ${leftJoinVisibleGoal(viewerId, sql`p.goal_id`)}
        where e.user_id = ${viewerId} and e.post_created_at >= ${horizon} ${keysetAfter(sql`e.post_created_at`, sql`e.post_id`, after)}
          and ${postVisibleToFriend('p', 'a')}
        order by e.post_created_at desc, e.post_id desc
        limit ${take})
      union all
      (select ${feedColumns(viewerId)}
        from posts p
        join users a on a.id = p.user_id
        ${leftJoinVisibleGoal(viewerId, sql`p.goal_id`)}
        where p.user_id = ${viewerId} and not p.is_archived and p.created_at >= ${horizon} ${keysetAfter(sql`p.created_at`, sql`p.id`, after)}
        order by p.created_at desc, p.id desc
        limit ${take})
    ) page
    order by page.created_at desc, page.id desc
    limit ${take}`;
}
