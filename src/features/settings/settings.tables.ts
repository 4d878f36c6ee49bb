/**
 * Tables owned by the settings feature: plan §3.7 `user_settings` (privacy and appearance) and
 * `blocked_users`.
 */
import { sql } from 'drizzle-orm';
import { boolean, check, index, numeric, pgTable, text, timestamp, unique, uuid, varchar } from 'drizzle-orm/pg-core';
import { checkIn } from '../../infra/db/vocabulary-check.js';
import { FRIEND_REQUEST_AUDIENCES, MESSAGE_AUDIENCES } from '../privacy/privacy.vocabulary.js';
import { users } from '../users/users.tables.js';
import { THEME_MODES } from './settings.vocabulary.js';

export const userSettings = pgTable(
  'user_settings',
  {
    id: uuid().primaryKey().defaultRandom(),
    userId: uuid()
      .notNull()
      .unique()
      .references(() => users.id, { onDelete: 'cascade' }),

    // Privacy
    whoCanSendFriendRequests: varchar({ length: 20, enum: FRIEND_REQUEST_AUDIENCES }).notNull().default('friends_of_friends'),
    whoCanSendMessages: varchar({ length: 20, enum: MESSAGE_AUDIENCES }).notNull().default('friends_only'),
    shareActivityWithFriends: boolean().notNull().default(true),

    // Appearance
    themeMode: varchar({ length: 20, enum: THEME_MODES }).notNull().default('system'),
    /** Hex colour, e.g. '#FF6B6B'. */
    accentColor: varchar({ length: 7 }).notNull().default('#FF6B6B'),
    fontSizeMultiplier: numeric({ precision: 3, scale: 2 }).notNull().default('1.0'),

    updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    checkIn('user_settings_who_can_send_friend_requests_check', t.whoCanSendFriendRequests, FRIEND_REQUEST_AUDIENCES),
    checkIn('user_settings_who_can_send_messages_check', t.whoCanSendMessages, MESSAGE_AUDIENCES),
    checkIn('user_settings_theme_mode_check', t.themeMode, THEME_MODES),
    check('user_settings_accent_color_check', sql`${t.accentColor} ~ '^#[0-9A-Fa-f]{6}$'`),
    check('user_settings_font_size_multiplier_check', sql`${t.fontSizeMultiplier} > 0`),
  ],
);

export const blockedUsers = pgTable(
  'blocked_users',
  {
    id: uuid().primaryKey().defaultRandom(),
    blockerId: uuid()
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    blockedId: uuid()
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    reason: text(),
    blockedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    unique('blocked_users_blocker_id_blocked_id_unique').on(t.blockerId, t.blockedId),
    check('blocked_users_not_self_check', sql`${t.blockerId} <> ${t.blockedId}`),
    index('idx_blocked_users_blocker').on(t.blockerId),
    // Not in the plan: "is the viewer blocked by X" is checked from the blocked side too.
    index('idx_blocked_users_blocked').on(t.blockedId),
  ],
);

export type UserSettingsRow = typeof userSettings.$inferSelect;
export type NewUserSettingsRow = typeof userSettings.$inferInsert;
export type BlockedUserRow = typeof blockedUsers.$inferSelect;
export type NewBlockedUserRow = typeof blockedUsers.$inferInsert;
