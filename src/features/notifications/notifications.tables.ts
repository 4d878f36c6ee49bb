/**
 * Tables owned by the notifications feature: plan §3.6 `notifications`,
 * `notification_preferences`, `push_tokens`, plus `push_outbox` (one row per push to deliver
 * to one device; the push adapter drains it).
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
} from 'drizzle-orm/pg-core';
import { checkIn } from '../../infra/db/vocabulary-check.js';
import { goals } from '../goals/goals.tables.js';
import { postComments, posts } from '../posts/posts.tables.js';
import { users } from '../users/users.tables.js';
import { NOTIFICATION_TYPE_NAMES } from './notifications.catalog.js';
import { DEVICE_TYPES, PUSH_OUTBOX_PROVIDERS, PUSH_OUTBOX_STATUSES } from './notifications.vocabulary.js';

export const notifications = pgTable(
  'notifications',
  {
    id: uuid().primaryKey().defaultRandom(),
    userId: uuid()
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    /** 'goal_completed', 'friend_request', 'post_like', 'comment', ... */
    notificationType: varchar({ length: 50 }).notNull(),
    title: varchar({ length: 255 }).notNull(),
    message: text().notNull(),

    relatedUserId: uuid().references(() => users.id, { onDelete: 'cascade' }),
    relatedGoalId: uuid().references(() => goals.id, { onDelete: 'cascade' }),
    relatedPostId: uuid().references(() => posts.id, { onDelete: 'cascade' }),
    relatedCommentId: uuid().references(() => postComments.id, { onDelete: 'cascade' }),

    imageUrl: text(),
    iconType: varchar({ length: 50 }),
    iconColor: varchar({ length: 20 }),
    /** Deep link for app navigation. */
    actionUrl: text(),

    isRead: boolean().notNull().default(false),
    isArchived: boolean().notNull().default(false),

    pushSent: boolean().notNull().default(false),
    pushSentAt: timestamp({ withTimezone: true }),

    /** Groups repeats ("Ann and 3 others liked your post") into one row. */
    collapseKey: varchar({ length: 255 }),
    actorCount: integer().notNull().default(1),

    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    checkIn('notifications_notification_type_check', t.notificationType, NOTIFICATION_TYPE_NAMES),
    check('notifications_actor_count_check', sql`${t.actorCount} >= 1`),
    // Also serves plan §9.1 idx_notifications_user_read_created (same definition).
    index('idx_notifications_user').on(t.userId, t.isRead, t.createdAt.desc().nullsFirst()),
    index('idx_notifications_type').on(t.notificationType),
    // Not in the plan: finding the row to collapse into.
    index('idx_notifications_collapse').on(t.userId, t.collapseKey),
    // Not in the plan: cascading deletes of users, goals, posts and comments find their rows by index.
    index('idx_notifications_related_user').on(t.relatedUserId),
    index('idx_notifications_related_goal').on(t.relatedGoalId),
    index('idx_notifications_related_post').on(t.relatedPostId),
    index('idx_notifications_related_comment').on(t.relatedCommentId),
  ],
);

export const notificationPreferences = pgTable('notification_preferences', {
  id: uuid().primaryKey().defaultRandom(),
  userId: uuid()
    .notNull()
    .unique()
    .references(() => users.id, { onDelete: 'cascade' }),
  pushEnabled: boolean().notNull().default(true),
  emailEnabled: boolean().notNull().default(false),
  goalReminders: boolean().notNull().default(true),
  friendRequests: boolean().notNull().default(true),
  messages: boolean().notNull().default(true),
  achievements: boolean().notNull().default(true),
  postLikes: boolean().notNull().default(true),
  postComments: boolean().notNull().default(true),
  goalUpdates: boolean().notNull().default(true),
  updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
});

export const pushTokens = pgTable(
  'push_tokens',
  {
    id: uuid().primaryKey().defaultRandom(),
    userId: uuid()
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    token: text().notNull(),
    deviceType: varchar({ length: 20, enum: DEVICE_TYPES }),
    deviceId: varchar({ length: 255 }),
    isActive: boolean().notNull().default(true),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    unique('push_tokens_user_id_token_unique').on(t.userId, t.token),
    // A device token belongs to one account at a time (re-registering moves it).
    uniqueIndex('push_tokens_token_unique').on(t.token),
    checkIn('push_tokens_device_type_check', t.deviceType, DEVICE_TYPES),
    index('idx_push_tokens_user').on(t.userId, t.isActive),
  ],
);

export const pushOutbox = pgTable(
  'push_outbox',
  {
    id: uuid().primaryKey().defaultRandom(),
    notificationId: uuid().references(() => notifications.id, { onDelete: 'set null' }),
    pushTokenId: uuid().references(() => pushTokens.id, { onDelete: 'set null' }),
    userId: uuid()
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    provider: varchar({ length: 20, enum: PUSH_OUTBOX_PROVIDERS }).notNull(),
    payload: jsonb().notNull(),
    status: varchar({ length: 20, enum: PUSH_OUTBOX_STATUSES }).notNull().default('pending'),
    attempts: integer().notNull().default(0),
    lastError: text(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    /** When the row is next due: now when queued, then the end of a sender's claim (its lease) or the retry time. */
    notBefore: timestamp({ withTimezone: true }).notNull().defaultNow(),
    sentAt: timestamp({ withTimezone: true }),
  },
  (t) => [
    checkIn('push_outbox_provider_check', t.provider, PUSH_OUTBOX_PROVIDERS),
    checkIn('push_outbox_status_check', t.status, PUSH_OUTBOX_STATUSES),
    check('push_outbox_attempts_check', sql`${t.attempts} >= 0`),
    // One delivery per (notification, device): enqueueing twice is a no-op.
    uniqueIndex('push_outbox_notification_token_unique').on(t.notificationId, t.pushTokenId),
    // Not in the plan: the sender drains due pending rows, earliest due first.
    index('idx_push_outbox_due').on(t.status, t.notBefore, t.id),
    index('idx_push_outbox_user').on(t.userId),
  ],
);

export type NotificationRow = typeof notifications.$inferSelect;
export type NewNotificationRow = typeof notifications.$inferInsert;
export type NotificationPreferencesRow = typeof notificationPreferences.$inferSelect;
export type NewNotificationPreferencesRow = typeof notificationPreferences.$inferInsert;
export type PushTokenRow = typeof pushTokens.$inferSelect;
export type NewPushTokenRow = typeof pushTokens.$inferInsert;
export type PushOutboxRow = typeof pushOutbox.$inferSelect;
export type NewPushOutboxRow = typeof pushOutbox.$inferInsert;
