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

/** GET /friends/requests?direction: requests to the caller, or the caller's own pending ones. */
export const REQUEST_DIRECTIONS = ['received', 'sent'] as const;
export type RequestDirection = (typeof REQUEST_DIRECTIONS)[number];

/** GET /friends?sort (and /users/:id/friends). */
export const FRIENDS_SORTS = ['recent', 'alphabetical', 'active'] as const;
export type FriendsSort = (typeof FRIENDS_SORTS)[number];

/** A search result's `friendship_status`: the caller's relation to the user found. */
export const FRIENDSHIP_RELATIONS = ['none', 'pending_sent', 'pending_received', 'friends'] as const;
export type FriendshipStatus = (typeof FRIENDSHIP_RELATIONS)[number];
