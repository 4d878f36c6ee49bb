import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * The guard of "every privacy rule is stated once" (issue 16, docs/ARCHITECTURE.md "Privacy rules:
 * one statement each"): outside src/features/privacy/ no source file restates a social-graph rule
 * inline; it composes the named predicate from privacy/privacy.sql.ts instead. Tests, test helpers
 * and table declarations (*.tables.ts: the columns and CHECK constraints themselves) are exempt.
 */

const SRC = path.resolve(import.meta.dirname, '../src');
const PRIVACY_DIR = path.join(SRC, 'features', 'privacy');

interface InlineRule {
  rule: string;
  /** The predicate to use instead. */
  instead: string;
  pattern: RegExp;
}

const INLINE_RULES: InlineRule[] = [
  { rule: 'account is active', instead: 'activeAccountRow / accountActive / maySeeUser', pattern: /deleted_at\s+is\s+null/i },
  { rule: 'account is active', instead: 'activeAccountRow / accountActive / maySeeUser', pattern: /deletedAt\}\s+is\s+null/ },
  { rule: 'account is active', instead: 'activeAccountRow / accountActive / maySeeUser', pattern: /\busers\.(isActive|deletedAt)\b/ },
  { rule: 'blocked either way', instead: 'blockedEitherWay', pattern: /\b(from|join)\s+blocked_users\b/i },
  // "status = 'accepted'" is SQL only: TypeScript compares with ===, which this does not match.
  { rule: 'are friends', instead: 'areFriends / friendIdsOf / friendshipsOf', pattern: /\bstatus\s*=\s*'accepted'/i },
  { rule: 'are friends', instead: 'areFriends / friendIdsOf / friendshipsOf', pattern: /\.from\(friendships\)[^;]*?'accepted'/ },
  // A settings column compared or tested in SQL, not a value copied into a response (`x: b.column,`).
  { rule: 'may message', instead: 'mayMessage', pattern: /\b\w+\.who_can_send_messages\b(?!\s*[,;)}\]])/ },
  { rule: 'may message', instead: 'mayMessage', pattern: /\bwhoCanSendMessages\s*[!=]==|\bcanMessage\(/ },
  { rule: 'may see the full profile', instead: 'maySeeFullProfile', pattern: /\b\w+\.profile_visibility\b(?!\s*[,;)}\]])/ },
  { rule: 'may see the full profile', instead: 'maySeeFullProfile', pattern: /\bprofileVisibility\s*[!=]==|\bcanSeeFullProfile\(/ },
  { rule: 'may see the user', instead: 'maySeeUser', pattern: /\bcanSeeUser\(/ },
  { rule: 'shares activity', instead: 'sharesActivity', pattern: /\b\w+\.share_activity_with_friends\b(?!\s*[,;)}\]])|select\s+share_activity_with_friends\b/i },
];

/** Files the guard reads: production sources outside the privacy module. */
function guardedFiles(dir: string = SRC): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return full === PRIVACY_DIR ? [] : guardedFiles(full);
    const exempt = /\.(test|test-helpers|tables)\.ts$/.test(entry.name);
    return entry.name.endsWith('.ts') && !exempt ? [full] : [];
  });
}

/** Every inline restatement in `text`, as "file:line rule (use ...)". */
export function inlineRestatements(file: string, text: string): string[] {
  const found: string[] = [];
  for (const { rule, instead, pattern } of INLINE_RULES) {
    const global = new RegExp(pattern.source, pattern.flags.includes('g') ? pattern.flags : `${pattern.flags}g`);
    for (const match of text.matchAll(global)) {
      const line = text.slice(0, match.index).split('\n').length;
      found.push(`${path.relative(path.resolve(SRC, '..'), file)}:${line} restates "${rule}" (${match[0].trim()}); use ${instead}`);
    }
  }
  return found;
}

describe('privacy rules are stated once', () => {
  it('no source file outside src/features/privacy/ restates a social-graph rule inline', () => {
    const found = guardedFiles().flatMap((file) => inlineRestatements(file, readFileSync(file, 'utf8'))).sort();
    expect(found, found.join('\n')).toEqual([]);
  });

  it('the guard recognises each kind of inline copy', () => {
    const copies = [
      'sql`select 1 from users u where u.is_active and u.deleted_at is null`',
      '.where(and(eq(users.isActive, true), sql`${users.deletedAt} is null`))',
      'sql`not exists (select 1 from blocked_users b where b.blocker_id = ${a})`',
      'sql`exists (select 1 from friendships f where f.status = \'accepted\' and f.user_id = ${a})`',
      ".select().from(friendships).where(and(pair(a, b), eq(friendships.status, 'accepted')))",
      "sql`case s.who_can_send_messages when 'everyone' then true end`",
      "if (settings.whoCanSendMessages === 'everyone') return true;",
      "sql`u.profile_visibility <> 'private'`",
      'if (!canSeeFullProfile(rel, visibility)) throw userNotFound();',
      'if (!canSeeUser(rel)) throw userNotFound();',
      'sql`coalesce((select s.share_activity_with_friends from user_settings s where s.user_id = ${u}), true)`',
    ];
    for (const copy of copies) expect(inlineRestatements('src/planted.ts', copy), copy).not.toEqual([]);
  });

  it('names the file and line of a copy', () => {
    expect(inlineRestatements(path.join(SRC, 'planted.ts'), 'first line\nsql`u.deleted_at is null`')).toEqual([
      'src/planted.ts:2 restates "account is active" (deleted_at is null); use activeAccountRow / accountActive / maySeeUser',
    ]);
  });

  it('leaves alone what is not a rule: a ===, a response mapping, a column name in a schema', () => {
    const harmless = [
      "if (existing.status === 'accepted') throw alreadyFriends();",
      'who_can_send_messages: p.whoCanSendMessages,',
      'whoCanSendMessages: b.who_can_send_messages,',
      'sql`select u.profile_visibility, u.online_status_visible from users u`',
      'profile_visibility: Type.Union([...])',
      "sql`update push_tokens set is_active = false where id = ${id}`",
      '.from(blockedUsers).where(eq(blockedUsers.blockerId, blockerId))',
    ];
    for (const text of harmless) expect(inlineRestatements('src/planted.ts', text), text).toEqual([]);
  });
});
