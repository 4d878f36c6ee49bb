import { sql } from 'drizzle-orm';
import type { Database } from '../../infra/db/database.js';
import { toMessageView, VIEW_COLUMNS, VIEW_JOINS, type MessageView, type MessageViewRow } from './messages.queries.repo.js';

/** What a send needs to know before it writes, read in one statement. */
export interface SendContext {
  conversationType: 'direct' | 'group';
  /** The sender's earlier message with the same client_message_id in this conversation. */
  earlierMessageId: string | null;
  /** In a direct conversation, the other participant. */
  otherParticipantId: string | null;
  /** The message replied to exists in this conversation (false when there is none). */
  replyFound: boolean;
}

export interface NewUserMessage {
  conversationId: string;
  senderId: string;
  content: string;
  messageType: string;
  mediaUrl: string | null;
  replyToMessageId: string | null;
  clientMessageId: string | null;
  at: Date;
}

export interface SentMessage {
  view: MessageView;
  /** The conversation's current participants (the sender included) after the send. */
  participants: Array<{ userId: string; isMuted: boolean }>;
}

/**
 * The send path of a user message, in two prepared statements: the context read, then one statement
 * that inserts the message, moves the conversation's activity, counts one unread for every other
 * current participant (un-hiding the chat) and returns the message as GET messages shows it.
 */
export class MessageSendRepo {
  constructor(private readonly database: Database) {}

  /** Undefined when the sender is not a current participant of the conversation. */
  async context(conversationId: string, senderId: string, clientMessageId: string | null, replyToMessageId: string | null): Promise<SendContext | undefined> {
    const [row] = await this.database.queryPrepared<{
      conversation_type: 'direct' | 'group';
      earlier_id: string | null;
      other_id: string | null;
      reply_found: boolean;
    }>(sql`select c.conversation_type,
        (select e.id::text from messages e
          where e.conversation_id = c.id and e.sender_id = p.user_id and e.client_message_id = ${clientMessageId}::varchar) as earlier_id,
        (select o.user_id::text from conversation_participants o
          where c.conversation_type = 'direct' and o.conversation_id = c.id and o.user_id <> p.user_id limit 1) as other_id,
        exists (select 1 from messages r where r.id = ${replyToMessageId}::uuid and r.conversation_id = c.id) as reply_found
      from conversation_participants p join conversations c on c.id = p.conversation_id
      where p.conversation_id = ${conversationId}::uuid and p.user_id = ${senderId}::uuid and p.left_at is null`);
    if (!row) return undefined;
    return {
      conversationType: row.conversation_type,
      earlierMessageId: row.earlier_id,
      otherParticipantId: row.other_id,
      replyFound: row.reply_found === true,
    };
  }

  /**
   * One atomic statement; undefined when the sender already sent this client_message_id here (a
   * concurrent retry won: its message is committed).
   */
  async insert(m: NewUserMessage): Promise<SentMessage | undefined> {
    const at = m.at.toISOString();
    const [row] = await this.database.queryPrepared<MessageViewRow & { participants: unknown }>(sql`with m as (
        insert into messages (conversation_id, sender_id, content, message_type, media_url, reply_to_message_id, client_message_id, created_at, updated_at)
        values (${m.conversationId}::uuid, ${m.senderId}::uuid, ${m.content}::text, ${m.messageType}::varchar, ${m.mediaUrl}::text,
          ${m.replyToMessageId}::uuid, ${m.clientMessageId}::varchar, ${at}::timestamptz, ${at}::timestamptz)
        on conflict (conversation_id, sender_id, client_message_id) do nothing
        returning *
      ), activity as (
        update conversations
        set last_message_at = greatest(coalesce(last_message_at, ${at}::timestamptz), ${at}::timestamptz), updated_at = ${at}::timestamptz
        where id = (select conversation_id from m)
      ), participants as (
        update conversation_participants
        set unread_count = unread_count + (case when user_id = ${m.senderId}::uuid then 0 else 1 end), hidden_at = null
        where conversation_id = (select conversation_id from m) and left_at is null
        returning user_id, is_muted
      )
      select ${VIEW_COLUMNS},
        (select coalesce(json_agg(json_build_array(user_id, is_muted)), '[]'::json) from participants) as participants
      from m ${VIEW_JOINS}`);
    if (!row) return undefined;
    const participants = (typeof row.participants === 'string' ? JSON.parse(row.participants) : row.participants) as Array<[string, boolean]>;
    return {
      view: toMessageView(row),
      participants: participants.map(([userId, isMuted]) => ({ userId, isMuted })),
    };
  }
}
