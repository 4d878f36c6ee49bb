/**
 * Tables owned by the stories feature: plan §3.4 `stories` (24-hour ephemeral media) and
 * `story_views`.
 */
import { sql } from 'drizzle-orm';
import { check, index, integer, pgTable, text, timestamp, unique, uuid, varchar } from 'drizzle-orm/pg-core';
import { checkIn } from '../../infra/db/vocabulary-check.js';
import { MEDIA_TYPES } from '../media/media.vocabulary.js';
import { users } from '../users/users.tables.js';

export const stories = pgTable(
  'stories',
  {
    id: uuid().primaryKey().defaultRandom(),
    userId: uuid()
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    mediaUrl: text().notNull(),
    mediaThumbnailUrl: text(),
    mediaType: varchar({ length: 20, enum: MEDIA_TYPES }),
    /** Seconds the story is shown. */
    duration: integer().notNull().default(5),
    viewsCount: integer().notNull().default(0),
    expiresAt: timestamp({ withTimezone: true }).notNull(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    checkIn('stories_media_type_check', t.mediaType, MEDIA_TYPES),
    check('stories_duration_check', sql`${t.duration} > 0`),
    check('stories_views_count_check', sql`${t.viewsCount} >= 0`),
    index('idx_stories_user').on(t.userId, t.createdAt.desc().nullsFirst()),
    index('idx_stories_expires').on(t.expiresAt),
  ],
);

export const storyViews = pgTable(
  'story_views',
  {
    id: uuid().primaryKey().defaultRandom(),
    storyId: uuid()
      .notNull()
      .references(() => stories.id, { onDelete: 'cascade' }),
    viewerId: uuid()
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    viewedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    unique('story_views_story_id_viewer_id_unique').on(t.storyId, t.viewerId),
    index('idx_story_views_story').on(t.storyId, t.viewedAt.desc().nullsFirst()),
  ],
);

export type StoryRow = typeof stories.$inferSelect;
export type NewStoryRow = typeof stories.$inferInsert;
export type StoryViewRow = typeof storyViews.$inferSelect;
export type NewStoryViewRow = typeof storyViews.$inferInsert;
