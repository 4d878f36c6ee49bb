import { Type } from 'typebox';
import { PagePagination } from '../../http/pagination.js';
import { NullableString, PATTERN_MESSAGE, stringEnum, Timestamp, UserText, Uuid } from '../../http/schemas.js';
import type { NotificationPreferences } from '../notifications/preferences.service.js';
import { FRIEND_REQUEST_AUDIENCES, MESSAGE_AUDIENCES, PROFILE_VISIBILITIES } from '../privacy/privacy.vocabulary.js';
import { toUserCardJson, USER_CARD_FIELDS } from '../users/user-card.js';
import type { BlockedUserItem } from './settings.repo.js';
import type { AllSettings, AppearanceSettings, PrivacySettings } from './settings.service.js';
import { THEME_MODES } from './settings.vocabulary.js';

const ProfileVisibility = stringEnum(PROFILE_VISIBILITIES);
const FriendRequestAudience = stringEnum(FRIEND_REQUEST_AUDIENCES);
const MessageAudience = stringEnum(MESSAGE_AUDIENCES);
const ThemeMode = stringEnum(THEME_MODES);

const privacyFields = {
  profile_visibility: ProfileVisibility,
  online_status_visible: Type.Boolean(),
  appear_in_suggestions: Type.Boolean(),
  who_can_send_friend_requests: FriendRequestAudience,
  who_can_send_messages: MessageAudience,
  share_activity_with_friends: Type.Boolean(),
};
const appearanceFields = {
  theme_mode: ThemeMode,
  accent_color: Type.String({
    pattern: '^#[0-9A-Fa-f]{6}$',
    [PATTERN_MESSAGE]: 'must be a colour as # and six hex digits (#RRGGBB), e.g. #3366FF',
    description: '#RRGGBB',
  }),
  font_size_multiplier: Type.Number({ minimum: 0.8, maximum: 2.0 }),
};
const notificationFields = {
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

export const Privacy = Type.Object({ ...privacyFields, updated_at: Timestamp }, { title: 'PrivacySettings' });
export const Appearance = Type.Object({ ...appearanceFields, updated_at: Timestamp }, { title: 'AppearanceSettings' });
export const NotificationPreferencesBody = Type.Object({ ...notificationFields, updated_at: Type.Union([Timestamp, Type.Null()]) }, { title: 'NotificationPreferences' });
export const AllSettingsBody = Type.Object({
  user_id: Uuid,
  privacy: Type.Object(privacyFields),
  appearance: Type.Object(appearanceFields),
  notifications: Type.Object(notificationFields),
}, { title: 'Settings' });

export const PrivacyPatchBody = Type.Partial(Type.Object(privacyFields), { additionalProperties: false });
export const AppearancePatchBody = Type.Partial(Type.Object(appearanceFields), { additionalProperties: false });
export const NotificationsPatchBody = Type.Partial(Type.Object(notificationFields), { additionalProperties: false });
export const AllSettingsPatchBody = Type.Object(
  {
    privacy: Type.Optional(PrivacyPatchBody),
    appearance: Type.Optional(AppearancePatchBody),
    notifications: Type.Optional(NotificationsPatchBody),
  },
  { additionalProperties: false },
);

export const BlockBody = Type.Object(
  { user_id: Uuid, reason: Type.Optional(UserText({ maxLength: 500, multiline: true })) },
  { additionalProperties: false },
);
const BlockedUser = Type.Object({
  user: Type.Object(USER_CARD_FIELDS),
  reason: NullableString,
  blocked_at: Timestamp,
}, { title: 'BlockedUser' });
export const BlockedUserResponse = BlockedUser;
export const BlockedUsersList = Type.Object({ blocked_users: Type.Array(BlockedUser), pagination: PagePagination });
export const BlockedUserParams = Type.Object({ userId: Uuid }, { additionalProperties: false });

export function toPrivacyFields(p: PrivacySettings) {
  return {
    profile_visibility: p.profileVisibility,
    online_status_visible: p.onlineStatusVisible,
    appear_in_suggestions: p.appearInSuggestions,
    who_can_send_friend_requests: p.whoCanSendFriendRequests,
    who_can_send_messages: p.whoCanSendMessages,
    share_activity_with_friends: p.shareActivityWithFriends,
  };
}

export function toAppearanceFields(a: AppearanceSettings) {
  return { theme_mode: a.themeMode, accent_color: a.accentColor, font_size_multiplier: a.fontSizeMultiplier };
}

export function toNotificationFields(n: NotificationPreferences) {
  return {
    push_enabled: n.pushEnabled,
    email_enabled: n.emailEnabled,
    goal_reminders: n.goalReminders,
    friend_requests: n.friendRequests,
    messages: n.messages,
    achievements: n.achievements,
    post_likes: n.postLikes,
    post_comments: n.postComments,
    goal_updates: n.goalUpdates,
  };
}

export function toAllSettings(userId: string, s: AllSettings) {
  return {
    user_id: userId,
    privacy: toPrivacyFields(s.privacy),
    appearance: toAppearanceFields(s.appearance),
    notifications: toNotificationFields(s.notifications),
  };
}

export function toBlockedUser(b: BlockedUserItem) {
  return {
    user: toUserCardJson({ id: b.userId, username: b.username, fullName: b.fullName, profileImageUrl: b.profileImageUrl }),
    reason: b.reason,
    blocked_at: b.blockedAt.toISOString(),
  };
}
