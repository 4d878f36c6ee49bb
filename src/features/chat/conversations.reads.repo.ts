import { sql, type SQL } from 'drizzle-orm';
import type { Db } from '../../infra/db/database.js';
import { queryRows } from '../../infra/db/rows.js';
import type { Page } from '../../lib/page.js';
import { accountActive, activeAccountRow, areFriends, blockedEitherWay, mayMessage } from '../privacy/privacy.sql.js';
import type { UserCard } from '../users/user-card.js';
import { hiddenByBlock } from '../privacy/group-message-visibility.sql.js';
import type { ConversationRole, ConversationType } from './chat.vocabulary.js';

/** A participant's or sender's public card. */
export type UserCardRow = UserCard;

export interface ParticipantView extends UserCardRow {
  role: ConversationRole;
}

export interface LastMessageView {
  id: string;
  sender: UserCardRow | null;
  content: string | null;
  messageType: string;
  isDeleted: boolean;
  createdAt: Date;
}

/** A conversation as the caller sees it: their own counters and settings, the last message, who takes part. */
export interface ConversationView {
  id: string;
  conversationType: ConversationType;
  name: string | null;
  imageUrl: string | null;
  isGroup: boolean;
  goalId: string | null;
  role: ConversationRole;
  unreadCount: number;
  isMuted: boolean;
  isArchived: boolean;
  lastMessageAt: Date | null;
  createdAt: Date;
  lastMessage: LastMessageView | null;
  /** Admins first, then by joining; at most LIST_PARTICIPANTS_MAX in lists; in a group none blocked with the caller. */
  participants: ParticipantView[];
  /** Every current participant, whoever the caller sees. */
  participantsCount: number;
}

/** Participant cards per conversation in the list (the count is always complete). */
export const LIST_PARTICIPANTS_MAX = 10;
/** Participant cards of one conversation (GET /conversations/:id); groups are capped at this size. */
export const VIEW_PARTICIPANTS_MAX = 256;

type Raw = Record<string, unknown>;
const ids = (list: string[]) => sql.join(list.map((id) => sql`${id}::uuid`), sql`, `);
const date = (v: unknown) => (v instanceof Date ? v : new Date(String(v)));

const VIEW_SELECT = sql`select c.id, c.conversation_type, c.name, c.image_url, c.is_group, c.goal_id, c.last_message_at, c.created_at,
    p.role, p.unread_count, p.is_muted, p.is_archived,
    lm.id as lm_id, lm.sender_id as lm_sender_id, lm.content as lm_content, lm.message_type as lm_type,
    lm.is_deleted as lm_deleted, lm.created_at as lm_created_at,
    lu.username as lm_username, lu.full_name as lm_full_name, lu.profile_image_url as lm_profile_image_url
  from conversation_participants p
  join conversations c on c.id = p.conversation_id
  left join lateral (select m.id, m.sender_id, m.content, m.message_type, m.is_deleted, m.created_at from messages m
      where m.conversation_id = c.id and not ${hiddenByBlock(sql`p.user_id`, 'm')}
      order by m.created_at desc, m.id desc limit 1) lm on true
  left join users lu on lu.id = lm.sender_id`;

/** Hidden chats come back when a message newer than the hiding arrives. */
const NOT_HIDDEN = sql`(p.hidden_at is null or (c.last_message_at is not null and c.last_message_at > p.hidden_at))`;

function toView(r: Raw): Omit<ConversationView, 'participants' | 'participantsCount'> {
  return {
    id: String(r.id),
    conversationType: r.conversation_type as ConversationType,
    name: (r.name as string | null) ?? null,
    imageUrl: (r.image_url as string | null) ?? null,
    isGroup: r.is_group === true,
    goalId: (r.goal_id as string | null) ?? null,
    role: r.role as ConversationRole,
    unreadCount: Number(r.unread_count),
    isMuted: r.is_muted === true,
    isArchived: r.is_archived === true,
    lastMessageAt: r.last_message_at ? date(r.last_message_at) : null,
    createdAt: date(r.created_at),
    lastMessage: r.lm_id
      ? {
          id: String(r.lm_id),
          sender:
            r.lm_sender_id && r.lm_username
              ? {
                  id: String(r.lm_sender_id),
                  username: String(r.lm_username),
                  fullName: String(r.lm_full_name),
                  profileImageUrl: (r.lm_profile_image_url as string | null) ?? null,
                }
              : null,
          content: r.lm_deleted === true ? null : String(r.lm_content),
          messageType: String(r.lm_type),
          isDeleted: r.lm_deleted === true,
          createdAt: date(r.lm_created_at),
        }
      : null,
  };
}

/**
 * Read model of the chat list and conversation details (joins users for cards, friendships and
 * blocks through privacy.sql for membership checks). A page costs three statements, whatever its size.
 */
export class ConversationReadsRepo {
  constructor(private readonly db: Db) {}

  /** The caller's conversations, newest activity first; archived ones only when asked for. */
  async page(userId: string, archived: boolean, limit: number, offset: number): Promise<Page<ConversationView>> {
    const where = sql`where p.user_id = ${userId} and p.left_at is null and p.is_archived = ${archived} and ${NOT_HIDDEN}`;
    const rows = await queryRows<Raw>(
      this.db,
      sql`${VIEW_SELECT} ${where} order by coalesce(c.last_message_at, c.created_at) desc, c.id desc limit ${limit} offset ${offset}`,
    );
    const [count] = await queryRows<{ n: number }>(
      this.db,
      sql`select count(*)::int as n from conversation_participants p join conversations c on c.id = p.conversation_id ${where}`,
    );
    return { items: await this.withParticipants(rows.map(toView), userId, LIST_PARTICIPANTS_MAX), total: Number(count?.n ?? 0) };
  }

  /** One conversation as the caller sees it (hidden or archived ones too), if they take part in it. */
  async view(userId: string, conversationId: string): Promise<ConversationView | undefined> {
    const rows = await queryRows<Raw>(
      this.db,
      sql`${VIEW_SELECT} where p.user_id = ${userId} and p.left_at is null and c.id = ${conversationId}`,
    );
    const [view] = await this.withParticipants(rows.map(toView), userId, VIEW_PARTICIPANTS_MAX);
    return view;
  }

  /**
   * The participants of each conversation, in one statement: at most `perConversation` cards each
   * (admins first, then by joining), with the full count. In a group, members blocked either way
   * with the viewer get no card (they are still counted).
   */
  private async withParticipants(
    views: Array<Omit<ConversationView, 'participants' | 'participantsCount'>>,
    viewerId: string,
    perConversation: number,
  ): Promise<ConversationView[]> {
    if (views.length === 0) return [];
    const rows = await queryRows<Raw>(
      this.db,
      sql`select * from (
          select card.*,
            row_number() over (partition by card.conversation_id, card.hidden order by card.role = 'admin' desc, card.joined_at, card.user_id) as n,
            count(*) over (partition by card.conversation_id) as total
          from (select p.conversation_id, p.user_id, p.role, p.joined_at, u.username, u.full_name, u.profile_image_url,
              (c.conversation_type <> 'direct' and ${blockedEitherWay(sql`${viewerId}::uuid`, sql`p.user_id`)}) as hidden
            from conversation_participants p join users u on u.id = p.user_id join conversations c on c.id = p.conversation_id
            where p.conversation_id in (${ids(views.map((v) => v.id))}) and p.left_at is null) card) ranked
        where not ranked.hidden and ranked.n <= ${perConversation}
        order by ranked.conversation_id, ranked.n`,
    );
    const byConversation = new Map<string, ParticipantView[]>();
    const counts = new Map<string, number>();
    for (const r of rows) {
      counts.set(String(r.conversation_id), Number(r.total));
      const list = byConversation.get(String(r.conversation_id)) ?? [];
      list.push({
        id: String(r.user_id),
        username: String(r.username),
        fullName: String(r.full_name),
        profileImageUrl: (r.profile_image_url as string | null) ?? null,
        role: r.role as ConversationRole,
      });
      byConversation.set(String(r.conversation_id), list);
    }
    return views.map((v) => ({ ...v, participants: byConversation.get(v.id) ?? [], participantsCount: counts.get(v.id) ?? 0 }));
  }

  /** The conversation's current participants who may see `userId`'s activity there: in a group, none blocked with them either way. */
  async participantsSeeing(conversationId: string, userId: string): Promise<string[]> {
    const rows = await queryRows<{ user_id: string }>(
      this.db,
      sql`select p.user_id::text as user_id from conversation_participants p join conversations c on c.id = p.conversation_id
        where p.conversation_id = ${conversationId} and p.left_at is null
          and not (c.conversation_type <> 'direct' and ${blockedEitherWay(sql`${userId}::uuid`, sql`p.user_id`)})
        order by p.joined_at, p.user_id`,
    );
    return rows.map((r) => r.user_id);
  }

  /** Of `candidateIds`, those blocked either way with `userId` (one statement; none asked, no query). */
  async blockedAmong(userId: string, candidateIds: readonly string[]): Promise<Set<string>> {
    const unique = [...new Set(candidateIds)].filter((id) => id !== userId);
    if (unique.length === 0) return new Set();
    const rows = await queryRows<{ id: string }>(
      this.db,
      sql`select c.id::text as id from (values ${sql.join(unique.map((id) => sql`(${id}::uuid)`), sql`, `)}) as c(id)
        where ${blockedEitherWay(sql`${userId}::uuid`, sql`c.id`)}`,
    );
    return new Set(rows.map((r) => r.id));
  }

  /** Of `candidateIds`, those blocked either way with any of `userIds` (one statement; none asked, no query). */
  async blockedWithAny(userIds: readonly string[], candidateIds: readonly string[]): Promise<Set<string>> {
    if (userIds.length === 0 || candidateIds.length === 0) return new Set();
    const list = (values: readonly string[]) => sql.join([...new Set(values)].map((id) => sql`(${id}::uuid)`), sql`, `);
    const rows = await queryRows<{ id: string }>(
      this.db,
      sql`select distinct c.id::text as id from (values ${list(candidateIds)}) as c(id), (values ${list(userIds)}) as u(id)
        where c.id <> u.id and ${blockedEitherWay(sql`u.id`, sql`c.id`)}`,
    );
    return new Set(rows.map((r) => r.id));
  }

  /**
   * What two users share that a block between them changes: the group conversations both currently
   * take part in, and the group goals both are active participants of (a read of goal_participants).
   */
  async sharedBetween(a: string, b: string): Promise<{ conversationIds: string[]; goalIds: string[] }> {
    const [conversations, goals] = await Promise.all([
      queryRows<{ id: string }>(
        this.db,
        sql`select c.id::text as id from conversations c
          join conversation_participants pa on pa.conversation_id = c.id and pa.user_id = ${a} and pa.left_at is null
          join conversation_participants pb on pb.conversation_id = c.id and pb.user_id = ${b} and pb.left_at is null
          where c.conversation_type <> 'direct' order by c.id`,
      ),
      queryRows<{ id: string }>(
        this.db,
        sql`select ga.goal_id::text as id from goal_participants ga
          join goal_participants gb on gb.goal_id = ga.goal_id and gb.user_id = ${b} and gb.left_at is null
          where ga.user_id = ${a} and ga.left_at is null order by ga.goal_id`,
      ),
    ]);
    return { conversationIds: conversations.map((r) => r.id), goalIds: goals.map((r) => r.id) };
  }

  /** Cards of active accounts, in the order asked (unknown, deactivated or deleted ones left out). */
  async userCards(userIds: string[]): Promise<UserCardRow[]> {
    if (userIds.length === 0) return [];
    const rows = await queryRows<Raw>(
      this.db,
      sql`select u.id, u.username, u.full_name, u.profile_image_url from users u
        where u.id in (${ids(userIds)}) and ${activeAccountRow('u')}`,
    );
    const cards = new Map(
      rows.map((r) => [
        String(r.id),
        { id: String(r.id), username: String(r.username), fullName: String(r.full_name), profileImageUrl: (r.profile_image_url as string | null) ?? null },
      ]),
    );
    return userIds.flatMap((id) => cards.get(id) ?? []);
  }

  /**
   * The card of `otherId` for a direct conversation with `callerId`, with whether `callerId` may
   * message them now (privacy.sql.ts `mayMessage`), in one statement; undefined when `otherId` is not
   * an active account.
   */
  async directPeer(callerId: string, otherId: string): Promise<{ card: UserCardRow; mayMessage: boolean } | undefined> {
    const [row] = await queryRows<Raw>(
      this.db,
      sql`select u.id, u.username, u.full_name, u.profile_image_url, ${mayMessage(sql`${callerId}::uuid`, sql`u.id`)} as may_message
        from users u where u.id = ${otherId}::uuid and ${activeAccountRow('u')}`,
    );
    if (!row) return undefined;
    return {
      card: { id: String(row.id), username: String(row.username), fullName: String(row.full_name), profileImageUrl: (row.profile_image_url as string | null) ?? null },
      mayMessage: row.may_message === true,
    };
  }

  /** The candidates who are not friends of `userId` (or are blocked either way, or not an active account). */
  async notFriendsOf(userId: string, candidateIds: string[]): Promise<string[]> {
    if (candidateIds.length === 0) return [];
    const candidate: SQL = sql`c.id`;
    const rows = await queryRows<{ id: string }>(
      this.db,
      sql`select c.id::text as id from (values ${sql.join(candidateIds.map((id) => sql`(${id}::uuid)`), sql`, `)}) as c(id)
        where not (${areFriends(userId, candidate)}) or ${blockedEitherWay(userId, candidate)}
          or not ${accountActive(candidate)}`,
    );
    return rows.map((r) => r.id);
  }
}
