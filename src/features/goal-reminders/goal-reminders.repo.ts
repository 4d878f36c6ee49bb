import { and, asc, count, eq, isNull, lte, sql } from 'drizzle-orm';
import type { Db } from '../../infra/db/database.js';
import { queryRows } from '../../infra/db/rows.js';
import { users } from '../users/users.tables.js';
import { goalParticipants, goalReminders, goals, type GoalReminderRow, type NewGoalReminderRow } from '../goals/goals.tables.js';
import type { GoalStatus } from '../goals/goals.vocabulary.js';
import type { ReminderType } from './goal-reminders.vocabulary.js';

/** What reminders need to know about the caller's place in a goal. */
export interface ReminderParticipation {
  goalStatus: GoalStatus;
  /** The participant's own time zone (users.timezone), the default for new reminders. */
  userTimezone: string;
}

/** A reminder whose `next_fire_at` has passed, with what firing it needs. */
export interface DueReminder {
  id: string;
  goalId: string;
  userId: string;
  reminderType: ReminderType | null;
  reminderTime: string | null;
  reminderDays: number[] | null;
  timezone: string;
  nextFireAt: Date;
  goalTitle: string;
  /** The goal is active and the user still an active participant of it. */
  eligible: boolean;
}

/** One compare-and-set claim: move `next_fire_at` from `expected` to `next`. */
export interface ReminderClaim {
  id: string;
  expected: Date;
  /** Null retires a row that cannot be scheduled (never written by the API). */
  next: Date | null;
  /** Whether this claim fires the occurrence (sets last_fired_at) or only skips past it. */
  fire: boolean;
}

export type ReminderPatch = Partial<
  Pick<NewGoalReminderRow, 'reminderType' | 'reminderTime' | 'reminderDays' | 'timezone' | 'isActive' | 'nextFireAt'>
>;

/** Every SQL statement on `goal_reminders` (written by this feature only). */
export class GoalRemindersRepo {
  constructor(private readonly db: Db) {}

  /**
   * Read model (goals and goal_participants belong to the goals core, users to the users feature;
   * this only reads them): the caller's ACTIVE participation in a goal, or undefined.
   */
  async findParticipation(goalId: string, userId: string): Promise<ReminderParticipation | undefined> {
    const [row] = await this.db
      .select({ goalStatus: goals.status, userTimezone: users.timezone })
      .from(goalParticipants)
      .innerJoin(goals, eq(goals.id, goalParticipants.goalId))
      .innerJoin(users, eq(users.id, goalParticipants.userId))
      .where(and(eq(goalParticipants.goalId, goalId), eq(goalParticipants.userId, userId), isNull(goalParticipants.leftAt)))
      .limit(1);
    return row;
  }

  /**
   * Serialises reminder creation per (goal, user) until the transaction ends, so the per-goal
   * limit holds under concurrent requests. Call inside a transaction only.
   */
  async lockUserGoal(goalId: string, userId: string): Promise<void> {
    await this.db.execute(sql`select pg_advisory_xact_lock(hashtextextended(${`goal_reminders:${goalId}:${userId}`}, 0))`);
  }

  async countForUserGoal(goalId: string, userId: string): Promise<number> {
    const [row] = await this.db
      .select({ n: count() })
      .from(goalReminders)
      .where(and(eq(goalReminders.goalId, goalId), eq(goalReminders.userId, userId)));
    return Number(row?.n ?? 0);
  }

  async insert(values: NewGoalReminderRow): Promise<GoalReminderRow> {
    const [row] = await this.db.insert(goalReminders).values(values).returning();
    if (!row) throw new Error('insert into goal_reminders returned no row');
    return row;
  }

  /** The user's reminders on a goal, oldest first. */
  async listForUserGoal(goalId: string, userId: string): Promise<GoalReminderRow[]> {
    return this.db
      .select()
      .from(goalReminders)
      .where(and(eq(goalReminders.goalId, goalId), eq(goalReminders.userId, userId)))
      .orderBy(asc(goalReminders.createdAt), asc(goalReminders.id));
  }

  /** A reminder only if it belongs to this user and goal (anyone else's id reads as absent). */
  async findOwned(goalId: string, userId: string, reminderId: string): Promise<GoalReminderRow | undefined> {
    const [row] = await this.db
      .select()
      .from(goalReminders)
      .where(and(eq(goalReminders.id, reminderId), eq(goalReminders.goalId, goalId), eq(goalReminders.userId, userId)))
      .limit(1);
    return row;
  }

  async updateOwned(goalId: string, userId: string, reminderId: string, patch: ReminderPatch): Promise<GoalReminderRow | undefined> {
    const [row] = await this.db
      .update(goalReminders)
      .set(patch)
      .where(and(eq(goalReminders.id, reminderId), eq(goalReminders.goalId, goalId), eq(goalReminders.userId, userId)))
      .returning();
    return row;
  }

  async deleteOwned(goalId: string, userId: string, reminderId: string): Promise<boolean> {
    const rows = await this.db
      .delete(goalReminders)
      .where(and(eq(goalReminders.id, reminderId), eq(goalReminders.goalId, goalId), eq(goalReminders.userId, userId)))
      .returning({ id: goalReminders.id });
    return rows.length > 0;
  }

  async deleteForUserGoal(goalId: string, userId: string): Promise<number> {
    const rows = await this.db
      .delete(goalReminders)
      .where(and(eq(goalReminders.goalId, goalId), eq(goalReminders.userId, userId)))
      .returning({ id: goalReminders.id });
    return rows.length;
  }

  /**
   * Read model for the scheduler: active reminders due at `now`, oldest first (served by
   * idx_reminders_due), with whether they may fire (goal active, participant not gone).
   */
  async findDue(now: Date, limit: number): Promise<DueReminder[]> {
    const rows = await this.db
      .select({
        id: goalReminders.id,
        goalId: goalReminders.goalId,
        userId: goalReminders.userId,
        reminderType: goalReminders.reminderType,
        reminderTime: goalReminders.reminderTime,
        reminderDays: goalReminders.reminderDays,
        timezone: goalReminders.timezone,
        nextFireAt: goalReminders.nextFireAt,
        goalTitle: goals.title,
        eligible: sql<boolean>`(${goals.status} = 'active' and ${goalParticipants.id} is not null)`,
      })
      .from(goalReminders)
      .innerJoin(goals, eq(goals.id, goalReminders.goalId))
      .leftJoin(
        goalParticipants,
        and(
          eq(goalParticipants.goalId, goalReminders.goalId),
          eq(goalParticipants.userId, goalReminders.userId),
          isNull(goalParticipants.leftAt),
        ),
      )
      .where(and(eq(goalReminders.isActive, true), lte(goalReminders.nextFireAt, now)))
      .orderBy(asc(goalReminders.nextFireAt), asc(goalReminders.id))
      .limit(limit);
    return rows.map((r) => ({ ...r, nextFireAt: r.nextFireAt as Date, eligible: Boolean(r.eligible) }));
  }

  /**
   * Claims occurrences by compare-and-set, in one statement: a row moves only if its
   * `next_fire_at` still equals what the caller read, so of several processes claiming the same
   * occurrence exactly one sees its id returned. (A concurrent claimer blocks on the row lock and
   * then re-checks the condition against the committed value, which no longer matches.)
   * Autocommit: the claim is durable when this resolves. Returns the ids this call claimed.
   */
  async claim(claims: ReminderClaim[], now: Date): Promise<Set<string>> {
    if (claims.length === 0) return new Set();
    const values = sql.join(
      claims.map(
        (c) =>
          sql`(${c.id}::uuid, ${c.expected.toISOString()}::timestamptz, ${c.next?.toISOString() ?? null}::timestamptz, ${c.fire}::boolean)`,
      ),
      sql`, `,
    );
    const rows = await queryRows<{ id: string }>(
      this.db,
      sql`update goal_reminders as r
          set next_fire_at = v.next_fire_at,
              last_fired_at = case when v.fire then ${now.toISOString()}::timestamptz else r.last_fired_at end
          from (values ${values}) as v(id, expected, next_fire_at, fire)
          where r.id = v.id and r.next_fire_at = v.expected and r.is_active
          returning r.id`,
    );
    return new Set(rows.map((r) => r.id));
  }
}
