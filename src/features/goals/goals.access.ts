import { goalNotFound, notGoalCreator } from './goals.errors.js';
import { mayEditGoal } from './goals.policy.js';
import type { GoalReadsRepo, GoalWithAccess } from './goals.reads.repo.js';

/**
 * Loads a goal with the caller's role and whether they may see it (`goalVisibleTo`, selected in the
 * same statement); the one gate of every goal use case.
 */
export class GoalAccess {
  constructor(private readonly queries: GoalReadsRepo) {}

  /** The goal if the caller may see it; unknown and invisible goals are the same 404. */
  async visible(viewerId: string, goalId: string): Promise<GoalWithAccess> {
    const found = await this.queries.findWithAccess(viewerId, goalId);
    if (!found?.visible) throw goalNotFound();
    return found;
  }

  /** The goal if the caller created it: 404 when they cannot see it, 403 when they can but did not create it. */
  async asCreator(callerId: string, goalId: string): Promise<GoalWithAccess> {
    const found = await this.visible(callerId, goalId);
    if (!mayEditGoal(found.facts)) throw notGoalCreator();
    return found;
  }
}
