/**
 * Tables owned by the auth feature: plan §3.1 `refresh_tokens` (extended for rotation with
 * reuse detection), `password_reset_tokens` and `email_verification_tokens`.
 * Every token is stored only as a hash, and each hash is unique.
 */
import { boolean, index, inet, jsonb, pgTable, text, timestamp, uniqueIndex, uuid, varchar } from 'drizzle-orm/pg-core';
import { users } from '../users/users.tables.js';

export const refreshTokens = pgTable(
  'refresh_tokens',
  {
    id: uuid().primaryKey().defaultRandom(),
    userId: uuid()
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    tokenHash: varchar({ length: 255 }).notNull(),
    /** All tokens descended from one login share a family; reuse of a rotated token revokes the family. */
    familyId: uuid().notNull(),
    deviceInfo: jsonb(),
    ipAddress: inet(),
    userAgent: text(),
    expiresAt: timestamp({ withTimezone: true }).notNull(),
    revoked: boolean().notNull().default(false),
    revokedAt: timestamp({ withTimezone: true }),
    /** Set when this token was exchanged for a new one. */
    rotatedAt: timestamp({ withTimezone: true }),
    lastUsedAt: timestamp({ withTimezone: true }),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index('idx_refresh_tokens_user').on(t.userId),
    uniqueIndex('idx_refresh_tokens_hash').on(t.tokenHash),
    index('idx_refresh_tokens_family').on(t.familyId),
  ],
);

export const passwordResetTokens = pgTable(
  'password_reset_tokens',
  {
    id: uuid().primaryKey().defaultRandom(),
    userId: uuid()
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    tokenHash: varchar({ length: 255 }).notNull(),
    expiresAt: timestamp({ withTimezone: true }).notNull(),
    used: boolean().notNull().default(false),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index('idx_password_reset_user').on(t.userId),
    uniqueIndex('idx_password_reset_tokens_hash').on(t.tokenHash),
  ],
);

export const emailVerificationTokens = pgTable(
  'email_verification_tokens',
  {
    id: uuid().primaryKey().defaultRandom(),
    userId: uuid()
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    /** The address being verified (may differ from users.email during an email change). */
    email: varchar({ length: 255 }).notNull(),
    tokenHash: varchar({ length: 255 }).notNull(),
    expiresAt: timestamp({ withTimezone: true }).notNull(),
    verified: boolean().notNull().default(false),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index('idx_email_verification_user').on(t.userId),
    uniqueIndex('idx_email_verification_tokens_hash').on(t.tokenHash),
  ],
);

export type RefreshTokenRow = typeof refreshTokens.$inferSelect;
export type NewRefreshTokenRow = typeof refreshTokens.$inferInsert;
export type PasswordResetTokenRow = typeof passwordResetTokens.$inferSelect;
export type NewPasswordResetTokenRow = typeof passwordResetTokens.$inferInsert;
export type EmailVerificationTokenRow = typeof emailVerificationTokens.$inferSelect;
export type NewEmailVerificationTokenRow = typeof emailVerificationTokens.$inferInsert;
