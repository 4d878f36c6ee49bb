/**
 * Tables owned by the achievements feature: plan §3.8 `achievements` (badge catalogue) and
 * `user_achievements` (badges earned).
 */
import { boolean, index, integer, jsonb, pgTable, text, timestamp, unique, uuid, varchar } from 'drizzle-orm/pg-core';
import { users } from '../users/users.tables.js';

export const achievements = pgTable('achievements', {
  id: uuid().primaryKey().defaultRandom(),
  code: varchar({ length: 50 }).notNull().unique(),
  name: varchar({ length: 255 }).notNull(),
  description: text(),
  iconUrl: text(),
  category: varchar({ length: 50 }),
  points: integer().notNull().default(0),
  /** Rules for earning the achievement. */
  criteria: jsonb(),
  isActive: boolean().notNull().default(true),
  createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
});

export const userAchievements = pgTable(
  'user_achievements',
  {
    id: uuid().primaryKey().defaultRandom(),
    userId: uuid()
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    achievementId: uuid()
      .notNull()
      .references(() => achievements.id, { onDelete: 'cascade' }),
    earnedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    unique('user_achievements_user_id_achievement_id_unique').on(t.userId, t.achievementId),
    index('idx_user_achievements_user').on(t.userId, t.earnedAt.desc().nullsFirst()),
  ],
);

export type AchievementRow = typeof achievements.$inferSelect;
export type NewAchievementRow = typeof achievements.$inferInsert;
export type UserAchievementRow = typeof userAchievements.$inferSelect;
export type NewUserAchievementRow = typeof userAchievements.$inferInsert;
