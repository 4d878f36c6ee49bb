import { sql, type SQL, type SQLWrapper } from 'drizzle-orm';

/**
 * THE rule for what a block hides inside a shared group conversation, as SQL (docs/security.md,
 * Blocks): a visibility rule of messages, so it lives with the other privacy rules. Both
 * users stay members; each one's messages are hidden from the other: the user messages they send,
 * the system and goal messages that report their actions (`metadata.actor_id`) and those that name
 * them (`metadata.user_ids`). Direct conversations are not affected here: a block refuses new direct
 * messages and live views instead (issue 14.8), and their history stays as it was.
 *
 * The viewer is an SQL expression (a bound id as `${id}::uuid`, or a participant column), so one
 * statement can decide for every participant. Reads `blocked_users` and `conversations`. Whether two
 * users blocked each other at all is privacy.sql.ts `blockedEitherWay`; this module says only what
 * such a block hides of a group's messages.
 */

/** The user a message counts as from: its sender, or for system and goal messages the actor. */
export function messageAuthor(alias = 'm'): SQL {
  return sql.raw(`coalesce(${checked(alias)}.sender_id, (${checked(alias)}.metadata->>'actor_id')::uuid)`);
}

/** True when a block hides the message `alias` (a `messages` row in scope) from `viewer`. */
export function hiddenByBlock(viewer: SQLWrapper, alias = 'm'): SQL {
  const m = sql.raw(checked(alias));
  const author = messageAuthor(alias);
  const named = (id: SQL) => sql`coalesce(${m}.metadata->'user_ids', '[]'::jsonb) @> jsonb_build_array(${id}::text)`;
  return sql`(exists (select 1 from blocked_users hb
      where (hb.blocker_id = ${viewer} and (hb.blocked_id = ${author} or ${named(sql`hb.blocked_id`)}))
         or (hb.blocked_id = ${viewer} and (hb.blocker_id = ${author} or ${named(sql`hb.blocker_id`)})))
    and exists (select 1 from conversations hc where hc.id = ${m}.conversation_id and hc.conversation_type <> 'direct'))`;
}

function checked(alias: string): string {
  if (!/^[a-z_][a-z0-9_]*$/.test(alias)) throw new Error(`not a table alias: ${alias}`);
  return alias;
}
