import type { EventBus, EventMeta } from '../../infra/bus/event-bus.js';
import type { EventReceipt } from '../../infra/db/event-receipts.js';
import type { GoalActivityService } from './goal-activity.service.js';
import '../goals/goals.events.js';

const SUBSCRIBER = 'goal-activity';

/**
 * Goal events become feed entries (the `goal-activity` subscriber's jobs). The actor gets an entry
 * too, so their own activity shows in their feed; friends get one when they may see the goal and the
 * actor shares activity with friends. Idempotent per event: the entries are written in the
 * transaction of the event's receipt (event_receipts), so a retried job writes none.
 */
export function registerGoalActivitySubscriptions(bus: EventBus, feed: GoalActivityService): void {
  const s = bus.subscriber(SUBSCRIBER);
  const receipt = (meta: EventMeta): EventReceipt => ({ subscriber: SUBSCRIBER, eventId: meta.eventId });
  s.on('goal.created', async (e, meta) => {
    await feed.recordGoalActivity(
      {
        entryType: 'goal_created',
        goalId: e.goal.goalId,
        actorId: e.actor.id,
        metadata: { participants_count: e.goal.participantIds.length },
        at: new Date(e.at),
      },
      receipt(meta),
    );
  });
  s.on('goal.contribution_added', async (e, meta) => {
    await feed.recordGoalActivity(
      {
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
      },
      receipt(meta),
    );
  });
  s.on('goal.milestone_achieved', async (e, meta) => {
    await feed.recordGoalActivity(
      {
        entryType: 'goal_milestone',
        goalId: e.goal.goalId,
        actorId: e.actor.id,
        metadata: { milestone_id: e.milestoneId, milestone_title: e.milestoneTitle },
        at: new Date(e.at),
      },
      receipt(meta),
    );
  });
  s.on('goal.completed', async (e, meta) => {
    await feed.recordGoalActivity(
      {
        entryType: 'goal_completed',
        goalId: e.goal.goalId,
        actorId: e.actor.id,
        metadata: { participants_count: e.goal.participantIds.length },
        at: new Date(e.completedAt),
      },
      receipt(meta),
    );
  });
}
