/**
 * Table owned by the activity feature: plan §3.8 `user_activities` (the user activity log).
 */
import { index, inet, jsonb, pgTable, text, timestamp, uuid, varchar } from 'drizzle-orm/pg-core';
import { users } from '../users/users.tables.js';

export const userActivities = pgTable(
  'user_activities',
  {
    id: uuid().primaryKey().defaultRandom(),
    userId: uuid()
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    /** 'login', 'post_created', 'goal_completed', ... */
    activityType: varchar({ length: 50 }).notNull(),
    description: text(),
    metadata: jsonb(),
    ipAddress: inet(),
    userAgent: text(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index('idx_activities_user').on(t.userId, t.createdAt.desc().nullsFirst()),
    index('idx_activities_type').on(t.activityType, t.createdAt.desc().nullsFirst()),
  ],
);

export type UserActivityRow = typeof userActivities.$inferSelect;
export type NewUserActivityRow = typeof userActivities.$inferInsert;
