/**
 * Table owned by the coach feature: plan §3.5 `ai_coach_sessions` (usage and context tracking
 * for a user's AI coach conversation).
 */
import { sql } from 'drizzle-orm';
import { check, index, integer, jsonb, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { conversations } from '../chat/chat.tables.js';
import { users } from '../users/users.tables.js';

export const aiCoachSessions = pgTable(
  'ai_coach_sessions',
  {
    id: uuid().primaryKey().defaultRandom(),
    userId: uuid()
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    conversationId: uuid()
      .notNull()
      .references(() => conversations.id, { onDelete: 'cascade' }),
    contextSummary: text(),
    /** Snapshot of the user's goals given to the model as context. */
    userGoals: jsonb(),
    messageCount: integer().notNull().default(0),
    tokensUsed: integer().notNull().default(0),
    startedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    lastInteractionAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    check('ai_coach_sessions_message_count_check', sql`${t.messageCount} >= 0`),
    check('ai_coach_sessions_tokens_used_check', sql`${t.tokensUsed} >= 0`),
    index('idx_ai_sessions_user').on(t.userId, t.lastInteractionAt.desc().nullsFirst()),
  ],
);

export type AiCoachSessionRow = typeof aiCoachSessions.$inferSelect;
export type NewAiCoachSessionRow = typeof aiCoachSessions.$inferInsert;
