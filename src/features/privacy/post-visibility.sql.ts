import { sql, type SQL } from 'drizzle-orm';
import { accountActive, activeAccountRow, areFriends, blockedEitherWay, blockedIdsOf, friendsViaIndexesOf, type Subject } from './privacy.sql.js';

/**
 * THE post visibility rule as SQL (docs/ARCHITECTURE.md, "Goal, post and story visibility"):
 * `postVisibleTo`, and the memories feed's fast variants, each composed of the same parts
 * (`postLive`, `audienceAdmits`, the graph predicates of privacy.sql.ts) for an author set whose
 * friendship with the viewer is already known. `mayViewPost` in posts/posts.policy.ts is the truth
 * table: post-visibility.test.ts checks `postVisibleTo` against it, and the memories-feed tests check
 * every post a variant returns against `postVisibleTo`. Reads users, friendships and blocked_users.
 *
 * Posts are named by a table alias (default `p`, as in `from posts p`); an alias must be a plain
 * lower-case SQL identifier (it is inlined, never user input).
 */

const IDENTIFIER = /^[a-z_][a-z0-9_]*$/;

function column(alias: string, name: string): SQL {
  if (!IDENTIFIER.test(alias)) throw new Error(`post visibility: invalid alias ${alias}`);
  return sql.raw(`"${alias}"."${name}"`);
}

/** The post is not archived: an archived post is its author's only, and no feed shows it. */
export function postLive(post = 'p'): SQL {
  return sql`not ${column(post, 'is_archived')}`;
}

/**
 * The post's audience admits a viewer who is not its author: `public` everyone, `friends` the
 * author's friends, `private` nobody. `viewerIsFriend` is the friendship condition, or a constant
 * where the query already knows it (the friends feed: true; discover: false).
 */
export function audienceAdmits(post: string, viewerIsFriend: SQL | boolean): SQL {
  const visibility = column(post, 'visibility');
  if (viewerIsFriend === true) return sql`${visibility} in ('public', 'friends')`;
  if (viewerIsFriend === false) return sql`${visibility} = 'public'`;
  return sql`(${visibility} = 'public' or (${visibility} = 'friends' and ${viewerIsFriend}))`;
}

/**
 * `mayViewPost` for the `posts` row in scope under `post` and the viewer `viewer`: its author,
 * always; anyone else only while it is live, neither blocked the other, the author's account is
 * active and its audience admits them. Usage: `sql\`select ... from posts p where ${postVisibleTo(viewerId)}\``.
 */
export function postVisibleTo(viewer: Subject, post = 'p'): SQL {
  const author = column(post, 'user_id');
  return sql`(${author} = ${viewer} or (${postLive(post)} and not ${blockedEitherWay(viewer, author)}
    and ${accountActive(author)} and ${audienceAdmits(post, areFriends(viewer, author))}))`;
}

/**
 * `postVisibleTo` for a post whose author is known to be the viewer's friend and not blocked (a
 * friends_inbox row exists only while its friendship does, and a block deletes the friendship), the
 * author's users row joined as `author`: live, open to friends, an active author. Per row: no
 * friendship or block lookup on the inbox's hot path.
 */
export function postVisibleToFriend(post = 'p', author = 'a'): SQL {
  return sql`(${postLive(post)} and ${audienceAdmits(post, true)} and ${activeAccountRow(author)})`;
}

/**
 * The friends feed's author set: the viewer's friends with an active account, not blocked either way
 * (so a page row is never dropped after the LIMIT). A correlated users_pkey lookup per friend (never
 * a hash join over every user) and a hashed anti-join on the viewer's blocks; a subquery of `id`.
 */
export function visibleFriendAuthorsOf(viewer: Subject): SQL {
  return sql`select x.id from ${friendsViaIndexesOf(viewer)} x(id, friendship_id)
      where (select ${activeAccountRow('u')} from users u where u.id = x.id)
        and x.id not in ${blockedIdsOf(viewer)}`;
}

/**
 * `postVisibleTo` over the friends feed's author set (`visibleFriendAuthorsOf` and the viewer): the
 * viewer's own posts and their friends' posts open to friends; never archived (a feed shows no
 * archived post, not even its author's).
 */
export function postVisibleToFriendOrSelf(viewer: Subject, post = 'p'): SQL {
  return sql`(${postLive(post)} and (${column(post, 'user_id')} = ${viewer} or ${audienceAdmits(post, true)}))`;
}

/**
 * `postVisibleTo` for a post whose author is NOT the viewer's friend (discover: people you do not
 * know yet), the author's users row joined as `author`: live, public, an active author, not a
 * friend, no block either way (the friendship test before the block test: the order the discover
 * plan was measured with).
 */
export function postVisibleToStranger(viewer: Subject, post = 'p', author = 'a'): SQL {
  const authorId = column(post, 'user_id');
  return sql`(${postLive(post)} and ${audienceAdmits(post, false)} and ${activeAccountRow(author)}
    and not ${areFriends(viewer, authorId)} and not ${blockedEitherWay(viewer, authorId)})`;
}

/**
 * The author's profile may be offered to strangers (discover): it is not private. `author` is the
 * author's users row.
 */
export function profileOpenToStrangers(author = 'a'): SQL {
  return sql`${column(author, 'profile_visibility')} <> 'private'`;
}
