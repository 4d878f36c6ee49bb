import { sql, type SQL } from 'drizzle-orm';
import { activeAccountRow, areFriends, blockedEitherWay, type Subject } from './privacy.sql.js';

/**
 * THE story visibility rule as SQL (docs/ARCHITECTURE.md, "Goal, post and story visibility"): every
 * story query (the tray, one story, its viewers) selects with `storyVisibleTo`.
 * story-visibility.test.ts checks it on every kind of viewer. Reads users, friendships and
 * blocked_users.
 */

const IDENTIFIER = /^[a-z_][a-z0-9_]*$/;

/**
 * True when `viewer` may see the `stories` row in scope under `story` at the instant `now`: it has
 * not expired, its author's account is active, and the viewer is its author or a friend of the
 * author not blocked either way. The author's users row must be joined as `authorRow` (every story
 * query shows the author's card).
 */
export function storyVisibleTo(viewer: Subject, now: Date, story = 's', authorRow = 'u'): SQL<boolean> {
  if (!IDENTIFIER.test(story) || !IDENTIFIER.test(authorRow)) throw new Error(`storyVisibleTo: invalid alias ${story} / ${authorRow}`);
  const author = sql.raw(`${story}.user_id`);
  return sql<boolean>`(${sql.raw(story)}.expires_at > ${now.toISOString()}::timestamptz
    and ${activeAccountRow(authorRow)}
    and (${author} = ${viewer} or (${areFriends(viewer, author)} and not ${blockedEitherWay(viewer, author)})))`;
}
