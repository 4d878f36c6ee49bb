import { sql, type SQL } from 'drizzle-orm';
import type { Db } from '../../infra/db/database.js';
import { queryRows } from '../../infra/db/rows.js';
import type { OpenPage } from '../../lib/page.js';
import { blockedEitherWay } from '../privacy/privacy.sql.js';
import { hiddenByBlock } from '../privacy/group-message-visibility.sql.js';
import type { MessageType } from './chat.vocabulary.js';
import type { UserCardRow } from './conversations.reads.repo.js';

export interface ReplyPreview {
  id: string;
  sender: UserCardRow | null;
  content: string | null;
  messageType: string;
  isDeleted: boolean;
}

/** A message as every response and event shows it. */
export interface MessageView {
  id: string;
  conversationId: string;
  sender: UserCardRow | null;
  content: string;
  messageType: MessageType;
  mediaUrl: string | null;
  mediaThumbnailUrl: string | null;
  metadata: Record<string, unknown> | null;
  replyTo: ReplyPreview | null;
  clientMessageId: string | null;
  isEdited: boolean;
  isDeleted: boolean;
  createdAt: Date;
  updatedAt: Date;
  readBy: Array<{ userId: string; readAt: Date }>;
}

export type MessageViewRow = Record<string, unknown>;
type Raw = MessageViewRow;
const date = (v: unknown) => (v instanceof Date ? v : new Date(String(v)));
const str = (v: unknown) => (v === null || v === undefined ? null : String(v));

/** The columns of a message view, over a message source aliased `m` joined with {@link VIEW_JOINS}. */
export const VIEW_COLUMNS = sql`m.id, m.conversation_id, m.sender_id, m.content, m.message_type, m.media_url, m.media_thumbnail_url,
    m.metadata, m.client_message_id, m.is_edited, m.is_deleted, m.created_at, m.updated_at,
    u.username, u.full_name, u.profile_image_url,
    r.id as r_id, r.sender_id as r_sender_id, r.content as r_content, r.message_type as r_type, r.is_deleted as r_deleted,
    ru.username as r_username, ru.full_name as r_full_name, ru.profile_image_url as r_profile_image_url`;

/** The sender's card and the reply preview of the messages `m`. */
export const VIEW_JOINS = sql`left join users u on u.id = m.sender_id
  left join messages r on r.id = m.reply_to_message_id
  left join users ru on ru.id = r.sender_id`;

/**
 * The message views as `viewerId` sees them: a reply to a message a block hides from the viewer
 * quotes neither its author nor its text (`r_hidden`). Without a viewer: the neutral view.
 */
function selectFor(viewerId?: string): SQL {
  const replyHidden = viewerId ? sql`(r.id is not null and ${hiddenByBlock(sql`${viewerId}::uuid`, 'r')})` : sql`false`;
  return sql`select ${VIEW_COLUMNS}, ${replyHidden} as r_hidden from messages m ${VIEW_JOINS}`;
}

/** Who may see one message: each current participant, whether a block hides it or its reply's quote from them. */
export interface MessageAudienceRow {
  userId: string;
  isMuted: boolean;
  /** A block hides the message from this participant: they get no event of it. */
  hidden: boolean;
  /** A block hides the message it replies to: their copy quotes nothing. */
  replyHidden: boolean;
}

function card(id: unknown, username: unknown, fullName: unknown, image: unknown): UserCardRow | null {
  if (!id || !username) return null;
  return { id: String(id), username: String(username), fullName: String(fullName), profileImageUrl: str(image) };
}

/** A row of {@link VIEW_COLUMNS} as a view, without receipts (`readBy` empty). */
export function toMessageView(r: Raw): MessageView {
  const metadata = typeof r.metadata === 'string' ? (JSON.parse(r.metadata) as Record<string, unknown>) : (r.metadata as Record<string, unknown> | null);
  return {
    id: String(r.id),
    conversationId: String(r.conversation_id),
    sender: card(r.sender_id, r.username, r.full_name, r.profile_image_url),
    content: String(r.content),
    messageType: r.message_type as MessageType,
    mediaUrl: str(r.media_url),
    mediaThumbnailUrl: str(r.media_thumbnail_url),
    metadata: metadata ?? null,
    replyTo: r.r_id
      ? {
          id: String(r.r_id),
          sender: r.r_hidden === true ? null : card(r.r_sender_id, r.r_username, r.r_full_name, r.r_profile_image_url),
          content: r.r_deleted === true || r.r_hidden === true ? null : String(r.r_content),
          messageType: String(r.r_type),
          isDeleted: r.r_deleted === true,
        }
      : null,
    clientMessageId: str(r.client_message_id),
    isEdited: r.is_edited === true,
    isDeleted: r.is_deleted === true,
    createdAt: date(r.created_at),
    updatedAt: date(r.updated_at),
    readBy: [],
  };
}

/** Read model of messages: senders' cards, reply previews and read receipts, two statements per page. */
export class MessageReadsRepo {
  constructor(private readonly db: Db) {}

  /**
   * Newest first, before the message `beforeId` (keyset on created_at, id); one extra row tells
   * has_more. What a block hides from `viewerId` is left out (chat.blocks.sql.ts): messages, reply
   * quotes, receipts.
   */
  async page(conversationId: string, viewerId: string, limit: number, beforeId?: string): Promise<OpenPage<MessageView>> {
    const before: SQL = beforeId
      ? sql`and (m.created_at, m.id) < (select b.created_at, b.id from messages b where b.id = ${beforeId})`
      : sql``;
    const rows = await queryRows<Raw>(
      this.db,
      sql`${selectFor(viewerId)} where m.conversation_id = ${conversationId} ${before}
        and not ${hiddenByBlock(sql`${viewerId}::uuid`, 'm')}
        order by m.created_at desc, m.id desc limit ${limit + 1}`,
    );
    const items = await this.withReceipts(rows.slice(0, limit).map(toMessageView), viewerId);
    return { items, hasMore: rows.length > limit };
  }

  /** One message; as `viewerId` sees it when given (reply quote and receipts), else the neutral view events start from. */
  async one(messageId: string, viewerId?: string): Promise<MessageView | undefined> {
    const rows = await queryRows<Raw>(this.db, sql`${selectFor(viewerId)} where m.id = ${messageId}`);
    const [view] = await this.withReceipts(rows.map(toMessageView), viewerId);
    return view;
  }

  /** The message's current participants and what a block hides of it from each (one statement). */
  async audience(messageId: string): Promise<MessageAudienceRow[]> {
    const rows = await queryRows<{ user_id: string; is_muted: boolean; hidden: boolean; reply_hidden: boolean }>(
      this.db,
      sql`select p.user_id::text as user_id, p.is_muted,
          ${hiddenByBlock(sql`p.user_id`, 'm')} as hidden,
          (r.id is not null and ${hiddenByBlock(sql`p.user_id`, 'r')}) as reply_hidden
        from messages m
        join conversation_participants p on p.conversation_id = m.conversation_id and p.left_at is null
        left join messages r on r.id = m.reply_to_message_id
        where m.id = ${messageId}
        order by p.joined_at, p.user_id`,
    );
    return rows.map((r) => ({ userId: r.user_id, isMuted: r.is_muted === true, hidden: r.hidden === true, replyHidden: r.reply_hidden === true }));
  }

  /** Receipts of the views; without those of readers a block hides from `viewerId` in a group conversation. */
  private async withReceipts(views: MessageView[], viewerId?: string): Promise<MessageView[]> {
    if (views.length === 0) return views;
    const hiddenReaders = viewerId
      ? sql`and not (${blockedEitherWay(sql`${viewerId}::uuid`, sql`mr.user_id`)} and exists (select 1 from messages xm
          join conversations xc on xc.id = xm.conversation_id where xm.id = mr.message_id and xc.conversation_type <> 'direct'))`
      : sql``;
    const rows = await queryRows<Raw>(
      this.db,
      sql`select mr.message_id, mr.user_id, mr.read_at from message_reads mr
        where mr.message_id in (${sql.join(views.map((v) => sql`${v.id}::uuid`), sql`, `)}) ${hiddenReaders}
        order by mr.read_at, mr.user_id`,
    );
    const byMessage = new Map<string, MessageView['readBy']>();
    for (const r of rows) {
      const list = byMessage.get(String(r.message_id)) ?? [];
      list.push({ userId: String(r.user_id), readAt: date(r.read_at) });
      byMessage.set(String(r.message_id), list);
    }
    return views.map((v) => ({ ...v, readBy: byMessage.get(v.id) ?? [] }));
  }
}
