/**
 * Tables owned by the chat feature: plan §3.5 `conversations`, `conversation_participants`,
 * `messages` and `message_reads`, extended with a unique key per direct pair, one chat per
 * group goal, and idempotent sends (client_message_id).
 */
import { sql } from 'drizzle-orm';
import {
  boolean,
  check,
  index,
  integer,
  jsonb,
  pgTable,
  text,
  timestamp,
  unique,
  uniqueIndex,
  uuid,
  varchar,
  type AnyPgColumn,
} from 'drizzle-orm/pg-core';
import { checkIn } from '../../infra/db/vocabulary-check.js';
import { goals } from '../goals/goals.tables.js';
import { users } from '../users/users.tables.js';
import { CONVERSATION_ROLES, CONVERSATION_TYPES, MESSAGE_TYPES } from './chat.vocabulary.js';

export const conversations = pgTable(
  'conversations',
  {
    id: uuid().primaryKey().defaultRandom(),
    conversationType: varchar({ length: 20, enum: CONVERSATION_TYPES }).notNull(),
    /** For group chats. */
    name: varchar({ length: 255 }),
    imageUrl: text(),
    isGroup: boolean().notNull().default(false),
    lastMessageAt: timestamp({ withTimezone: true }),
    /** For direct chats: the two user ids in a canonical order, so a pair has one conversation. */
    directKey: varchar({ length: 80 }),
    createdBy: uuid().references(() => users.id, { onDelete: 'set null' }),
    /** The group goal this chat belongs to (at most one chat per goal). */
    goalId: uuid().references(() => goals.id, { onDelete: 'set null' }),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    checkIn('conversations_conversation_type_check', t.conversationType, CONVERSATION_TYPES),
    uniqueIndex('conversations_direct_key_unique').on(t.directKey),
    uniqueIndex('conversations_goal_id_unique').on(t.goalId),
    // No index on last_message_at (plan §3.5 lists idx_conversations_last_message): every message
    // moves it, and an index on it made each of those updates non-HOT (a new entry in every index of
    // the row, dead versions piling up between vacuums). Lists are per user (idx_participants_user)
    // and sort a user's few conversations by coalesce(last_message_at, created_at); nothing read it.
  ],
);

export const conversationParticipants = pgTable(
  'conversation_participants',
  {
    id: uuid().primaryKey().defaultRandom(),
    conversationId: uuid()
      .notNull()
      .references(() => conversations.id, { onDelete: 'cascade' }),
    userId: uuid()
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    role: varchar({ length: 20, enum: CONVERSATION_ROLES }).notNull().default('member'),
    lastReadAt: timestamp({ withTimezone: true }),
    unreadCount: integer().notNull().default(0),
    isMuted: boolean().notNull().default(false),
    isArchived: boolean().notNull().default(false),
    /** Set when the user removed the chat from their list; a newer message shows it again. */
    hiddenAt: timestamp({ withTimezone: true }),
    joinedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    leftAt: timestamp({ withTimezone: true }),
  },
  (t) => [
    unique('conversation_participants_conversation_id_user_id_unique').on(t.conversationId, t.userId),
    checkIn('conversation_participants_role_check', t.role, CONVERSATION_ROLES),
    check('conversation_participants_unread_count_check', sql`${t.unreadCount} >= 0`),
    index('idx_participants_conversation').on(t.conversationId),
    index('idx_participants_user').on(t.userId, t.isArchived),
  ],
);

export const messages = pgTable(
  'messages',
  {
    id: uuid().primaryKey().defaultRandom(),
    conversationId: uuid()
      .notNull()
      .references(() => conversations.id, { onDelete: 'cascade' }),
    /** NULL for system/AI messages (and after the sender's account is deleted). */
    senderId: uuid().references(() => users.id, { onDelete: 'set null' }),
    content: text().notNull(),
    messageType: varchar({ length: 20, enum: MESSAGE_TYPES }).notNull().default('text'),
    mediaUrl: text(),
    mediaThumbnailUrl: text(),
    /** For system messages, goal updates, etc. */
    metadata: jsonb(),
    replyToMessageId: uuid().references((): AnyPgColumn => messages.id, { onDelete: 'set null' }),
    /** Client-generated id so a retried send does not create a duplicate. */
    clientMessageId: varchar({ length: 100 }),
    isEdited: boolean().notNull().default(false),
    isDeleted: boolean().notNull().default(false),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    checkIn('messages_message_type_check', t.messageType, MESSAGE_TYPES),
    // Also serves plan §9.1 idx_messages_conversation_created; id is the keyset tiebreaker.
    index('idx_messages_conversation').on(
      t.conversationId,
      t.createdAt.desc().nullsFirst(),
      t.id.desc().nullsFirst(),
    ),
    index('idx_messages_sender').on(t.senderId, t.createdAt.desc().nullsFirst()),
    uniqueIndex('messages_client_message_id_unique').on(t.conversationId, t.senderId, t.clientMessageId),
  ],
);

export const messageReads = pgTable(
  'message_reads',
  {
    id: uuid().primaryKey().defaultRandom(),
    messageId: uuid()
      .notNull()
      .references(() => messages.id, { onDelete: 'cascade' }),
    userId: uuid()
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    readAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    unique('message_reads_message_id_user_id_unique').on(t.messageId, t.userId),
    index('idx_message_reads_message').on(t.messageId),
    index('idx_message_reads_user').on(t.userId),
  ],
);

export type ConversationRow = typeof conversations.$inferSelect;
export type NewConversationRow = typeof conversations.$inferInsert;
export type ConversationParticipantRow = typeof conversationParticipants.$inferSelect;
export type NewConversationParticipantRow = typeof conversationParticipants.$inferInsert;
export type MessageRow = typeof messages.$inferSelect;
export type NewMessageRow = typeof messages.$inferInsert;
export type MessageReadRow = typeof messageReads.$inferSelect;
export type NewMessageReadRow = typeof messageReads.$inferInsert;
