import type { EventBus, EventMeta } from '../../infra/bus/event-bus.js';
import type { EventReceipt } from '../../infra/db/event-receipts.js';
import type { ChatBlocksService } from './chat-blocks.service.js';
import type { ChatGoalsService } from './chat-goals.service.js';
import '../goals/goals.events.js';
import '../settings/settings.events.js';

const money = (amount: string, currency: string) => `${currency} ${amount}`;

const SUBSCRIBER = 'chat';

/**
 * Group goals have a group chat: created with the goal, following its participants, told about
 * progress. A block placed or lifted recounts the pair's unread counts in the chats they share.
 * All are jobs of the `chat` subscriber, idempotent per event: the chat is one per goal (unique
 * goal_id, inserted with `on conflict do nothing`); a goal update is one message per key and chat
 * (the contribution, milestone or goal id, checked under the conversation's lock); a join or leave
 * commits with its event's receipt (event_receipts), so a redelivered job neither posts a second
 * system message nor undoes a later change; a recount converges on what the messages say.
 */
export function registerChatSubscriptions(bus: EventBus, goals: ChatGoalsService, blocks: ChatBlocksService): void {
  const s = bus.subscriber(SUBSCRIBER);
  const receipt = (meta: EventMeta): EventReceipt => ({ subscriber: SUBSCRIBER, eventId: meta.eventId });
  s.on('user.blocked', (e) => blocks.blockChanged(e.blockerId, e.blockedId, true));
  s.on('user.unblocked', (e) => blocks.blockChanged(e.blockerId, e.blockedId, false));
  s.on('goal.created', async (e) => {
    await goals.ensureConversation(e.goal);
  });
  s.on('goal.participant_added', (e, meta) => goals.participantAdded(e.goal, e.actor, e.userId, receipt(meta)));
  s.on('goal.participant_removed', (e, meta) => goals.participantRemoved(e.goal, e.actor, e.userId, receipt(meta)));
  s.on('goal.contribution_added', (e) =>
    goals.postUpdate({
      goal: e.goal,
      actor: e.actor,
      messageType: 'goal_update',
      content:
        e.contributionType === 'monetary'
          ? `${e.actor.fullName} contributed ${money(e.amount, e.currency)} to '${e.goal.title}' (${e.progressPercentage}% done)`
          : `${e.actor.fullName} checked in on '${e.goal.title}' (${e.progressPercentage}% done)`,
      metadata: {
        event: 'contribution_added',
        contribution_id: e.contributionId,
        contribution_type: e.contributionType,
        amount: Number(e.amount),
        currency: e.currency,
        current_amount: Number(e.currentAmount),
        progress_percentage: e.progressPercentage,
      },
      key: `goal:contribution:${e.contributionId}`,
      at: new Date(e.at),
    }),
  );
  s.on('goal.milestone_achieved', (e) =>
    goals.postUpdate({
      goal: e.goal,
      actor: e.actor,
      messageType: 'goal_update',
      content: `${e.actor.fullName} reached the milestone '${e.milestoneTitle}' of '${e.goal.title}'`,
      metadata: { event: 'milestone_achieved', milestone_id: e.milestoneId, milestone_title: e.milestoneTitle },
      key: `goal:milestone:${e.milestoneId}`,
      at: new Date(e.at),
    }),
  );
  s.on('goal.completed', (e) =>
    goals.postUpdate({
      goal: e.goal,
      actor: e.actor,
      messageType: 'system',
      content: `${e.actor.fullName} completed the '${e.goal.title}' goal!`,
      metadata: { event: 'goal_completed' },
      key: `goal:completed:${e.goal.goalId}`,
      at: new Date(e.completedAt),
    }),
  );
}
