/**
 * The privacy settings' closed vocabularies (plan 3.1, 3.7), each declared once: the array feeds the
 * TypeScript type, the TypeBox schema (`stringEnum`), the column's type and its CHECK (`checkIn`).
 */

/** users.profile_visibility: who sees the full profile. */
export const PROFILE_VISIBILITIES = ['everyone', 'friends_only', 'private'] as const;
export type ProfileVisibility = (typeof PROFILE_VISIBILITIES)[number];

/** user_settings.who_can_send_friend_requests. */
export const FRIEND_REQUEST_AUDIENCES = ['everyone', 'friends_of_friends', 'no_one'] as const;
export type FriendRequestAudience = (typeof FRIEND_REQUEST_AUDIENCES)[number];

/** user_settings.who_can_send_messages. */
export const MESSAGE_AUDIENCES = ['everyone', 'friends_only'] as const;
export type MessageAudience = (typeof MESSAGE_AUDIENCES)[number];
