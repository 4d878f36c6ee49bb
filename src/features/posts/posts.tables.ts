/**
 * Tables owned by the posts feature: plan §3.4 `posts`, `post_likes`, `post_comments` (with
 * nested replies) and `comment_likes`.
 */
import { sql } from 'drizzle-orm';
import { boolean, check, index, integer, pgTable, text, timestamp, unique, uuid, varchar, type AnyPgColumn } from 'drizzle-orm/pg-core';
import { checkIn } from '../../infra/db/vocabulary-check.js';
import { goals } from '../goals/goals.tables.js';
import { users } from '../users/users.tables.js';
import { POST_TYPES, POST_VISIBILITIES } from './posts.vocabulary.js';

export const posts = pgTable(
  'posts',
  {
    id: uuid().primaryKey().defaultRandom(),
    userId: uuid()
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    caption: text(),
    postType: varchar({ length: 20, enum: POST_TYPES }).notNull().default('photo'),
    goalId: uuid().references(() => goals.id, { onDelete: 'set null' }),

    // Media. The plan has media_url NOT NULL, but post_type 'text' posts carry no media, so it is
    // nullable and a CHECK requires it for photo/video posts instead.
    mediaUrl: text(),
    mediaThumbnailUrl: text(),
    mediaWidth: integer(),
    mediaHeight: integer(),

    visibility: varchar({ length: 20, enum: POST_VISIBILITIES }).notNull().default('friends'),

    likesCount: integer().notNull().default(0),
    commentsCount: integer().notNull().default(0),

    isArchived: boolean().notNull().default(false),

    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    checkIn('posts_post_type_check', t.postType, POST_TYPES),
    checkIn('posts_visibility_check', t.visibility, POST_VISIBILITIES),
    check('posts_media_url_check', sql`${t.postType} = 'text' OR ${t.mediaUrl} IS NOT NULL`),
    check('posts_likes_count_check', sql`${t.likesCount} >= 0`),
    check('posts_comments_count_check', sql`${t.commentsCount} >= 0`),
    // Also serves plan §9.1 idx_posts_user_created (same definition).
    index('idx_posts_user').on(t.userId, t.createdAt.desc().nullsFirst()),
    index('idx_posts_goal').on(t.goalId, t.createdAt.desc().nullsFirst()),
    index('idx_posts_created').on(t.createdAt.desc().nullsFirst()),
    // Keyset pagination (created_at, id) with a unique tiebreaker.
    index('idx_posts_created_id').on(t.createdAt.desc().nullsFirst(), t.id.desc().nullsFirst()),
  ],
);

export const postLikes = pgTable(
  'post_likes',
  {
    id: uuid().primaryKey().defaultRandom(),
    postId: uuid()
      .notNull()
      .references(() => posts.id, { onDelete: 'cascade' }),
    userId: uuid()
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    unique('post_likes_post_id_user_id_unique').on(t.postId, t.userId),
    index('idx_likes_post').on(t.postId, t.createdAt.desc().nullsFirst()),
    index('idx_likes_user').on(t.userId, t.createdAt.desc().nullsFirst()),
  ],
);

export const postComments = pgTable(
  'post_comments',
  {
    id: uuid().primaryKey().defaultRandom(),
    postId: uuid()
      .notNull()
      .references(() => posts.id, { onDelete: 'cascade' }),
    userId: uuid()
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    content: text().notNull(),
    /** For nested replies; deleting a comment deletes its replies. */
    parentCommentId: uuid().references((): AnyPgColumn => postComments.id, { onDelete: 'cascade' }),

    likesCount: integer().notNull().default(0),
    repliesCount: integer().notNull().default(0),

    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    check('post_comments_likes_count_check', sql`${t.likesCount} >= 0`),
    check('post_comments_replies_count_check', sql`${t.repliesCount} >= 0`),
    index('idx_comments_post').on(t.postId, t.createdAt.asc()),
    index('idx_comments_user').on(t.userId, t.createdAt.desc().nullsFirst()),
    index('idx_comments_parent').on(t.parentCommentId),
  ],
);

export const commentLikes = pgTable(
  'comment_likes',
  {
    id: uuid().primaryKey().defaultRandom(),
    commentId: uuid()
      .notNull()
      .references(() => postComments.id, { onDelete: 'cascade' }),
    userId: uuid()
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    unique('comment_likes_comment_id_user_id_unique').on(t.commentId, t.userId),
    index('idx_comment_likes_comment').on(t.commentId),
  ],
);

export type PostRow = typeof posts.$inferSelect;
export type NewPostRow = typeof posts.$inferInsert;
export type PostLikeRow = typeof postLikes.$inferSelect;
export type NewPostLikeRow = typeof postLikes.$inferInsert;
export type PostCommentRow = typeof postComments.$inferSelect;
export type NewPostCommentRow = typeof postComments.$inferInsert;
export type CommentLikeRow = typeof commentLikes.$inferSelect;
export type NewCommentLikeRow = typeof commentLikes.$inferInsert;
