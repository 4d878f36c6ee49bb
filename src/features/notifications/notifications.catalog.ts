import type { PreferenceFlags } from './preferences.repo.js';

/**
 * Every kind of notification: which preference switches it off, how the app draws it, and which
 * inbox filter shows it. `message` is push-only (never an inbox row).
 */
export const NOTIFICATION_TYPES = {
  friend_request: { preference: 'friendRequests', icon: 'person_add', color: '#4ECDC4', group: 'social' },
  friend_accepted: { preference: 'friendRequests', icon: 'people', color: '#4ECDC4', group: 'social' },
  partner_request: { preference: 'friendRequests', icon: 'handshake', color: '#6C5CE7', group: 'social' },
  partner_accepted: { preference: 'friendRequests', icon: 'handshake', color: '#6C5CE7', group: 'social' },
  post_like: { preference: 'postLikes', icon: 'favorite', color: '#FF6B6B', group: 'social' },
  comment: { preference: 'postComments', icon: 'comment', color: '#45B7D1', group: 'social' },
  comment_reply: { preference: 'postComments', icon: 'reply', color: '#45B7D1', group: 'social' },
  goal_invite: { preference: 'goalUpdates', icon: 'flag', color: '#FFA726', group: 'goals' },
  goal_contribution: { preference: 'goalUpdates', icon: 'savings', color: '#66BB6A', group: 'goals' },
  goal_milestone: { preference: 'goalUpdates', icon: 'emoji_events', color: '#FFD93D', group: 'goals' },
  goal_completed: { preference: 'goalUpdates', icon: 'celebration', color: '#FF6B6B', group: 'goals' },
  goal_reminder: { preference: 'goalReminders', icon: 'alarm', color: '#FFA726', group: 'goals' },
  partner_checkin: { preference: 'goalReminders', icon: 'schedule', color: '#6C5CE7', group: 'goals' },
  achievement: { preference: 'achievements', icon: 'military_tech', color: '#FFD93D', group: 'system' },
} as const satisfies Record<string, { preference: PreferenceKey; icon: string; color: string; group: NotificationGroup }>;

export type NotificationType = keyof typeof NOTIFICATION_TYPES;
/** The catalog's types as a list: the CHECK of notifications.notification_type (a new type is a migration). */
export const NOTIFICATION_TYPE_NAMES = Object.keys(NOTIFICATION_TYPES) as readonly NotificationType[];
export type NotificationGroup = 'goals' | 'social' | 'system';
export type NotificationFilter = 'all' | NotificationGroup;
/** A per-type switch of notification_preferences (push_enabled and email_enabled are not types). */
export type PreferenceKey = Exclude<keyof PreferenceFlags, 'pushEnabled' | 'emailEnabled'>;

/** The notification_preferences column of each switch (whitelist for SQL). */
export const PREFERENCE_COLUMNS: Record<PreferenceKey, string> = {
  goalReminders: 'goal_reminders',
  friendRequests: 'friend_requests',
  messages: 'messages',
  achievements: 'achievements',
  postLikes: 'post_likes',
  postComments: 'post_comments',
  goalUpdates: 'goal_updates',
};

/** The notification types an inbox filter shows; `system` is everything not goals or social. */
export function typesOfGroup(group: NotificationGroup): NotificationType[] {
  return NOTIFICATION_TYPE_NAMES.filter((t) => NOTIFICATION_TYPES[t].group === group);
}

/** Deep links the app understands. */
export const links = {
  user: (id: string) => `/users/${id}`,
  post: (id: string) => `/posts/${id}`,
  goal: (id: string) => `/goals/${id}`,
  partnership: (id: string) => `/partners/${id}`,
  conversation: (id: string) => `/conversations/${id}`,
  achievements: () => '/achievements',
};
