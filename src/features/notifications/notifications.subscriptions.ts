import type { EventBus, EventMeta } from '../../infra/bus/event-bus.js';
import type { EventReceipt } from '../../infra/db/event-receipts.js';
import type { DomainEvents } from '../../infra/bus/domain-events.js';
import type { ActorCard } from '../goals/goals.events.js';
import type { UserCard } from '../users/user-card.js';
import { links } from './notifications.catalog.js';
import type { MessagePushService } from './message-push.service.js';
import type { NotificationDraft } from './notifications.repo.js';
import type { NotifierService } from './notifier.service.js';
import '../achievements/achievements.events.js';
import '../chat/chat.events.js';
import '../friends/friends.events.js';
import '../goals/goals.events.js';
import '../partners/partners.events.js';
import '../posts/posts.events.js';
import '../settings/settings.events.js';

/** Repeated likes of one post within this window collapse into one notification. */
export const LIKE_COLLAPSE_WINDOW_MS = 3600_000;

const quote = (s: string) => `“${s}”`;

function likeText(actor: UserCard, count: number): { title: string; message: string } {
  const others = count - 1;
  const who = others === 0 ? actor.fullName : `${actor.fullName} and ${others} ${others === 1 ? 'other' : 'others'}`;
  return { title: 'New Like', message: `${who} liked your memory` };
}

function contributionText(e: DomainEvents['goal.contribution_added']): string {
  const who = e.actor.fullName;
  if (e.contributionType === 'monetary') return `${who} contributed ${e.amount} ${e.currency} to ${quote(e.goal.title)}`;
  if (e.contributionType === 'checkin') return `${who} checked in on ${quote(e.goal.title)}`;
  return `${who} made progress on ${quote(e.goal.title)}`;
}

const SUBSCRIBER = 'notifications';

/**
 * Wires the domain events that notify someone (or push a chat message): jobs of the `notifications`
 * subscriber, run after the publisher's commit and retried until they succeed. Idempotent per event:
 * each handler's writes — its notification rows (or the like folded into a collapsed one), their
 * `notification.created` events and push_outbox rows, a retraction — commit in one transaction with
 * the event's receipt (event_receipts), so a retried job notifies, counts and pushes nothing twice.
 * A reply notifies the comment's author and the post's author in one write (one receipt).
 */
export function registerNotificationSubscriptions(bus: EventBus, notifier: NotifierService, messages: MessagePushService): void {
  const s = bus.subscriber(SUBSCRIBER);
  const receipt = (meta: EventMeta): EventReceipt => ({ subscriber: SUBSCRIBER, eventId: meta.eventId });
  const card = async (id: string): Promise<UserCard | undefined> => (await notifier.cards([id])).get(id);

  s.on('friend.request_sent', async (e, meta) => {
    const from = await card(e.fromUserId);
    if (!from) return;
    await notifier.notify(
      [{ userId: e.toUserId, type: 'friend_request', title: 'New Friend Request', message: `${from.fullName} sent you a friend request`,
        relatedUserId: from.id, imageUrl: from.profileImageUrl, actionUrl: links.user(from.id) }],
      from.id,
      receipt(meta),
    );
  });

  s.on('friend.request_accepted', async (e, meta) => {
    const by = await card(e.accepterId);
    if (!by) return;
    await notifier.notify(
      [{ userId: e.requesterId, type: 'friend_accepted', title: 'Friend Request Accepted', message: `${by.fullName} accepted your friend request`,
        relatedUserId: by.id, imageUrl: by.profileImageUrl, actionUrl: links.user(by.id) }],
      by.id,
      receipt(meta),
    );
  });

  s.on('friend.request_cancelled', (e, meta) => notifier.retract(e.addresseeId, 'friend_request', e.requesterId, receipt(meta)));

  s.on('partner.proposed', async (e, meta) => {
    const from = await card(e.proposerId);
    if (!from) return;
    await notifier.notify(
      [{ userId: e.partnerId, type: 'partner_request', title: 'Accountability Partner Request',
        message: `${from.fullName} wants to be your accountability partner (${e.checkInFrequency} check-ins)`,
        relatedUserId: from.id, imageUrl: from.profileImageUrl, actionUrl: links.partnership(e.partnershipId) }],
      from.id,
      receipt(meta),
    );
  });

  s.on('partner.accepted', async (e, meta) => {
    const by = await card(e.accepterId);
    if (!by) return;
    await notifier.notify(
      [{ userId: e.proposerId, type: 'partner_accepted', title: 'Partnership Accepted', message: `${by.fullName} is now your accountability partner`,
        relatedUserId: by.id, imageUrl: by.profileImageUrl, actionUrl: links.partnership(e.partnershipId) }],
      by.id,
      receipt(meta),
    );
  });

  s.on('partner.cancelled', (e, meta) => notifier.retract(e.partnerId, 'partner_request', e.proposerId, receipt(meta)));

  s.on('post.liked', async (e, meta) => {
    await notifier.notifyCollapsing(
      { userId: e.postAuthorId, type: 'post_like', title: '', message: '', relatedUserId: e.liker.id, relatedPostId: e.postId,
        imageUrl: e.liker.profileImageUrl, actionUrl: links.post(e.postId), collapseKey: `post_like:${e.postId}` },
      e.liker,
      LIKE_COLLAPSE_WINDOW_MS,
      likeText,
      receipt(meta),
    );
  });

  s.on('post.commented', async (e, meta) => {
    await notifier.notify(
      [{ userId: e.postAuthorId, type: 'comment', title: 'New Comment', message: `${e.commenter.fullName} commented: ${quote(e.excerpt)}`,
        relatedUserId: e.commenter.id, relatedPostId: e.postId, relatedCommentId: e.commentId, imageUrl: e.commenter.profileImageUrl,
        actionUrl: links.post(e.postId) }],
      e.commenter.id,
      receipt(meta),
    );
  });

  s.on('comment.replied', async (e, meta) => {
    const r = e.replier;
    const drafts: NotificationDraft[] = [
      { userId: e.parentAuthorId, type: 'comment_reply', title: 'New Reply', message: `${r.fullName} replied to your comment: ${quote(e.excerpt)}`,
        relatedUserId: r.id, relatedPostId: e.postId, relatedCommentId: e.commentId, imageUrl: r.profileImageUrl, actionUrl: links.post(e.postId) },
    ];
    // The post's author hears of the new comment too, unless the reply was to their own comment
    // (both types are of the postComments preference: one write, one receipt).
    if (e.postAuthorId !== e.parentAuthorId) {
      drafts.push({ userId: e.postAuthorId, type: 'comment', title: 'New Comment', message: `${r.fullName} commented: ${quote(e.excerpt)}`,
        relatedUserId: r.id, relatedPostId: e.postId, relatedCommentId: e.commentId, imageUrl: r.profileImageUrl, actionUrl: links.post(e.postId) });
    }
    await notifier.notify(drafts, r.id, receipt(meta));
  });

  const goalInvite = (goal: { goalId: string; title: string }, actor: ActorCard, userIds: string[], meta: EventMeta) =>
    notifier.notify(
      userIds.map((userId) => ({ userId, type: 'goal_invite' as const, title: 'Goal Invitation',
        message: `${actor.fullName} added you to the goal ${quote(goal.title)}`, relatedUserId: actor.id, relatedGoalId: goal.goalId,
        imageUrl: actor.profileImageUrl, actionUrl: links.goal(goal.goalId) })),
      actor.id,
      receipt(meta),
    );

  s.on('goal.created', async (e, meta) => {
    await goalInvite(e.goal, e.actor, e.goal.participantIds.filter((id) => id !== e.goal.creatorId), meta);
  });

  s.on('goal.participant_added', async (e, meta) => {
    await goalInvite(e.goal, e.actor, [e.userId], meta);
  });

  s.on('goal.contribution_added', async (e, meta) => {
    const message = contributionText(e);
    await notifier.notify(
      e.goal.participantIds.map((userId) => ({ userId, type: 'goal_contribution' as const, title: 'New Contribution', message,
        relatedUserId: e.actor.id, relatedGoalId: e.goal.goalId, imageUrl: e.actor.profileImageUrl, actionUrl: links.goal(e.goal.goalId) })),
      e.actor.id,
      receipt(meta),
    );
  });

  s.on('goal.milestone_achieved', async (e, meta) => {
    await notifier.notify(
      e.goal.participantIds.map((userId) => ({ userId, type: 'goal_milestone' as const, title: 'Milestone Achieved! 🎯',
        message: `${e.actor.fullName} reached ${quote(e.milestoneTitle)} in ${quote(e.goal.title)}`, relatedUserId: e.actor.id,
        relatedGoalId: e.goal.goalId, imageUrl: e.actor.profileImageUrl, actionUrl: links.goal(e.goal.goalId) })),
      e.actor.id,
      receipt(meta),
    );
  });

  s.on('goal.completed', async (e, meta) => {
    const friends = e.goal.participantIds.length - 1;
    const message =
      friends > 0
        ? `You and ${friends} ${friends === 1 ? 'friend' : 'friends'} completed ${quote(e.goal.title)}`
        : `${quote(e.goal.title)} is complete`;
    await notifier.notify(
      e.goal.participantIds.map((userId) => ({ userId, type: 'goal_completed' as const, title: 'Goal Completed! 🎉', message,
        relatedUserId: e.actor.id, relatedGoalId: e.goal.goalId, imageUrl: e.actor.profileImageUrl, actionUrl: links.goal(e.goal.goalId) })),
      e.actor.id,
      receipt(meta),
    );
  });

  s.on('goal.reminder_due', async (e, meta) => {
    await notifier.notify(
      [{ userId: e.userId, type: 'goal_reminder', title: 'Goal Reminder', message: `Time to work on ${quote(e.goalTitle)}`,
        relatedGoalId: e.goalId, actionUrl: links.goal(e.goalId) }],
      null,
      receipt(meta),
    );
  });

  s.on('achievement.earned', async (e, meta) => {
    await notifier.notify(
      [{ userId: e.userId, type: 'achievement', title: 'Achievement Unlocked! 🏆', message: `You earned ${quote(e.name)} (+${e.points} points)`,
        actionUrl: links.achievements() }],
      null,
      receipt(meta),
    );
  });

  s.on('user.blocked', (e, meta) => notifier.forgetBetween(e.blockerId, e.blockedId, receipt(meta)));

  s.on('message.sent', async (e, meta) => {
    await messages.onMessageSent(e, receipt(meta));
  });
}
