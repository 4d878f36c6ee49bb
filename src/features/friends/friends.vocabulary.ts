/**
 * The friends feature's closed vocabularies, each declared once: the array feeds the TypeScript
 * type, the TypeBox schema (`stringEnum`), the column's type and its CHECK constraint (`checkIn`).
 */

/** friendships.status (`blocked` is the plan's; blocks live in blocked_users and end the friendship). */
export const FRIENDSHIP_STATUSES = ['pending', 'accepted', 'blocked'] as const;
export type FriendshipRowStatus = (typeof FRIENDSHIP_STATUSES)[number];

/** friend_suggestions.reason: why a user is suggested. */
export const SUGGESTION_REASONS = ['mutual_friends', 'common_goals'] as const;
export type SuggestionReason = (typeof SUGGESTION_REASONS)[number];
