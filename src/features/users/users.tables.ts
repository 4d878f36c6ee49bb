/**
 * Tables owned by the users feature: plan §3.1 `users` (plus timezone and account lifecycle
 * columns, case-insensitive uniqueness of email/username) and `password_history`.
 */
import { sql } from 'drizzle-orm';
import { boolean, check, index, integer, pgTable, text, timestamp, uniqueIndex, uuid, varchar } from 'drizzle-orm/pg-core';
import { checkIn } from '../../infra/db/vocabulary-check.js';
import { PROFILE_VISIBILITIES } from '../privacy/privacy.vocabulary.js';

export const users = pgTable(
  'users',
  {
    id: uuid().primaryKey().defaultRandom(),
    email: varchar({ length: 255 }).notNull().unique(),
    username: varchar({ length: 50 }).notNull().unique(),
    passwordHash: varchar({ length: 255 }).notNull(),
    fullName: varchar({ length: 255 }).notNull(),
    bio: text(),
    profileImageUrl: text(),
    coverImageUrl: text(),

    // Privacy settings
    profileVisibility: varchar({ length: 20, enum: PROFILE_VISIBILITIES }).notNull().default('friends_only'),
    onlineStatusVisible: boolean().notNull().default(true),
    appearInSuggestions: boolean().notNull().default(true),

    // Stats
    goalsAchieved: integer().notNull().default(0),
    photosShared: integer().notNull().default(0),

    // Status
    isActive: boolean().notNull().default(true),
    isVerified: boolean().notNull().default(false),
    emailVerified: boolean().notNull().default(false),
    lastSeenAt: timestamp({ withTimezone: true }),

    // Not in the plan: IANA zone for reminders/streaks, and account lifecycle.
    timezone: varchar({ length: 64 }).notNull().default('UTC'),
    deactivatedAt: timestamp({ withTimezone: true }),
    deletedAt: timestamp({ withTimezone: true }),
    /** Access tokens carry this in claim `ver`; bumping it (password reset, logout everywhere) voids them all. */
    tokenVersion: integer().notNull().default(0),

    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    checkIn('users_profile_visibility_check', t.profileVisibility, PROFILE_VISIBILITIES),
    check('users_goals_achieved_check', sql`${t.goalsAchieved} >= 0`),
    check('users_photos_shared_check', sql`${t.photosShared} >= 0`),
    // Case-insensitive uniqueness: "Alice@x.com" and "alice@x.com" are the same account.
    uniqueIndex('users_email_lower_unique').on(sql`lower(${t.email})`),
    uniqueIndex('users_username_lower_unique').on(sql`lower(${t.username})`),
    index('idx_users_email').on(t.email),
    index('idx_users_username').on(t.username),
    index('idx_users_last_seen').on(t.lastSeenAt),
  ],
);

/** Previous password hashes of a user, so a reset can refuse recently used passwords. */
export const passwordHistory = pgTable(
  'password_history',
  {
    id: uuid().primaryKey().defaultRandom(),
    userId: uuid()
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    passwordHash: varchar({ length: 255 }).notNull(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('idx_password_history_user').on(t.userId, t.createdAt.desc().nullsFirst())],
);

/**
 * A requested change of the login address. The old address stays the account's login and reset
 * address until the new one is confirmed through the link mailed to it; the old address gets a
 * notice whose link reverts the change (and ends every session) until `revert_expires_at`, and is
 * reserved for the account until then so nobody else can take it meanwhile.
 */
export const emailChanges = pgTable(
  'email_changes',
  {
    id: uuid().primaryKey().defaultRandom(),
    userId: uuid()
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    oldEmail: varchar({ length: 255 }).notNull(),
    oldEmailVerified: boolean().notNull(),
    newEmail: varchar({ length: 255 }).notNull(),
    confirmTokenHash: varchar({ length: 255 }).notNull(),
    revertTokenHash: varchar({ length: 255 }).notNull(),
    confirmExpiresAt: timestamp({ withTimezone: true }).notNull(),
    revertExpiresAt: timestamp({ withTimezone: true }).notNull(),
    confirmedAt: timestamp({ withTimezone: true }),
    /** Set when a newer request replaced this one before it was confirmed. */
    supersededAt: timestamp({ withTimezone: true }),
    revertedAt: timestamp({ withTimezone: true }),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index('idx_email_changes_user').on(t.userId, t.createdAt),
    uniqueIndex('idx_email_changes_confirm_hash').on(t.confirmTokenHash),
    uniqueIndex('idx_email_changes_revert_hash').on(t.revertTokenHash),
    index('idx_email_changes_old_email').on(sql`lower(${t.oldEmail})`),
  ],
);

export type UserRow = typeof users.$inferSelect;
export type EmailChangeRow = typeof emailChanges.$inferSelect;
export type NewEmailChangeRow = typeof emailChanges.$inferInsert;
export type NewUserRow = typeof users.$inferInsert;
export type PasswordHistoryRow = typeof passwordHistory.$inferSelect;
export type NewPasswordHistoryRow = typeof passwordHistory.$inferInsert;
