/**
 * Tables owned by the goals feature: plan §3.3 `goals`, `goal_participants`,
 * `goal_contributions`, `goal_milestones`, `goal_reminders`, and the §9.1 composite indexes.
 * Money is NUMERIC(12,2) read as a string (exact), never a JS float.
 */
import { sql } from 'drizzle-orm';
import {
  boolean,
  check,
  date,
  doublePrecision,
  index,
  integer,
  numeric,
  pgTable,
  text,
  time,
  timestamp,
  unique,
  uuid,
  varchar,
} from 'drizzle-orm/pg-core';
import { checkIn } from '../../infra/db/vocabulary-check.js';
import { REMINDER_TYPES } from '../goal-reminders/goal-reminders.vocabulary.js';
import { users } from '../users/users.tables.js';
import { CONTRIBUTION_TYPES, GOAL_STATUSES, GOAL_TYPES, PARTICIPANT_ROLES, TARGET_TYPES } from './goals.vocabulary.js';

export const goals = pgTable(
  'goals',
  {
    id: uuid().primaryKey().defaultRandom(),
    creatorId: uuid()
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    title: varchar({ length: 255 }).notNull(),
    description: text(),
    /** 'savings', 'fitness', 'education', ... */
    category: varchar({ length: 50 }),
    goalType: varchar({ length: 20, enum: GOAL_TYPES }).notNull(),

    // Target settings
    targetType: varchar({ length: 20, enum: TARGET_TYPES }),
    targetAmount: numeric({ precision: 12, scale: 2 }),
    targetCurrency: varchar({ length: 3 }).notNull().default('USD'),
    targetDate: date(),

    // Progress
    currentAmount: numeric({ precision: 12, scale: 2 }).notNull().default('0'),
    progressPercentage: doublePrecision().notNull().default(0),

    imageUrl: text(),

    status: varchar({ length: 20, enum: GOAL_STATUSES }).notNull().default('active'),
    isPublic: boolean().notNull().default(false),

    completedAt: timestamp({ withTimezone: true }),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    checkIn('goals_goal_type_check', t.goalType, GOAL_TYPES),
    checkIn('goals_target_type_check', t.targetType, TARGET_TYPES),
    checkIn('goals_status_check', t.status, GOAL_STATUSES),
    check('goals_target_amount_check', sql`${t.targetAmount} IS NULL OR ${t.targetAmount} > 0`),
    check('goals_current_amount_check', sql`${t.currentAmount} >= 0`),
    check('goals_progress_percentage_check', sql`${t.progressPercentage} >= 0`),
    index('idx_goals_creator').on(t.creatorId, t.status),
    index('idx_goals_status').on(t.status),
    index('idx_goals_category').on(t.category),
    index('idx_goals_status_created').on(t.status, t.createdAt.desc().nullsFirst()),
  ],
);

export const goalParticipants = pgTable(
  'goal_participants',
  {
    id: uuid().primaryKey().defaultRandom(),
    goalId: uuid()
      .notNull()
      .references(() => goals.id, { onDelete: 'cascade' }),
    userId: uuid()
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    role: varchar({ length: 20, enum: PARTICIPANT_ROLES }).notNull().default('member'),
    contributionAmount: numeric({ precision: 12, scale: 2 }).notNull().default('0'),
    joinedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    leftAt: timestamp({ withTimezone: true }),
  },
  (t) => [
    unique('goal_participants_goal_id_user_id_unique').on(t.goalId, t.userId),
    checkIn('goal_participants_role_check', t.role, PARTICIPANT_ROLES),
    index('idx_goal_participants_goal').on(t.goalId),
    index('idx_goal_participants_user').on(t.userId),
    index('idx_goal_participants_goal_joined').on(t.goalId, t.joinedAt.desc().nullsFirst()),
  ],
);

export const goalContributions = pgTable(
  'goal_contributions',
  {
    id: uuid().primaryKey().defaultRandom(),
    goalId: uuid()
      .notNull()
      .references(() => goals.id, { onDelete: 'cascade' }),
    userId: uuid()
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    amount: numeric({ precision: 12, scale: 2 }).notNull(),
    note: text(),
    contributionType: varchar({ length: 20, enum: CONTRIBUTION_TYPES }).notNull().default('monetary'),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    checkIn('goal_contributions_contribution_type_check', t.contributionType, CONTRIBUTION_TYPES),
    index('idx_contributions_goal').on(t.goalId, t.createdAt.desc().nullsFirst()),
    index('idx_contributions_user').on(t.userId, t.createdAt.desc().nullsFirst()),
  ],
);

export const goalMilestones = pgTable(
  'goal_milestones',
  {
    id: uuid().primaryKey().defaultRandom(),
    goalId: uuid()
      .notNull()
      .references(() => goals.id, { onDelete: 'cascade' }),
    title: varchar({ length: 255 }).notNull(),
    description: text(),
    targetValue: numeric({ precision: 12, scale: 2 }),
    achieved: boolean().notNull().default(false),
    achievedAt: timestamp({ withTimezone: true }),
    // The plan gives no ON DELETE (NO ACTION), which would make deleting that user's account
    // fail; SET NULL keeps the milestone and forgets who ticked it.
    achievedBy: uuid().references(() => users.id, { onDelete: 'set null' }),
    orderIndex: integer(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('idx_milestones_goal').on(t.goalId, t.orderIndex)],
);

export const goalReminders = pgTable(
  'goal_reminders',
  {
    id: uuid().primaryKey().defaultRandom(),
    goalId: uuid()
      .notNull()
      .references(() => goals.id, { onDelete: 'cascade' }),
    userId: uuid()
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    reminderType: varchar({ length: 20, enum: REMINDER_TYPES }),
    /** Local wall-clock time in `timezone`. */
    reminderTime: time(),
    /** Day numbers 0-6 (0 = Sunday). */
    reminderDays: integer().array(),
    isActive: boolean().notNull().default(true),
    timezone: varchar({ length: 64 }).notNull().default('UTC'),
    /** Precomputed next due instant (UTC), so the scheduler only scans due rows. */
    nextFireAt: timestamp({ withTimezone: true }),
    lastFiredAt: timestamp({ withTimezone: true }),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    checkIn('goal_reminders_reminder_type_check', t.reminderType, REMINDER_TYPES),
    check('goal_reminders_reminder_days_check', sql`${t.reminderDays} <@ ARRAY[0, 1, 2, 3, 4, 5, 6]`),
    index('idx_reminders_user').on(t.userId, t.isActive),
    index('idx_reminders_due').on(t.isActive, t.nextFireAt),
  ],
);

export type GoalRow = typeof goals.$inferSelect;
export type NewGoalRow = typeof goals.$inferInsert;
export type GoalParticipantRow = typeof goalParticipants.$inferSelect;
export type NewGoalParticipantRow = typeof goalParticipants.$inferInsert;
export type GoalContributionRow = typeof goalContributions.$inferSelect;
export type NewGoalContributionRow = typeof goalContributions.$inferInsert;
export type GoalMilestoneRow = typeof goalMilestones.$inferSelect;
export type NewGoalMilestoneRow = typeof goalMilestones.$inferInsert;
export type GoalReminderRow = typeof goalReminders.$inferSelect;
export type NewGoalReminderRow = typeof goalReminders.$inferInsert;
