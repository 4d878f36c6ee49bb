import { Type } from 'typebox';
import { PagePagination, PageQuery } from '../../http/pagination.js';
import { NullableString, NullableTimestamp, stringEnum, Timestamp, UserText, Uuid } from '../../http/schemas.js';
import { timeAgo } from '../../lib/time-ago.js';
import { toUserCardJson, USER_CARD_FIELDS } from '../users/user-card.js';
import type { InboxItem } from './notifications.repo.js';
import type { PushTokenRow } from './notifications.tables.js';
import { DEVICE_TYPES } from './notifications.vocabulary.js';
import type { NotificationPreferences } from './preferences.service.js';

export const InboxQuerySchema = Type.Object(
  {
    ...PageQuery,
    filter: Type.Optional(
      Type.Union([Type.Literal('all'), Type.Literal('goals'), Type.Literal('social'), Type.Literal('system')], {
        default: 'all',
        description: 'goals: goal invites, contributions, milestones, completions, reminders, partner check-ins; social: friends, partners, likes, comments; system: the rest (achievements)',
      }),
    ),
    unread_only: Type.Optional(Type.Boolean({ default: false })),
  },
  { additionalProperties: false },
);

export const NotificationIdParams = Type.Object({ notificationId: Uuid }, { additionalProperties: false });
export const PushTokenIdParams = Type.Object({ tokenId: Uuid }, { additionalProperties: false });

export const NotificationJson = Type.Object({
  id: Uuid,
  notification_type: Type.String({ description: 'friend_request, friend_accepted, partner_request, partner_accepted, post_like, comment, comment_reply, goal_invite, goal_contribution, goal_milestone, goal_completed, goal_reminder, partner_checkin, achievement' }),
  title: Type.String(),
  message: Type.String(),
  related_user: Type.Union([
    Type.Object(USER_CARD_FIELDS),
    Type.Null(),
  ]),
  related_goal: Type.Union([Type.Object({ id: Uuid, title: Type.String() }), Type.Null()]),
  related_post_id: Type.Union([Uuid, Type.Null()]),
  related_comment_id: Type.Union([Uuid, Type.Null()]),
  image_url: NullableString,
  icon_type: NullableString,
  icon_color: NullableString,
  action_url: Type.Union([Type.String({ description: 'deep link, e.g. /goals/{id}, /posts/{id}, /users/{id}' }), Type.Null()]),
  actor_count: Type.Integer({ description: 'people folded into this notification ("Alvin and 3 others" → 4)' }),
  is_read: Type.Boolean(),
  time_ago: Type.String(),
  created_at: Timestamp,
}, { title: 'Notification' });

export const InboxBody = Type.Object({
  notifications: Type.Array(NotificationJson),
  pagination: Type.Object({ ...PagePagination.properties, unread_count: Type.Integer() }),
});

export const UnreadCountBody = Type.Object({ unread_count: Type.Integer() });
export const MarkReadBody = Type.Object({ id: Uuid, is_read: Type.Literal(true), unread_count: Type.Integer() });
export const MarkAllReadBody = Type.Object({ updated: Type.Integer(), unread_count: Type.Integer() });

const preferenceFields = {
  push_enabled: Type.Boolean(),
  email_enabled: Type.Boolean(),
  goal_reminders: Type.Boolean(),
  friend_requests: Type.Boolean(),
  messages: Type.Boolean(),
  achievements: Type.Boolean(),
  post_likes: Type.Boolean(),
  post_comments: Type.Boolean(),
  goal_updates: Type.Boolean(),
};
export const PreferencesBody = Type.Object({ ...preferenceFields, updated_at: NullableTimestamp }, { title: 'NotificationPreferences' });
export const PreferencesPatchBody = Type.Partial(Type.Object(preferenceFields), { additionalProperties: false });

export const RegisterPushTokenBody = Type.Object(
  {
    token: UserText({
      minLength: 1,
      maxLength: 4096,
      multiline: true,
      description:
        'ios/android: the FCM registration token. web: the browser PushSubscription as JSON, ' +
        '{"endpoint":"https://...","keys":{"p256dh":"<base64url P-256 public key>","auth":"<base64url 16-byte secret>"}}',
    }),
    device_type: stringEnum(DEVICE_TYPES),
    device_id: Type.Optional(Type.Union([UserText({ minLength: 1, maxLength: 255 }), Type.Null()])),
  },
  { additionalProperties: false },
);

export const PushTokenBody = Type.Object({
  id: Uuid,
  device_type: Type.String(),
  device_id: NullableString,
  is_active: Type.Boolean(),
  created_at: Timestamp,
  updated_at: Timestamp,
});

export function toNotificationJson(n: InboxItem, now: Date) {
  return {
    id: n.id,
    notification_type: n.type,
    title: n.title,
    message: n.message,
    related_user: n.relatedUser
      ? toUserCardJson(n.relatedUser)
      : null,
    related_goal: n.relatedGoal,
    related_post_id: n.relatedPostId,
    related_comment_id: n.relatedCommentId,
    image_url: n.imageUrl,
    icon_type: n.iconType,
    icon_color: n.iconColor,
    action_url: n.actionUrl,
    actor_count: n.actorCount,
    is_read: n.isRead,
    time_ago: timeAgo(n.createdAt, now),
    created_at: n.createdAt.toISOString(),
  };
}

export function toPreferencesJson(p: NotificationPreferences) {
  return {
    push_enabled: p.pushEnabled,
    email_enabled: p.emailEnabled,
    goal_reminders: p.goalReminders,
    friend_requests: p.friendRequests,
    messages: p.messages,
    achievements: p.achievements,
    post_likes: p.postLikes,
    post_comments: p.postComments,
    goal_updates: p.goalUpdates,
    updated_at: p.updatedAt?.toISOString() ?? null,
  };
}

/** The token itself is never echoed: a web subscription carries its secret. */
export function toPushTokenJson(t: PushTokenRow) {
  return {
    id: t.id,
    device_type: t.deviceType ?? 'android',
    device_id: t.deviceId,
    is_active: t.isActive,
    created_at: t.createdAt.toISOString(),
    updated_at: t.updatedAt.toISOString(),
  };
}
