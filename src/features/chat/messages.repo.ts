import { and, eq, sql } from 'drizzle-orm';
import type { Db } from '../../infra/db/database.js';
import { queryRows } from '../../infra/db/rows.js';
import { hiddenByBlock, messageAuthor } from '../privacy/group-message-visibility.sql.js';
import { messages, type MessageRow, type NewMessageRow } from './chat.tables.js';

/**
 * Who a message counts as "from" for unread counts and receipts: its sender, or for system and goal
 * messages the user whose action produced it (`metadata.actor_id`).
 */
const AUTHOR = messageAuthor('m');

/**
 * A message's created_at is taken before its transaction commits, so one may appear a little after
 * newer ones (and after a reader's mark). Receipts look this far behind the mark to cover them.
 */
const READ_MARGIN = '5 minutes';

/** Every write on `messages` and `message_reads`, and the unread counters they move. */
export class MessagesRepo {
  constructor(private readonly db: Db) {}

  /** Inserts a message; undefined when the sender already sent this client_message_id here. */
  async insert(values: NewMessageRow): Promise<MessageRow | undefined> {
    const [row] = await this.db
      .insert(messages)
      .values(values)
      .onConflictDoNothing({ target: [messages.conversationId, messages.senderId, messages.clientMessageId] })
      .returning();
    return row;
  }

  async findByClientId(conversationId: string, senderId: string, clientMessageId: string): Promise<MessageRow | undefined> {
    const [row] = await this.db
      .select()
      .from(messages)
      .where(
        and(eq(messages.conversationId, conversationId), eq(messages.senderId, senderId), eq(messages.clientMessageId, clientMessageId)),
      );
    return row;
  }

  /** A system message already posted under this key (goal events are delivered at least once). */
  async hasSystemKey(conversationId: string, key: string): Promise<boolean> {
    const rows = await queryRows(
      this.db,
      sql`select 1 from messages where conversation_id = ${conversationId} and sender_id is null and client_message_id = ${key} limit 1`,
    );
    return rows.length > 0;
  }

  async find(conversationId: string, messageId: string): Promise<MessageRow | undefined> {
    const [row] = await this.db
      .select()
      .from(messages)
      .where(and(eq(messages.id, messageId), eq(messages.conversationId, conversationId)));
    return row;
  }

  /**
   * After the message `messageId`: the conversation's last activity moves, every current participant
   * but its author gets one more unread (one atomic UPDATE) — except those a block hides the message
   * from (chat.blocks.sql.ts) — and the chat reappears for whoever hid it.
   */
  async recordActivity(conversationId: string, messageId: string, authorId: string | null, at: Date): Promise<void> {
    const iso = at.toISOString();
    await this.db.execute(sql`update conversations
      set last_message_at = greatest(coalesce(last_message_at, ${iso}::timestamptz), ${iso}::timestamptz), updated_at = ${iso}::timestamptz
      where id = ${conversationId}`);
    const hidden = sql`exists (select 1 from messages hm where hm.id = ${messageId} and ${hiddenByBlock(sql`conversation_participants.user_id`, 'hm')})`;
    await this.db.execute(sql`update conversation_participants
      set unread_count = unread_count + (case when user_id is distinct from ${authorId}::uuid and not ${hidden} then 1 else 0 end), hidden_at = null
      where conversation_id = ${conversationId} and left_at is null`);
  }

  async edit(messageId: string, content: string, now: Date): Promise<MessageRow | undefined> {
    const [row] = await this.db
      .update(messages)
      .set({ content, isEdited: true, updatedAt: now })
      .where(and(eq(messages.id, messageId), eq(messages.isDeleted, false)))
      .returning();
    return row;
  }

  /** Soft delete: the row stays (replies and receipts keep their place), its content and media go. */
  async softDelete(messageId: string, now: Date): Promise<MessageRow | undefined> {
    const [row] = await this.db
      .update(messages)
      .set({ isDeleted: true, content: '', mediaUrl: null, mediaThumbnailUrl: null, metadata: null, updatedAt: now })
      .where(and(eq(messages.id, messageId), eq(messages.isDeleted, false)))
      .returning();
    return row;
  }

  /** The newest message of the conversation. */
  async latest(conversationId: string): Promise<MessageRow | undefined> {
    const [row] = await this.db
      .select()
      .from(messages)
      .where(eq(messages.conversationId, conversationId))
      .orderBy(sql`${messages.createdAt} desc, ${messages.id} desc`)
      .limit(1);
    return row;
  }

  /**
   * Writes receipts for the messages of others up to `target` (inclusive) that are newer than the
   * reader's previous mark; existing receipts stay as they were. Returns how many were written.
   */
  async insertReads(conversationId: string, userId: string, target: MessageRow, since: Date | null, now: Date): Promise<number> {
    const rows = await queryRows(
      this.db,
      sql`insert into message_reads (message_id, user_id, read_at)
      select m.id, ${userId}::uuid, ${now.toISOString()}::timestamptz from messages m
      where m.conversation_id = ${conversationId}
        and (m.created_at, m.id) <= (select t.created_at, t.id from messages t where t.id = ${target.id})
        and m.created_at >= coalesce(${since?.toISOString() ?? null}::timestamptz - ${READ_MARGIN}::interval, '-infinity'::timestamptz)
        and ${AUTHOR} is distinct from ${userId}::uuid
        and not ${hiddenByBlock(sql`${userId}::uuid`, 'm')}
      on conflict (message_id, user_id) do nothing
      returning message_id`,
    );
    return rows.length;
  }

  /** Messages of others after `target` that no block hides from the reader: what stays unread once they read up to it. */
  async countAfter(conversationId: string, userId: string, target: MessageRow): Promise<number> {
    const [row] = await queryRows<{ n: number }>(
      this.db,
      sql`select count(*)::int as n from messages m
        where m.conversation_id = ${conversationId}
          and (m.created_at, m.id) > (select t.created_at, t.id from messages t where t.id = ${target.id})
          and ${AUTHOR} is distinct from ${userId}::uuid
          and not ${hiddenByBlock(sql`${userId}::uuid`, 'm')}`,
    );
    return Number(row?.n ?? 0);
  }

  /** Moves the reader's mark (the newest message time read) and unread count. */
  async setRead(conversationId: string, userId: string, mark: Date, unread: number): Promise<void> {
    await this.db.execute(sql`update conversation_participants
      set last_read_at = greatest(coalesce(last_read_at, ${mark.toISOString()}::timestamptz), ${mark.toISOString()}::timestamptz),
          unread_count = ${unread}
      where conversation_id = ${conversationId} and user_id = ${userId}`);
  }
}
