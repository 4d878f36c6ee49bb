import { and, eq, isNull, sql } from 'drizzle-orm';
import type { Db } from '../../infra/db/database.js';
import { queryRows } from '../../infra/db/rows.js';
import { hiddenByBlock, messageAuthor } from '../privacy/group-message-visibility.sql.js';
import type { ConversationRole } from './chat.vocabulary.js';
import {
  conversationParticipants,
  conversations,
  type ConversationParticipantRow,
  type ConversationRow,
  type NewConversationRow,
} from './chat.tables.js';

export interface Membership {
  conversation: ConversationRow;
  participant: ConversationParticipantRow;
}

export interface CurrentParticipant {
  userId: string;
  role: ConversationRole;
  isMuted: boolean;
}

/** Every write on `conversations` and `conversation_participants`, and the membership reads. */
export class ConversationsRepo {
  constructor(private readonly db: Db) {}

  /** True when the user is a current participant (not left) of the conversation. */
  async isParticipant(conversationId: string, userId: string): Promise<boolean> {
    const rows = await this.db
      .select({ one: sql<number>`1` })
      .from(conversationParticipants)
      .where(
        and(
          eq(conversationParticipants.conversationId, conversationId),
          eq(conversationParticipants.userId, userId),
          isNull(conversationParticipants.leftAt),
        ),
      )
      .limit(1);
    return rows.length > 0;
  }

  /** The conversation and the user's participant row, if the user currently takes part in it. */
  async membership(conversationId: string, userId: string, forUpdate = false): Promise<Membership | undefined> {
    const query = this.db
      .select({ conversation: conversations, participant: conversationParticipants })
      .from(conversationParticipants)
      .innerJoin(conversations, eq(conversations.id, conversationParticipants.conversationId))
      .where(
        and(
          eq(conversationParticipants.conversationId, conversationId),
          eq(conversationParticipants.userId, userId),
          isNull(conversationParticipants.leftAt),
        ),
      );
    const [row] = forUpdate ? await query.for('update', { of: conversationParticipants }) : await query;
    return row;
  }

  async find(conversationId: string): Promise<ConversationRow | undefined> {
    const [row] = await this.db.select().from(conversations).where(eq(conversations.id, conversationId));
    return row;
  }

  /** Locks the conversation row (serialises membership changes and goal messages of one chat). */
  async lock(conversationId: string): Promise<ConversationRow | undefined> {
    const [row] = await this.db.select().from(conversations).where(eq(conversations.id, conversationId)).for('update');
    return row;
  }

  async insert(values: NewConversationRow): Promise<ConversationRow> {
    const [row] = await this.db.insert(conversations).values(values).returning();
    if (!row) throw new Error('insert into conversations returned no row');
    return row;
  }

  /** Inserts a direct conversation unless its pair already has one (then undefined). */
  async insertDirect(values: NewConversationRow): Promise<ConversationRow | undefined> {
    const [row] = await this.db.insert(conversations).values(values).onConflictDoNothing({ target: conversations.directKey }).returning();
    return row;
  }

  async findByDirectKey(directKey: string): Promise<ConversationRow | undefined> {
    const [row] = await this.db.select().from(conversations).where(eq(conversations.directKey, directKey));
    return row;
  }

  /** Inserts a goal's group conversation unless the goal has one already (then undefined). */
  async insertForGoal(values: NewConversationRow): Promise<ConversationRow | undefined> {
    const [row] = await this.db.insert(conversations).values(values).onConflictDoNothing({ target: conversations.goalId }).returning();
    return row;
  }

  async findByGoal(goalId: string): Promise<ConversationRow | undefined> {
    const [row] = await this.db.select().from(conversations).where(eq(conversations.goalId, goalId));
    return row;
  }

  async update(conversationId: string, values: { name?: string | null; imageUrl?: string | null }, now: Date): Promise<void> {
    await this.db
      .update(conversations)
      .set({ ...values, updatedAt: now })
      .where(eq(conversations.id, conversationId));
  }

  /**
   * Adds users (or brings back ones who left, with a fresh unread count); current participants are
   * left as they are. Returns the ids that joined now.
   */
  async join(conversationId: string, members: Array<{ userId: string; role: ConversationRole }>, now: Date): Promise<string[]> {
    if (members.length === 0) return [];
    const rows = await queryRows<{ user_id: string }>(
      this.db,
      sql`insert into conversation_participants (conversation_id, user_id, role, joined_at)
        values ${sql.join(members.map((m) => sql`(${conversationId}::uuid, ${m.userId}::uuid, ${m.role}, ${now.toISOString()}::timestamptz)`), sql`, `)}
        on conflict (conversation_id, user_id) do update
          set left_at = null, hidden_at = null, unread_count = 0, last_read_at = null, is_archived = false,
              role = excluded.role, joined_at = excluded.joined_at
          where conversation_participants.left_at is not null
        returning user_id::text as user_id`,
    );
    return rows.map((r) => r.user_id);
  }

  /** Marks the user as having left; false when they were not a current participant. */
  async leave(conversationId: string, userId: string, now: Date): Promise<boolean> {
    const rows = await this.db
      .update(conversationParticipants)
      .set({ leftAt: now, unreadCount: 0, role: 'member' })
      .where(
        and(
          eq(conversationParticipants.conversationId, conversationId),
          eq(conversationParticipants.userId, userId),
          isNull(conversationParticipants.leftAt),
        ),
      )
      .returning({ id: conversationParticipants.id });
    return rows.length > 0;
  }

  /** A group must keep an admin: when none is left, the longest-standing member becomes one. */
  async ensureAdmin(conversationId: string): Promise<void> {
    await this.db.execute(sql`update conversation_participants set role = 'admin'
      where id = (select p.id from conversation_participants p where p.conversation_id = ${conversationId} and p.left_at is null
          order by p.joined_at, p.user_id limit 1)
        and not exists (select 1 from conversation_participants a
          where a.conversation_id = ${conversationId} and a.left_at is null and a.role = 'admin')`);
  }

  /** The caller's own settings for the conversation (hidden, muted, archived). */
  async setOwn(
    conversationId: string,
    userId: string,
    values: Partial<Pick<ConversationParticipantRow, 'isMuted' | 'isArchived' | 'hiddenAt'>>,
  ): Promise<void> {
    await this.db
      .update(conversationParticipants)
      .set(values)
      .where(and(eq(conversationParticipants.conversationId, conversationId), eq(conversationParticipants.userId, userId)));
  }

  /**
   * Recounts the unread messages of `userIds` in `conversationIds` after a block between them was
   * placed or lifted: the messages of others after their read mark (or since they joined) that no
   * block hides from them. One statement.
   */
  async recountUnread(conversationIds: string[], userIds: string[]): Promise<void> {
    if (conversationIds.length === 0 || userIds.length === 0) return;
    const list = (values: string[]) => sql.join(values.map((id) => sql`${id}::uuid`), sql`, `);
    await this.db.execute(sql`update conversation_participants p
      set unread_count = (select count(*)::int from messages m
        where m.conversation_id = p.conversation_id
          and m.created_at > coalesce(p.last_read_at, p.joined_at)
          and ${messageAuthor('m')} is distinct from p.user_id
          and not ${hiddenByBlock(sql`p.user_id`, 'm')})
      where p.conversation_id in (${list(conversationIds)}) and p.user_id in (${list(userIds)}) and p.left_at is null`);
  }

  async currentParticipants(conversationId: string): Promise<CurrentParticipant[]> {
    const rows = await this.db
      .select({ userId: conversationParticipants.userId, role: conversationParticipants.role, isMuted: conversationParticipants.isMuted })
      .from(conversationParticipants)
      .where(and(eq(conversationParticipants.conversationId, conversationId), isNull(conversationParticipants.leftAt)))
      .orderBy(conversationParticipants.joinedAt, conversationParticipants.userId);
    return rows;
  }
}
