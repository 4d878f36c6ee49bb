import { sql } from 'drizzle-orm';
import type { Db, PreparedQuery } from '../../infra/db/database.js';
import { queryRows } from '../../infra/db/rows.js';
import { blockedEitherWay, mayMessage } from '../privacy/privacy.sql.js';
import { hiddenByBlock } from '../privacy/group-message-visibility.sql.js';
import type { UserConversationType } from './chat.vocabulary.js';
import {
  toMessageView,
  VIEW_COLUMNS,
  VIEW_JOINS,
  type MessageAudienceRow,
  type MessageView,
  type MessageViewRow,
} from './messages.reads.repo.js';

export interface NewUserMessage {
  conversationId: string;
  senderId: string;
  content: string;
  messageType: string;
  /** The media's stored reference: a private key of the sender's attachment, or the URL of their own public image. */
  mediaUrl: string | null;
  mediaThumbnailUrl: string | null;
  replyToMessageId: string | null;
  clientMessageId: string | null;
  at: Date;
}

/** What one send statement did. */
export type SendOutcome =
  /** The sender is not a current participant of the conversation. */
  | { kind: 'not_participant' }
  /** The sender sent this client_message_id here before (a retry): nothing was written. */
  | { kind: 'earlier'; messageId: string }
  /** A direct conversation whose recipient's rules (privacy.sql.ts `mayMessage`) refuse the sender now: nothing was written. */
  | { kind: 'not_allowed' }
  /** `replyToMessageId` is not a message of this conversation: nothing was written. */
  | { kind: 'reply_not_found' }
  /** A concurrent send with the same client_message_id won (its message is committed): nothing was written. */
  | { kind: 'lost_race' }
  | { kind: 'sent'; view: MessageView; participants: MessageAudienceRow[] };

interface SendRow extends MessageViewRow {
  conversation_type: UserConversationType;
  earlier_id: string | null;
  allowed: boolean;
  reply_found: boolean;
  participants: unknown;
}

/**
 * The send path of a user message as ONE statement: it checks the sender's membership, the
 * client_message_id (a retry writes nothing, and returns the first message even if the recipient's
 * rules changed since), whether a direct conversation's other participant accepts messages from
 * the sender (privacy.sql.ts `mayMessage`: their who_can_send_messages and blocks) and the reply
 * target, then inserts the message, moves the conversation's activity, counts one unread for every
 * other current participant from whom no block hides the sender (un-hiding the chat;
 * chat.blocks.sql.ts) and returns the message as GET messages shows it, with who may see it. A direct
 * message is one round trip like a group message. Run it through the transaction that publishes
 * the message's event (the outbox), so the message and its jobs commit together.
 */
export class MessageSendRepo {
  /** `prepared`: the send's transaction runs on the hot-path connections (inPreparedTransaction), the CTE prepared once per connection. */
  constructor(
    private readonly db: Db,
    private readonly prepared: PreparedQuery = (query) => queryRows(db, query),
  ) {}

  async send(m: NewUserMessage): Promise<SendOutcome> {
    const at = m.at.toISOString();
    const participant = sql`conversation_participants.user_id`;
    // In a group, a block hides the sender's messages from the other user (a direct message is never sent across one).
    const hidden = sql`((select conversation_type from context) <> 'direct' and ${blockedEitherWay(sql`${m.senderId}::uuid`, participant)})`;
    const [row] = await this.prepared<SendRow>(
      sql`with context as (
        select c.id as conversation_id, c.conversation_type,
          (select e.id::text from messages e
            where e.conversation_id = c.id and e.sender_id = p.user_id and e.client_message_id = ${m.clientMessageId}::varchar) as earlier_id,
          case when c.conversation_type = 'direct' then coalesce(${mayMessage(sql`p.user_id`, sql`peer.user_id`)}, false)
            else true end as allowed,
          exists (select 1 from messages r where r.id = ${m.replyToMessageId}::uuid and r.conversation_id = c.id) as reply_found
        from conversation_participants p join conversations c on c.id = p.conversation_id
          -- A direct conversation's other participant (none: nobody to message, so not allowed).
          left join lateral (select o.user_id from conversation_participants o
            where c.conversation_type = 'direct' and o.conversation_id = c.id and o.user_id <> p.user_id limit 1) peer on true
        where p.conversation_id = ${m.conversationId}::uuid and p.user_id = ${m.senderId}::uuid and p.left_at is null
      ), m as (
        insert into messages (conversation_id, sender_id, content, message_type, media_url, media_thumbnail_url, reply_to_message_id,
          client_message_id, created_at, updated_at)
        select context.conversation_id, ${m.senderId}::uuid, ${m.content}::text, ${m.messageType}::varchar, ${m.mediaUrl}::text,
          ${m.mediaThumbnailUrl}::text, ${m.replyToMessageId}::uuid, ${m.clientMessageId}::varchar, ${at}::timestamptz, ${at}::timestamptz
        from context
        where context.earlier_id is null
          and context.allowed
          and (${m.replyToMessageId}::uuid is null or context.reply_found)
        on conflict (conversation_id, sender_id, client_message_id) do nothing
        returning *
      ), activity as (
        update conversations
        set last_message_at = greatest(coalesce(last_message_at, ${at}::timestamptz), ${at}::timestamptz), updated_at = ${at}::timestamptz
        where id = (select conversation_id from m)
        returning id
      ), participants as (
        -- Reads activity's row, so the conversation row is locked first: concurrent sends to one
        -- conversation queue on it instead of locking participant rows in different orders (deadlock).
        update conversation_participants
        set unread_count = unread_count + (case when user_id = ${m.senderId}::uuid or ${hidden} then 0 else 1 end), hidden_at = null
        where conversation_id = (select id from activity) and left_at is null
        returning user_id, is_muted, ${hidden} as hidden,
          exists (select 1 from messages rt where rt.id = ${m.replyToMessageId}::uuid and ${hiddenByBlock(participant, 'rt')}) as reply_hidden
      )
      select context.conversation_type, context.earlier_id, context.allowed, context.reply_found, ${VIEW_COLUMNS},
        (select coalesce(json_agg(json_build_array(user_id, is_muted, hidden, reply_hidden)), '[]'::json) from participants) as participants
      from context left join m on true ${VIEW_JOINS}`,
    );
    if (!row) return { kind: 'not_participant' };
    if (row.id) {
      const participants = (typeof row.participants === 'string' ? JSON.parse(row.participants) : row.participants) as Array<
        [string, boolean, boolean, boolean]
      >;
      return {
        kind: 'sent',
        view: toMessageView(row),
        participants: participants.map(([userId, isMuted, hidden, replyHidden]) => ({ userId, isMuted, hidden, replyHidden })),
      };
    }
    if (row.earlier_id) return { kind: 'earlier', messageId: row.earlier_id };
    if (!row.allowed) return { kind: 'not_allowed' };
    if (m.replyToMessageId && !row.reply_found) return { kind: 'reply_not_found' };
    return { kind: 'lost_race' };
  }
}
