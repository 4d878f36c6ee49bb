import { sql, type SQL } from 'drizzle-orm';
import { areFriends, blockedEitherWay } from '../privacy/privacy.sql.js';

/**
 * The post visibility rule (`mayViewPost` in posts.policy.ts) as SQL, for queries over many posts
 * (a user's posts, the feed). Reads `users`, `friendships` and `blocked_users` (reads only); keep it in step
 * with `mayViewPost` (posts.visibility.test.ts checks both on the same cases).
 */

const IDENTIFIER = /^[a-z_][a-z0-9_]*$/;

/**
 * `mayViewPost` for the `posts` row in scope under the alias `postAlias` (default `p`, as in
 * `from posts p`): true when `viewerId` may see it. Usage:
 * `sql\`select ... from posts p where ${postVisibleTo(viewerId, 'p')}\``.
 * The alias must be a plain lower-case SQL identifier (it is inlined, never user input).
 */
export function postVisibleTo(viewerId: string, postAlias = 'p'): SQL {
  if (!IDENTIFIER.test(postAlias)) throw new Error(`postVisibleTo: invalid alias ${postAlias}`);
  const col = (name: string) => sql.raw(`"${postAlias}"."${name}"`);
  const author = col('user_id');
  return sql`(${author} = ${viewerId} or (not ${col('is_archived')} and not ${blockedEitherWay(viewerId, author)}
    and exists (select 1 from users pa where pa.id = ${author} and pa.is_active and pa.deleted_at is null) and (
    ${col('visibility')} = 'public' or (${col('visibility')} = 'friends' and ${areFriends(viewerId, author)})
  )))`;
}
