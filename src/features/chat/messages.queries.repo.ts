import { sql, type SQL } from 'drizzle-orm';
import type { Db } from '../../infra/db/database.js';
import { queryRows } from '../../infra/db/rows.js';
import type { UserCardRow } from './conversations.queries.repo.js';

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
  messageType: string;
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

const SELECT = sql`select ${VIEW_COLUMNS} from messages m ${VIEW_JOINS}`;

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
    messageType: String(r.message_type),
    mediaUrl: str(r.media_url),
    mediaThumbnailUrl: str(r.media_thumbnail_url),
    metadata: metadata ?? null,
    replyTo: r.r_id
      ? {
          id: String(r.r_id),
          sender: card(r.r_sender_id, r.r_username, r.r_full_name, r.r_profile_image_url),
          content: r.r_deleted === true ? null : String(r.r_content),
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
export class MessageQueriesRepo {
  constructor(private readonly db: Db) {}

  /** Newest first, before the message `beforeId` (keyset on created_at, id); one extra row tells has_more. */
  async page(conversationId: string, limit: number, beforeId?: string): Promise<{ items: MessageView[]; hasMore: boolean }> {
    const before: SQL = beforeId
      ? sql`and (m.created_at, m.id) < (select b.created_at, b.id from messages b where b.id = ${beforeId})`
      : sql``;
    const rows = await queryRows<Raw>(
      this.db,
      sql`${SELECT} where m.conversation_id = ${conversationId} ${before} order by m.created_at desc, m.id desc limit ${limit + 1}`,
    );
    const items = await this.withReceipts(rows.slice(0, limit).map(toMessageView));
    return { items, hasMore: rows.length > limit };
  }

  async one(messageId: string): Promise<MessageView | undefined> {
    const rows = await queryRows<Raw>(this.db, sql`${SELECT} where m.id = ${messageId}`);
    const [view] = await this.withReceipts(rows.map(toMessageView));
    return view;
  }

  private async withReceipts(views: MessageView[]): Promise<MessageView[]> {
    if (views.length === 0) return views;
    const rows = await queryRows<Raw>(
      this.db,
      sql`select message_id, user_id, read_at from message_reads
        where message_id in (${sql.join(views.map((v) => sql`${v.id}::uuid`), sql`, `)}) order by read_at, user_id`,
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
