import type { Db } from '../../infra/db/database.js';
import { GoalsRepo } from './goals.repo.js';
import type { GoalRow } from './goals.tables.js';

/**
 * Inside a transaction that holds the goal's row lock: completes the goal if it is an active amount
 * goal whose target is reached, and credits goals_achieved to its active participants. The status
 * guard of the UPDATE makes both happen exactly once, however many contributions cross the target.
 */
export async function completeIfReached(tx: Db, goalId: string, now: Date): Promise<GoalRow | undefined> {
  const repo = new GoalsRepo(tx);
  const completed = await repo.completeIfTargetReached(goalId, now);
  if (completed) await repo.creditGoalsAchieved(goalId);
  return completed;
}
