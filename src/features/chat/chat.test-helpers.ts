/** Helpers shared by the chat feature's tests (not a test file itself). */
import { sql } from 'drizzle-orm';
import type { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { expect, vi } from 'vitest';
import type { AppContext } from '../../context.js';
import type { Database } from '../../infra/db/database.js';
import { queryRows } from '../../infra/db/rows.js';
import type { MessageAudience } from '../privacy/privacy.vocabulary.js';
import type { UserConversationType } from './chat.vocabulary.js';
import type { TestUser } from '../../../test/factories.js';
import type { TestApp } from '../../../test/harness.js';

/** The chat tests send many messages per user: no rate limits. */
export const NO_RATE_LIMITS = { RATE_LIMIT_ENABLED: 'false' };
export const UNKNOWN_ID = '00000000-0000-4000-8000-000000000000';

export interface MessageJson {
  id: string;
  conversation_id: string;
  sender: { id: string; username: string } | null;
  content: string | null;
  message_type: string;
  metadata: Record<string, unknown> | null;
  read_by: Array<{ user_id: string; read_at: string }>;
  [key: string]: unknown;
}

export interface ConversationJson {
  id: string;
  conversation_type: string;
  participants: Array<{ user_id: string; role: string }>;
  unread_count: number;
  last_message: { id: string; content: string | null; message_type: string } | null;
  [key: string]: unknown;
}

/** Creates a conversation through the API and returns its JSON (expects 200/201). */
export async function openConversation(
  t: TestApp,
  who: TestUser,
  type: UserConversationType,
  others: TestUser[],
  extra: Record<string, unknown> = {},
): Promise<ConversationJson> {
  const res = await t.app.inject({
    method: 'POST',
    url: '/api/v1/conversations',
    headers: who.auth,
    payload: { conversation_type: type, participant_ids: others.map((o) => o.id), ...extra },
  });
  expect([200, 201], res.body).toContain(res.statusCode);
  return res.json<ConversationJson>();
}

/** Sends a message through the API and returns it (expects 201). */
export async function sendMessage(t: TestApp, who: TestUser, conversationId: string, content: string, extra: Record<string, unknown> = {}): Promise<MessageJson> {
  const res = await t.app.inject({
    method: 'POST',
    url: `/api/v1/conversations/${conversationId}/messages`,
    headers: who.auth,
    payload: { content, ...extra },
  });
  expect(res.statusCode, res.body).toBe(201);
  return res.json<MessageJson>();
}

/** One statement a test saw: its SQL text and the transaction it ran in (undefined: none). */
export interface SeenStatement {
  text: string;
  transaction: number | undefined;
}

/** What a transaction's control statements look like (not counted as statements of the work). */
const CONTROL = /^\s*(begin|commit|rollback|savepoint|release)\b/i;

function textOf(arg: unknown): string {
  if (typeof arg === 'string') return arg;
  return (arg as { text?: string } | undefined)?.text ?? '';
}

/**
 * The statements this process sends to the database while `work` runs, in order, BEGIN and COMMIT
 * left out, each with the transaction it ran in: PGlite's one connection (a query inside
 * `transaction()` belongs to that transaction), or every node-postgres connection (production:
 * both pools, the prepared statements included; a statement belongs to the transaction its
 * connection opened with BEGIN). The job engine's own polling runs meanwhile in test apps: tell it
 * apart by its schema (`pgboss.`).
 */
export async function statementsDuring(database: Database, work: () => Promise<unknown>): Promise<SeenStatement[]> {
  const seen: SeenStatement[] = [];
  let transactions = 0;
  const record = (text: string, transaction: number | undefined) => {
    if (!CONTROL.test(text)) seen.push({ text, transaction });
  };
  const embedded = (database as Partial<{ client: PGlite }>).client;
  const spies: Array<{ mockRestore(): void }> = [];
  if (embedded) {
    const query = embedded.query.bind(embedded);
    const exec = embedded.exec.bind(embedded);
    const transaction = embedded.transaction.bind(embedded);
    spies.push(
      vi.spyOn(embedded, 'query').mockImplementation((text, ...rest) => (record(textOf(text), undefined), query(text, ...rest))),
      vi.spyOn(embedded, 'exec').mockImplementation((text, ...rest) => (record(textOf(text), undefined), exec(text, ...rest))),
      vi.spyOn(embedded, 'transaction').mockImplementation((callback) => {
        const id = ++transactions;
        return transaction((tx) =>
          callback(
            new Proxy(tx, {
              get(target, property) {
                const value: unknown = Reflect.get(target, property, target);
                if (typeof value !== 'function') return value;
                if (property !== 'query' && property !== 'exec') return value.bind(target);
                return (text: unknown, ...rest: unknown[]) => {
                  record(textOf(text), id);
                  return (value as (...a: unknown[]) => unknown).apply(target, [text, ...rest]);
                };
              },
            }),
          ),
        );
      }),
    );
  } else {
    const open = new WeakMap<object, number>();
    const query = pg.Client.prototype.query;
    spies.push(
      vi.spyOn(pg.Client.prototype, 'query').mockImplementation(function (this: pg.Client, ...args: unknown[]) {
        const text = textOf(args[0]);
        if (/^\s*begin\b/i.test(text)) open.set(this, ++transactions);
        record(text, open.get(this));
        if (/^\s*(commit|rollback)\b/i.test(text)) open.delete(this);
        return (query as (...a: unknown[]) => unknown).apply(this, args);
      } as never),
    );
  }
  try {
    await work();
    return seen;
  } finally {
    for (const spy of spies) spy.mockRestore();
  }
}

/** The statements of the transaction that ran a statement matching `marker`, and what this process ran before it outside the job engine. */
export function transactionOf(seen: readonly SeenStatement[], marker: RegExp): { before: string[]; inside: string[] } {
  const index = seen.findIndex((s) => marker.test(s.text));
  if (index < 0) throw new Error(`no statement matching ${marker} ran`);
  const transaction = seen[index]!.transaction;
  const first = transaction === undefined ? index : seen.findIndex((s) => s.transaction === transaction);
  return {
    before: seen.slice(0, first).filter((s) => s.transaction === undefined && !/\bpgboss\./i.test(s.text)).map((s) => s.text),
    inside: transaction === undefined ? [seen[index]!.text] : seen.filter((s) => s.transaction === transaction).map((s) => s.text),
  };
}

/** Sets a user's who_can_send_messages. */
export async function setMessageAudience(ctx: AppContext, who: TestUser, audience: MessageAudience): Promise<void> {
  await ctx.database.db.execute(sql`insert into user_settings (user_id, who_can_send_messages) values (${who.id}, ${audience})
    on conflict (user_id) do update set who_can_send_messages = excluded.who_can_send_messages`);
}

export async function unreadOf(ctx: AppContext, who: TestUser, conversationId: string): Promise<number> {
  const [row] = await queryRows<{ n: number }>(
    ctx.database.db,
    sql`select unread_count as n from conversation_participants where conversation_id = ${conversationId} and user_id = ${who.id}`,
  );
  return Number(row?.n);
}

export async function countWhere(ctx: AppContext, query: ReturnType<typeof sql>): Promise<number> {
  const [row] = await queryRows<{ n: number }>(ctx.database.db, query);
  return Number(row?.n ?? 0);
}

/**
 * `count` friends of `who` written straight into the tables (fast: no password hashing), for tests
 * that need many people but never sign them in. Returns their ids in creation order.
 */
export async function makeBulkFriends(ctx: AppContext, who: TestUser, count: number): Promise<string[]> {
  const tag = Math.random().toString(36).slice(2, 10);
  const rows = await queryRows<{ id: string }>(
    ctx.database.db,
    sql`insert into users (email, username, password_hash, full_name)
      select 'bulk_' || ${tag} || '_' || i || '@example.com', 'bulk_' || ${tag} || '_' || i, 'x', 'Bulk Friend ' || i
      from generate_series(1, ${count}) as i order by i
      returning id::text as id`,
  );
  const ids = rows.map((r) => r.id);
  await ctx.database.db.execute(sql`insert into friendships (user_id, friend_id, status, accepted_at)
    select ${who.id}::uuid, u.id, 'accepted', now() from users u where u.username like ${`bulk_${tag}_%`}`);
  return ids;
}
