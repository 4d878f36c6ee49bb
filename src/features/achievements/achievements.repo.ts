import { and, asc, desc, eq, notExists, sql } from 'drizzle-orm';
import type { Db } from '../../infra/db/database.js';
import { achievements, userAchievements } from './achievements.tables.js';

/** A catalogue entry, with when the user in question earned it (null: not yet). */
export interface AchievementItem {
  id: string;
  code: string;
  name: string;
  description: string | null;
  iconUrl: string | null;
  category: string | null;
  points: number;
  earnedAt: Date | null;
}

/** What the evaluator needs of a catalogue row. */
export interface AchievementRule {
  id: string;
  code: string;
  name: string;
  points: number;
  criteria: unknown;
}

const itemColumns = {
  id: achievements.id,
  code: achievements.code,
  name: achievements.name,
  description: achievements.description,
  iconUrl: achievements.iconUrl,
  category: achievements.category,
  points: achievements.points,
};

/** Every SQL statement on `achievements` and `user_achievements`. */
export class AchievementsRepo {
  constructor(private readonly db: Db) {}

  /** The active catalogue with the user's earned_at for each (one query). */
  async catalogFor(userId: string): Promise<AchievementItem[]> {
    return this.db
      .select({ ...itemColumns, earnedAt: userAchievements.earnedAt })
      .from(achievements)
      .leftJoin(userAchievements, and(eq(userAchievements.achievementId, achievements.id), eq(userAchievements.userId, userId)))
      .where(eq(achievements.isActive, true))
      .orderBy(asc(achievements.category), asc(achievements.points), asc(achievements.code));
  }

  /** What the user earned, newest first (retired badges included: they were earned). */
  async earnedBy(userId: string): Promise<Array<AchievementItem & { earnedAt: Date }>> {
    return this.db
      .select({ ...itemColumns, earnedAt: userAchievements.earnedAt })
      .from(userAchievements)
      .innerJoin(achievements, eq(achievements.id, userAchievements.achievementId))
      .where(eq(userAchievements.userId, userId))
      .orderBy(desc(userAchievements.earnedAt), asc(achievements.code));
  }

  /** Active catalogue rows the user has not earned yet. */
  async unearnedRules(userId: string): Promise<AchievementRule[]> {
    return this.db
      .select({ id: achievements.id, code: achievements.code, name: achievements.name, points: achievements.points, criteria: achievements.criteria })
      .from(achievements)
      .where(
        and(
          eq(achievements.isActive, true),
          notExists(
            this.db
              .select({ one: sql`1` })
              .from(userAchievements)
              .where(and(eq(userAchievements.userId, userId), eq(userAchievements.achievementId, achievements.id))),
          ),
        ),
      );
  }

  /**
   * Records the award; returns its time when this call inserted it, undefined when the user already
   * had it. The unique (user_id, achievement_id) makes concurrent awards collapse to one row.
   */
  async award(userId: string, achievementId: string, at: Date): Promise<Date | undefined> {
    const [row] = await this.db
      .insert(userAchievements)
      .values({ userId, achievementId, earnedAt: at })
      .onConflictDoNothing({ target: [userAchievements.userId, userAchievements.achievementId] })
      .returning({ earnedAt: userAchievements.earnedAt });
    return row?.earnedAt;
  }
}
