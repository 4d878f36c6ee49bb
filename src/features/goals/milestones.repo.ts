import { and, asc, eq, sql } from 'drizzle-orm';
import type { Db } from '../../infra/db/database.js';
import { goalMilestones, type GoalMilestoneRow } from './goals.tables.js';

export interface MilestoneFields {
  title?: string;
  description?: string | null;
  /** Exact decimal string, or null for a milestone ticked by hand. */
  targetValue?: string | null;
  orderIndex?: number | null;
}

/** Every SQL statement on `goal_milestones`. */
export class MilestonesRepo {
  constructor(private readonly db: Db) {}

  /** The goal's milestones by order_index (unordered ones last), then creation. */
  async list(goalId: string): Promise<GoalMilestoneRow[]> {
    return this.db
      .select()
      .from(goalMilestones)
      .where(eq(goalMilestones.goalId, goalId))
      .orderBy(sql`${goalMilestones.orderIndex} asc nulls last`, asc(goalMilestones.createdAt), asc(goalMilestones.id));
  }

  async find(goalId: string, milestoneId: string): Promise<GoalMilestoneRow | undefined> {
    const [row] = await this.db
      .select()
      .from(goalMilestones)
      .where(and(eq(goalMilestones.goalId, goalId), eq(goalMilestones.id, milestoneId)))
      .limit(1);
    return row;
  }

  /** Inserts a milestone; without an order_index it goes after the last one. */
  async insert(goalId: string, fields: MilestoneFields & { title: string }, now: Date): Promise<GoalMilestoneRow> {
    const [row] = await this.db
      .insert(goalMilestones)
      .values({
        goalId,
        title: fields.title,
        description: fields.description ?? null,
        targetValue: fields.targetValue ?? null,
        orderIndex:
          fields.orderIndex ??
          sql`(select coalesce(max(m.order_index) + 1, 0) from goal_milestones m where m.goal_id = ${goalId})`,
        createdAt: now,
      })
      .returning();
    if (!row) throw new Error('insert into goal_milestones returned no row');
    return row;
  }

  async update(goalId: string, milestoneId: string, fields: MilestoneFields): Promise<GoalMilestoneRow | undefined> {
    if (Object.keys(fields).length === 0) return this.find(goalId, milestoneId);
    const [row] = await this.db
      .update(goalMilestones)
      .set(fields)
      .where(and(eq(goalMilestones.goalId, goalId), eq(goalMilestones.id, milestoneId)))
      .returning();
    return row;
  }

  async delete(goalId: string, milestoneId: string): Promise<boolean> {
    const rows = await this.db
      .delete(goalMilestones)
      .where(and(eq(goalMilestones.goalId, goalId), eq(goalMilestones.id, milestoneId)))
      .returning({ id: goalMilestones.id });
    return rows.length > 0;
  }

  /**
   * Marks achieved every not-yet-achieved milestone whose target_value the goal's current amount
   * has reached (compared in SQL, exactly), crediting `achievedBy` (null: reached before it existed).
   */
  async achieveReached(goalId: string, achievedBy: string | null, now: Date): Promise<GoalMilestoneRow[]> {
    return this.db
      .update(goalMilestones)
      .set({ achieved: true, achievedAt: now, achievedBy })
      .where(
        and(
          eq(goalMilestones.goalId, goalId),
          eq(goalMilestones.achieved, false),
          sql`${goalMilestones.targetValue} is not null`,
          sql`${goalMilestones.targetValue} <= (select g.current_amount from goals g where g.id = ${goalId})`,
        ),
      )
      .returning();
  }

  /** Ticks a milestone without a target_value by hand; undefined when it was already achieved. */
  async achieveManually(goalId: string, milestoneId: string, achievedBy: string, now: Date): Promise<GoalMilestoneRow | undefined> {
    const [row] = await this.db
      .update(goalMilestones)
      .set({ achieved: true, achievedAt: now, achievedBy })
      .where(
        and(
          eq(goalMilestones.goalId, goalId),
          eq(goalMilestones.id, milestoneId),
          eq(goalMilestones.achieved, false),
          sql`${goalMilestones.targetValue} is null`,
        ),
      )
      .returning();
    return row;
  }
}
