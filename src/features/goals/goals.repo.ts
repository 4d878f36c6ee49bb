import { and, asc, eq, getTableColumns, gt, inArray, isNotNull, notLike, sql, type SQL, type SQLWrapper } from 'drizzle-orm';
import type { Db } from '../../infra/db/database.js';
import type { ParticipantRole } from './goals.vocabulary.js';
import {
  goalParticipants,
  goals,
  type GoalParticipantRow,
  type GoalRow,
  type NewGoalParticipantRow,
  type NewGoalRow,
} from './goals.tables.js';

export type GoalUpdate = Partial<
  Pick<
    NewGoalRow,
    'title' | 'description' | 'category' | 'targetType' | 'targetAmount' | 'targetCurrency' | 'targetDate' | 'isPublic' | 'status' | 'imageUrl'
  >
>;

/**
 * progress_percentage of the goal row in scope, all in SQL (exact NUMERIC arithmetic, rounded to two
 * decimals): 100 once completed; amount goals current/target (at most 100); date and milestone goals
 * the share of achieved milestones (0 without milestones). `current` is the current amount to use
 * (the new one inside an UPDATE that changes it).
 */
export function progressOf(current: SQLWrapper = sql.raw('"goals"."current_amount"')): SQL {
  // Qualified by hand: Drizzle may render column objects unqualified inside raw fragments.
  return sql`(case
    when "goals"."status" = 'completed' then 100
    when "goals"."target_type" = 'amount' and "goals"."target_amount" > 0
      then least(100, round(${current} / "goals"."target_amount" * 100, 2))
    else coalesce((select round(100.0 * count(*) filter (where m.achieved) / nullif(count(*), 0), 2)
      from goal_milestones m where m.goal_id = "goals"."id"), 0)
  end)::float8`;
}

export interface AddedAmount {
  goal: GoalRow;
  /** An amount goal whose current amount now reaches its target. */
  reachedTarget: boolean;
  /** A not-yet-achieved milestone's target_value is now reached. */
  crossesMilestone: boolean;
}

/** Every write on `goals` and `goal_participants` (and the goals_achieved statistic, see below). */
export class GoalsRepo {
  constructor(private readonly db: Db) {}

  async insertGoal(values: NewGoalRow): Promise<GoalRow> {
    const [row] = await this.db.insert(goals).values(values).returning();
    if (!row) throw new Error('insert into goals returned no row');
    return row;
  }

  async insertParticipants(values: NewGoalParticipantRow[]): Promise<void> {
    if (values.length > 0) await this.db.insert(goalParticipants).values(values);
  }

  /** Locks the goal row for this transaction; every write use case takes this lock first, so they never deadlock. */
  async lock(goalId: string): Promise<GoalRow | undefined> {
    const [row] = await this.db.select().from(goals).where(eq(goals.id, goalId)).for('no key update');
    return row;
  }

  async update(goalId: string, values: GoalUpdate, now: Date): Promise<GoalRow | undefined> {
    const [row] = await this.db
      .update(goals)
      .set({ ...values, updatedAt: now })
      .where(eq(goals.id, goalId))
      .returning();
    return row;
  }

  /** Up to `limit` goals after `afterId` (id order) whose image still has a public URL (from before goal images were private). */
  async withPublicImage(afterId: string | undefined, limit: number): Promise<Array<{ id: string; imageUrl: string }>> {
    const rows = await this.db
      .select({ id: goals.id, imageUrl: goals.imageUrl })
      .from(goals)
      .where(and(isNotNull(goals.imageUrl), notLike(goals.imageUrl, 'private/%'), afterId ? gt(goals.id, afterId) : undefined))
      .orderBy(asc(goals.id))
      .limit(limit);
    return rows.map((r) => ({ id: r.id, imageUrl: r.imageUrl! }));
  }

  /** Points the goal at its moved image, if image_url still is `from` (updated_at unchanged). */
  async moveImage(goalId: string, from: string, to: string): Promise<boolean> {
    const rows = await this.db
      .update(goals)
      .set({ imageUrl: to })
      .where(and(eq(goals.id, goalId), eq(goals.imageUrl, from)))
      .returning({ id: goals.id });
    return rows.length > 0;
  }

  async delete(goalId: string): Promise<boolean> {
    const rows = await this.db.delete(goals).where(eq(goals.id, goalId)).returning({ id: goals.id });
    return rows.length > 0;
  }

  /**
   * Adds `amount` (an exact decimal string) to an ACTIVE goal and recomputes its progress in the same
   * statement: the row lock it takes serialises concurrent contributions, so none is lost. It also
   * says (compared in SQL, on the new amount) whether the target is reached and whether a milestone
   * with a target_value is newly crossed, so the follow-up statements run only when needed.
   * Undefined when the goal is not active (e.g. completed by a contribution that committed first).
   */
  async addAmount(goalId: string, amount: string, now: Date): Promise<AddedAmount | undefined> {
    const next = sql`(${goals.currentAmount} + ${amount}::numeric)`;
    const [row] = await this.db
      .update(goals)
      .set({ currentAmount: next, progressPercentage: progressOf(next), updatedAt: now })
      .where(and(eq(goals.id, goalId), eq(goals.status, 'active')))
      .returning({
        ...getTableColumns(goals),
        reachedTarget: sql<boolean>`("goals"."target_type" = 'amount' and "goals"."current_amount" >= "goals"."target_amount")`,
        crossesMilestone: sql<boolean>`exists (select 1 from goal_milestones m where m.goal_id = "goals"."id"
          and not m.achieved and m.target_value is not null and m.target_value <= "goals"."current_amount")`,
      });
    if (!row) return undefined;
    const { reachedTarget, crossesMilestone, ...goal } = row;
    return { goal, reachedTarget: reachedTarget === true, crossesMilestone: crossesMilestone === true };
  }

  /** Recomputes progress_percentage from the goal's current state (after milestone or target changes). */
  async refreshProgress(goalId: string): Promise<GoalRow | undefined> {
    const [row] = await this.db.update(goals).set({ progressPercentage: progressOf() }).where(eq(goals.id, goalId)).returning();
    return row;
  }

  /**
   * Completes an active amount goal whose current amount reached its target. The `status = 'active'`
   * guard makes the transition happen once, however many transactions try.
   */
  async completeIfTargetReached(goalId: string, now: Date): Promise<GoalRow | undefined> {
    const [row] = await this.db
      .update(goals)
      .set({ status: 'completed', completedAt: now, progressPercentage: 100, updatedAt: now })
      .where(
        and(
          eq(goals.id, goalId),
          eq(goals.status, 'active'),
          eq(goals.targetType, 'amount'),
          sql`${goals.currentAmount} >= ${goals.targetAmount}`,
        ),
      )
      .returning();
    return row;
  }

  /** Completes an active or paused goal (the creator's explicit completion); undefined otherwise. */
  async complete(goalId: string, now: Date): Promise<GoalRow | undefined> {
    const [row] = await this.db
      .update(goals)
      .set({ status: 'completed', completedAt: now, progressPercentage: 100, updatedAt: now })
      .where(and(eq(goals.id, goalId), inArray(goals.status, ['active', 'paused'])))
      .returning();
    return row;
  }

  /**
   * Adds one to `users.goals_achieved` of every active participant of a goal that just completed.
   * The one write of this feature to another feature's table, on purpose: goals_achieved is a
   * denormalised statistic of goals, and counting it in the completing transaction (behind the
   * status guard above) is what makes it exactly once. Rows are locked in id order so two goals
   * completing at once with the same people cannot deadlock.
   */
  async creditGoalsAchieved(goalId: string): Promise<void> {
    await this.db.execute(sql`with credited as (
        select u.id from users u
        where u.id in (select gp.user_id from goal_participants gp where gp.goal_id = ${goalId} and gp.left_at is null)
        order by u.id for no key update
      )
      update users set goals_achieved = users.goals_achieved + 1 from credited where users.id = credited.id`);
  }

  /**
   * Adds a participant, or brings back one who left (clearing left_at, with the new role and join
   * time; their contributions stay). Undefined when the user already is an active participant.
   */
  async upsertParticipant(goalId: string, userId: string, role: ParticipantRole, now: Date): Promise<GoalParticipantRow | undefined> {
    const [row] = await this.db
      .insert(goalParticipants)
      .values({ goalId, userId, role, joinedAt: now })
      .onConflictDoUpdate({
        target: [goalParticipants.goalId, goalParticipants.userId],
        set: { leftAt: null, role, joinedAt: now },
        setWhere: sql`${goalParticipants.leftAt} is not null`,
      })
      .returning();
    return row;
  }

  /** Marks an active participant as gone (left_at); false when they were not active. */
  async leave(goalId: string, userId: string, now: Date): Promise<boolean> {
    const rows = await this.db
      .update(goalParticipants)
      .set({ leftAt: now })
      .where(and(eq(goalParticipants.goalId, goalId), eq(goalParticipants.userId, userId), sql`${goalParticipants.leftAt} is null`))
      .returning({ id: goalParticipants.id });
    return rows.length > 0;
  }
}
