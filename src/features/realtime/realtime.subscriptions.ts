import type { EventBus } from '../../infra/bus/event-bus.js';
import '../auth/auth.events.js';
import '../chat/chat.events.js';
import type { ActorCard } from '../goals/goals.events.js';
import '../goals/goals.events.js';
import '../notifications/notifications.events.js';
import '../settings/settings.events.js';
import '../users/users.events.js';
import type { RealtimeService } from './realtime.service.js';

/** How long after the commit the backstop job of a realtime delivery runs. */
export const REALTIME_BACKSTOP_SECONDS = 5;

const userOf = (actor: ActorCard) => ({ id: actor.id, username: actor.username, full_name: actor.fullName });
const money = (amount: string) => Number(amount);

/**
 * Domain events → plan 5.2 server events. Chat events go to every participant (the sender's other
 * devices included); goal events to the goal's participants as `goal.update` (not to those blocked
 * either way with the actor); new notifications to their recipient as `notification.new`.
 */
export function registerRealtimeSubscriptions(bus: EventBus, realtime: RealtimeService): void {
  // Delivered right after the commit; the job, a few seconds later, delivers whatever that run did
  // not log (the instance died, Redis was away), so the catch-up log misses nothing the database has.
  // The event id is each delivery's once key: the frames go out and into the log once.
  const logged = bus.subscriber('realtime', { runAfterCommit: { backstopSeconds: REALTIME_BACKSTOP_SECONDS } });
  logged.on('message.sent', (e, { eventId }) =>
    realtime.sendToUsers(e.participantIds, { event: 'message.new', conversation_id: e.conversationId, message: e.message }, eventId),
  );
  logged.on('message.edited', (e, { eventId }) =>
    realtime.sendToUsers(e.participantIds, { event: 'message.updated', conversation_id: e.conversationId, message: e.message }, eventId),
  );
  logged.on('message.deleted', (e, { eventId }) =>
    realtime.sendToUsers(e.participantIds, {
      event: 'message.deleted',
      conversation_id: e.conversationId,
      message_id: e.messageId,
      deleted_at: e.deletedAt,
    }, eventId),
  );
  logged.on('message.read', (e, { eventId }) =>
    realtime.sendToUsers(e.participantIds, {
      event: 'message.read',
      conversation_id: e.conversationId,
      message_id: e.messageId,
      user_id: e.userId,
      read_at: e.readAt,
    }, eventId),
  );
  logged.on('conversation.members_changed', async (e, { eventId }) => {
    await realtime.forgetWatchers(e.conversationId, e.removedIds);
    await realtime.sendToUsers([...e.participantIds, ...e.removedIds], {
      event: 'conversation.members_changed',
      conversation_id: e.conversationId,
      added_user_ids: e.addedIds,
      removed_user_ids: e.removedIds,
    }, eventId);
  });
  // A block ends the pair's live view of their direct conversation (subscribe and typing refuse it from then on).
  bus.onCommit('user.blocked', (e) => realtime.forgetDirectWatchers(e.blockerId, e.blockedId));
  // The blocker's devices learn of their block; the blocked user is never told (docs/security.md, Blocks).
  logged.on('user.blocked', (e, { eventId }) => realtime.sendToUsers([e.blockerId], { event: 'user.blocked', user_id: e.blockedId }, eventId));
  logged.on('user.unblocked', (e, { eventId }) => realtime.sendToUsers([e.blockerId], { event: 'user.unblocked', user_id: e.blockedId }, eventId));
  // Both refetch the group chats and goals they share; the event names neither the other user nor the cause.
  logged.on('chat.block_visibility_changed', async (e, { eventId }) => {
    if (e.conversationIds.length === 0 && e.goalIds.length === 0) return;
    await realtime.sendToUsers([e.blockerId, e.blockedId], {
      event: 'visibility.changed',
      conversation_ids: e.conversationIds,
      goal_ids: e.goalIds,
    }, eventId);
  });

  // The tokens a socket was opened with no longer hold: close it (4401), on every instance.
  bus.onCommit('user.password_changed', (e) => realtime.disconnectUser(e.userId, 4401, 'token_revoked'));
  bus.onCommit('user.deactivated', (e) => realtime.disconnectUser(e.userId, 4401, 'account_inactive'));
  // Logout, logout-everywhere, refresh-token reuse: the ended sessions' sockets close at once too.
  bus.onCommit('auth.sessions_revoked', (e) =>
    e.sessionIds === null
      ? realtime.disconnectUser(e.userId, 4401, 'session_revoked')
      : realtime.disconnectSessions(e.userId, e.sessionIds, 4401, 'session_revoked'),
  );

  logged.on('notification.created', (e, { eventId }) =>
    realtime.sendToUsers([e.userId], { event: 'notification.new', notification: e.notification }, eventId),
  );

  logged.on('goal.contribution_added', async (e, { eventId }) =>
    realtime.sendToUsers(await realtime.withoutBlockedWith(e.actor.id, e.goal.participantIds), {
      event: 'goal.update',
      goal_id: e.goal.goalId,
      update_type: 'contribution',
      data: {
        user: userOf(e.actor),
        contribution_id: e.contributionId,
        contribution_type: e.contributionType,
        amount: money(e.amount),
        currency: e.currency,
        current_amount: money(e.currentAmount),
        new_progress: e.progressPercentage,
      },
    }, eventId),
  );
  logged.on('goal.milestone_achieved', async (e, { eventId }) =>
    realtime.sendToUsers(await realtime.withoutBlockedWith(e.actor.id, e.goal.participantIds), {
      event: 'goal.update',
      goal_id: e.goal.goalId,
      update_type: 'milestone',
      data: { user: userOf(e.actor), milestone_id: e.milestoneId, milestone_title: e.milestoneTitle },
    }, eventId),
  );
  logged.on('goal.completed', async (e, { eventId }) =>
    realtime.sendToUsers(await realtime.withoutBlockedWith(e.actor.id, e.goal.participantIds), {
      event: 'goal.update',
      goal_id: e.goal.goalId,
      update_type: 'completed',
      data: { user: userOf(e.actor), completed_at: e.completedAt },
    }, eventId),
  );
  logged.on('goal.updated', async (e, { eventId }) =>
    realtime.sendToUsers(await realtime.withoutBlockedWith(e.actor.id, e.goal.participantIds), {
      event: 'goal.update',
      goal_id: e.goal.goalId,
      update_type: 'updated',
      data: { user: userOf(e.actor), changed: e.changed },
    }, eventId),
  );
}
