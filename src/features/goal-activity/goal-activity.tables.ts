/**
 * Table owned by the goal activity feature: plan §3.8 `feed_entries` (a user's materialised
 * timeline of goal activity, GET /goals/feed), with the §9.1 ranking index.
 */
import { doublePrecision, index, jsonb, pgTable, timestamp, uuid, varchar } from 'drizzle-orm/pg-core';
import { goals } from '../goals/goals.tables.js';
import { posts } from '../posts/posts.tables.js';
import { users } from '../users/users.tables.js';

export const feedEntries = pgTable(
  'feed_entries',
  {
    id: uuid().primaryKey().defaultRandom(),
    /** The feed owner. */
    userId: uuid()
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    sourceUserId: uuid().references(() => users.id, { onDelete: 'cascade' }),
    /** 'post', 'goal_update', 'achievement', ... */
    entryType: varchar({ length: 50 }).notNull(),
    relatedPostId: uuid().references(() => posts.id, { onDelete: 'cascade' }),
    relatedGoalId: uuid().references(() => goals.id, { onDelete: 'cascade' }),
    metadata: jsonb(),
    score: doublePrecision().notNull().default(0),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index('idx_feed_entries_user').on(t.userId, t.createdAt.desc().nullsFirst()),
    // Plan §9.1 idx_feed_user_score; replaces §3.8 idx_feed_entries_score (user_id, score DESC),
    // which is its prefix.
    index('idx_feed_user_score').on(t.userId, t.score.desc().nullsFirst(), t.createdAt.desc().nullsFirst()),
    // Not in the plan: cascading deletes of users, posts and goals find their rows by index.
    index('idx_feed_entries_source_user').on(t.sourceUserId),
    index('idx_feed_entries_related_post').on(t.relatedPostId),
    index('idx_feed_entries_related_goal').on(t.relatedGoalId),
  ],
);

export type FeedEntryRow = typeof feedEntries.$inferSelect;
export type NewFeedEntryRow = typeof feedEntries.$inferInsert;
