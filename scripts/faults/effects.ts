/**
 * The side effects acknowledged writes owe, and a count of what exists afterwards: each owed
 * effect names how many copies must exist (one, nearly always) and how to count them in the
 * database or the mail directory. A missing copy is a lost effect, an extra one a duplicate.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type pg from 'pg';

export interface EffectRow {
  effect: string;
  owed: number;
  found: number;
  missing: number;
  duplicates: number;
  /** A few of the keys that did not match (for the report). */
  wrong: string[];
}

interface Check {
  effect: string;
  label: string;
  expected: number;
  count: () => Promise<number>;
}

export class Effects {
  private readonly checks: Check[] = [];

  constructor(
    private readonly db: pg.Pool,
    private readonly mailDir: string,
  ) {}

  /** `expected` copies of `effect` (named by `label`) must exist; `count` finds how many do. */
  owe(effect: string, label: string, expected: number, count: () => Promise<number>): void {
    this.checks.push({ effect, label, expected, count });
  }

  /** Rows matching `where` (with `params`) in `table`. */
  rows(table: string, where: string, params: unknown[]): () => Promise<number> {
    return async () => Number((await this.db.query<{ n: number }>(`select count(*)::int as n from ${table} where ${where}`, params)).rows[0]?.n ?? 0);
  }

  notification(userId: string, type: string, related: { user?: string; post?: string; goal?: string }): () => Promise<number> {
    return this.rows(
      'notifications',
      `user_id = $1 and notification_type = $2 and related_user_id is not distinct from $3 and related_post_id is not distinct from $4
       and related_goal_id is not distinct from $5`,
      [userId, type, related.user ?? null, related.post ?? null, related.goal ?? null],
    );
  }

  /** Verification (or other) mails to `to` with `subject`, among the .eml files the FileMailer wrote. */
  mails(to: string, subject: string): () => Promise<number> {
    return async () => readMails(this.mailDir).filter((m) => m.to.includes(to) && m.subject === subject).length;
  }

  /** Every check, grouped by effect. */
  async verify(): Promise<EffectRow[]> {
    const rows = new Map<string, EffectRow>();
    for (const check of this.checks) {
      const found = await check.count();
      const row = rows.get(check.effect) ?? { effect: check.effect, owed: 0, found: 0, missing: 0, duplicates: 0, wrong: [] };
      row.owed += check.expected;
      row.found += found;
      row.missing += Math.max(0, check.expected - found);
      row.duplicates += Math.max(0, found - check.expected);
      if (found !== check.expected && row.wrong.length < 3) row.wrong.push(`${check.label}: ${found}/${check.expected}`);
      rows.set(check.effect, row);
    }
    return [...rows.values()];
  }
}

interface Mail {
  to: string;
  subject: string;
}

/** The To and Subject headers of every .eml file in `dir` (none yet: empty). */
export function readMails(dir: string): Mail[] {
  let files: string[];
  try {
    files = readdirSync(dir).filter((f) => f.endsWith('.eml'));
  } catch {
    return [];
  }
  return files.map((file) => {
    const text = readFileSync(path.join(dir, file), 'utf8');
    const head = text.split(/\r?\n\r?\n/)[0] ?? '';
    // Unfold continued header lines.
    const unfolded = head.replace(/\r?\n[ \t]+/g, ' ');
    const header = (name: string) => unfolded.match(new RegExp(`^${name}: (.*)$`, 'mi'))?.[1]?.trim() ?? '';
    return { to: header('To'), subject: header('Subject') };
  });
}

/** A Markdown/console table. */
export function table(header: string[], rows: Array<Array<string | number>>): string {
  const cells = rows.map((r) => r.map(String));
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((r) => r[i]?.length ?? 0)));
  const line = (r: string[]) => `| ${r.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  return [line(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...cells.map(line)].join('\n');
}

export function effectsTable(rows: EffectRow[]): string {
  return table(
    ['effect', 'owed', 'found', 'missing', 'duplicates'],
    rows.map((r) => [r.effect, r.owed, r.found, r.missing, r.duplicates]),
  );
}
