import { and, count, desc, eq, sql } from 'drizzle-orm';
import type { Db } from '../../infra/db/database.js';
import type { Page } from '../../lib/page.js';
import { blockedEitherWay } from '../privacy/privacy.sql.js';
import { users } from '../users/users.tables.js';
import type { ContributionType } from './goals.vocabulary.js';
import { goalContributions, goalParticipants, type GoalContributionRow } from './goals.tables.js';

export interface ContributionItemRow {
  id: string;
  goalId: string;
  userId: string;
  amount: string;
  note: string | null;
  contributionType: ContributionType;
  createdAt: Date;
  username: string;
  fullName: string;
  profileImageUrl: string | null;
}

/** Every SQL statement on `goal_contributions`, and the per-participant running total. */
export class ContributionsRepo {
  constructor(private readonly db: Db) {}

  async insert(values: {
    goalId: string;
    userId: string;
    amount: string;
    note: string | null;
    contributionType: ContributionType;
    createdAt: Date;
  }): Promise<GoalContributionRow> {
    const [row] = await this.db.insert(goalContributions).values(values).returning();
    if (!row) throw new Error('insert into goal_contributions returned no row');
    return row;
  }

  /** Adds `amount` to an active participant's contribution_amount in SQL; false when they are not active. */
  async creditParticipant(goalId: string, userId: string, amount: string): Promise<boolean> {
    const rows = await this.db
      .update(goalParticipants)
      .set({ contributionAmount: sql`${goalParticipants.contributionAmount} + ${amount}::numeric` })
      .where(and(eq(goalParticipants.goalId, goalId), eq(goalParticipants.userId, userId), sql`${goalParticipants.leftAt} is null`))
      .returning({ id: goalParticipants.id });
    return rows.length > 0;
  }

  /**
   * A page of the goal's contributions, newest first, with the contributor's card. Contributions of
   * users blocked either way with the viewer are left out (blocks hide both sides).
   */
  async page(goalId: string, viewerId: string, limit: number, offset: number): Promise<Page<ContributionItemRow>> {
    const where = this.visibleOf(goalId, viewerId);
    const items = await this.itemsWhere(where, limit, offset);
    const [total] = await this.db.select({ n: count() }).from(goalContributions).where(where);
    return { items, total: Number(total?.n ?? 0) };
  }

  /** The goal's latest `limit` contributions the viewer may see (no count). */
  async recent(goalId: string, viewerId: string, limit: number): Promise<ContributionItemRow[]> {
    return this.itemsWhere(this.visibleOf(goalId, viewerId), limit, 0);
  }

  private visibleOf(goalId: string, viewerId: string) {
    return and(eq(goalContributions.goalId, goalId), sql`not ${blockedEitherWay(viewerId, goalContributions.userId)}`);
  }

  private async itemsWhere(where: ReturnType<typeof and>, limit: number, offset: number): Promise<ContributionItemRow[]> {
    const rows = await this.db
      .select({
        id: goalContributions.id,
        goalId: goalContributions.goalId,
        userId: goalContributions.userId,
        amount: goalContributions.amount,
        note: goalContributions.note,
        contributionType: goalContributions.contributionType,
        createdAt: goalContributions.createdAt,
        username: users.username,
        fullName: users.fullName,
        profileImageUrl: users.profileImageUrl,
      })
      .from(goalContributions)
      .innerJoin(users, eq(users.id, goalContributions.userId))
      .where(where)
      .orderBy(desc(goalContributions.createdAt), desc(goalContributions.id))
      .limit(limit)
      .offset(offset);
    return rows;
  }
}
