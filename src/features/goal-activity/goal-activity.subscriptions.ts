import type { EventBus } from '../../infra/bus/event-bus.js';
import type { GoalActivityService } from './goal-activity.service.js';
import '../goals/goals.events.js';

/**
 * Goal events become feed entries. The actor gets an entry too, so their own activity shows in their
 * feed; friends get one when they may see the goal and the actor shares activity with friends.
 */
export function registerGoalActivitySubscriptions(bus: EventBus, feed: GoalActivityService): void {
  bus.subscribe('goal.created', async (e) => {
    await feed.recordGoalActivity({
      entryType: 'goal_created',
      goalId: e.goal.goalId,
      actorId: e.actor.id,
      metadata: { participants_count: e.goal.participantIds.length },
      at: new Date(e.at),
    });
  });
  bus.subscribe('goal.contribution_added', async (e) => {
    await feed.recordGoalActivity({
      entryType: 'goal_contribution',
      goalId: e.goal.goalId,
      actorId: e.actor.id,
      metadata: {
        contribution_id: e.contributionId,
        contribution_type: e.contributionType,
        amount: e.amount,
        currency: e.currency,
        current_amount: e.currentAmount,
        progress_percentage: e.progressPercentage,
      },
      at: new Date(e.at),
    });
  });
  bus.subscribe('goal.milestone_achieved', async (e) => {
    await feed.recordGoalActivity({
      entryType: 'goal_milestone',
      goalId: e.goal.goalId,
      actorId: e.actor.id,
      metadata: { milestone_id: e.milestoneId, milestone_title: e.milestoneTitle },
      at: new Date(e.at),
    });
  });
  bus.subscribe('goal.completed', async (e) => {
    await feed.recordGoalActivity({
      entryType: 'goal_completed',
      goalId: e.goal.goalId,
      actorId: e.actor.id,
      metadata: { participants_count: e.goal.participantIds.length },
      at: new Date(e.completedAt),
    });
  });
}
