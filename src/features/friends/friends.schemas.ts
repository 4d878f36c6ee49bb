import { Type } from 'typebox';
import { Defaulted, PagePagination, PageQuery } from '../../http/pagination.js';
import { stringEnum, Timestamp, UserText, Uuid } from '../../http/schemas.js';
import { toUserCardJson, USER_CARD_FIELDS } from '../users/user-card.js';
import type { RequestRow, SearchRow, UserCardRow } from './friends.lists.repo.js';
import type { FriendView } from './friends.reads.service.js';
import type { Suggestion } from './friends.suggestions.service.js';
import { INVITE_CODE_LENGTH, inviteUrl } from './friends.invite-code.js';
import type { FriendInviteRow, FriendshipRow } from './friends.tables.js';
import { FRIENDS_SORTS, FRIENDSHIP_RELATIONS, REQUEST_DIRECTIONS, SUGGESTION_REASONS } from './friends.vocabulary.js';

const uuid = (description: string) => Type.String({ format: 'uuid', description });

// ---- requests and params ----

export const SendFriendRequestBody = Type.Object(
  { user_id: uuid('the user to befriend') },
  { additionalProperties: false },
);

export const RequestIdParams = Type.Object({ requestId: Uuid }, { additionalProperties: false });
export const FriendIdParams = Type.Object({ friendId: Uuid }, { additionalProperties: false });
export const UserIdParams = Type.Object({ userId: Uuid }, { additionalProperties: false });

export const RequestsQuery = Type.Object({
  direction: Defaulted(
    stringEnum(REQUEST_DIRECTIONS, {
      default: 'received',
      description: 'received: requests to the caller; sent: the caller’s own pending requests',
    }),
  ),
  ...PageQuery,
});

export const FriendsQuery = Type.Object({
  sort: Defaulted(
    stringEnum(FRIENDS_SORTS, {
      default: 'recent',
      description: 'recent: newest friendships first; alphabetical: by full name; active: most recently seen first',
    }),
  ),
  ...PageQuery,
});

export const OnlineQuery = Type.Object({ limit: PageQuery.limit });

export const SearchQuery = Type.Object({
  q: UserText({
    minLength: 1,
    maxLength: 100,
    pattern: '\\S',
    patternMessage: 'must contain something other than spaces',
    description: 'part of a username or full name; case, accents and small typos do not matter',
  }),
  ...PageQuery,
});

export const SuggestionsQuery = Type.Object({ limit: PageQuery.limit });

export const InviteCodeParams = Type.Object(
  {
    code: UserText({
      minLength: INVITE_CODE_LENGTH,
      maxLength: INVITE_CODE_LENGTH,
      description:
        'an invite code (13 characters: 0–9 and A–Z without I, L, O, U; case does not matter, and O, I, L read as 0, 1, 1)',
    }),
  },
  { additionalProperties: false },
);

// ---- responses ----

/** Whether POST /friends/requests to this user would create a request now: the app's "Add friend" button. */
export const CanSendFriendRequest = Type.Boolean({
  description:
    'true when POST /friends/requests to this user would create a pending request now; false for the caller, friends, ' +
    'a pending request either way, and anyone whose who_can_send_friend_requests does not allow the caller ' +
    '(docs/ARCHITECTURE.md, "Who may send a friend request")',
});

export const UserCard = Type.Object(
  {
    ...USER_CARD_FIELDS,
    can_send_friend_request: CanSendFriendRequest,
  },
  { title: 'UserCard' },
);

/** The caller's invite code and its shareable link. */
export const FriendInvite = Type.Object(
  {
    code: Type.String({ description: 'whoever redeems it (POST /friends/invite/{code}) sends the caller a friend request' }),
    url: Type.String({ description: '{APP_URL}/invite/{code}: the link to share; the app opens it (a universal / app link)' }),
    created_at: Timestamp,
  },
  { title: 'FriendInvite' },
);

export const AcceptedFriendship = Type.Object(
  {
    id: Uuid,
    user_id: Uuid,
    friend_id: Uuid,
    status: Type.Literal('accepted'),
    requested_at: Timestamp,
    accepted_at: Timestamp,
  },
  { title: 'AcceptedFriendship' },
);

/**
 * A friend request, in one shape wherever it appears: the request lists and what sending one
 * answers (the plan's POST /friends/requests body: id, user_id, friend_id, status, requested_at,
 * plus the other party's card and the mutual friends count the lists show).
 */
export const FriendRequest = Type.Object(
  {
    id: Uuid,
    user_id: uuid('the requester'),
    friend_id: uuid('the addressee'),
    /** The other party: the requester (received) or the addressee (sent). */
    user: UserCard,
    status: Type.Union([Type.Literal('pending'), Type.Literal('accepted')], {
      description: 'accepted when sending it accepted the other user\'s request to the caller; the lists hold pending ones',
    }),
    requested_at: Timestamp,
    accepted_at: Type.Optional(Timestamp),
    mutual_friends_count: Type.Integer(),
  },
  { title: 'FriendRequest' },
);

export const FriendRequestList = Type.Object({ requests: Type.Array(FriendRequest), pagination: PagePagination });

export const FriendItem = Type.Object(
  {
    ...USER_CARD_FIELDS,
    is_online: Type.Boolean({ description: 'always false when the friend hides their online status' }),
    last_seen_at: Type.Union([Timestamp, Type.Null()], { description: 'null when the friend hides their online status' }),
    friendship_since: Timestamp,
    mutual_friends_count: Type.Integer({ description: 'friends the caller has in common with this user' }),
    can_send_friend_request: CanSendFriendRequest,
  },
  { title: 'FriendItem' },
);

export const FriendList = Type.Object({ friends: Type.Array(FriendItem), pagination: PagePagination }, { title: 'FriendList' });
export const OnlineFriendList = Type.Object({ friends: Type.Array(FriendItem) });

export const SearchResultItem = Type.Object(
  {
    ...USER_CARD_FIELDS,
    friendship_status: stringEnum(FRIENDSHIP_RELATIONS),
    mutual_friends_count: Type.Integer(),
    can_send_friend_request: CanSendFriendRequest,
  },
  { title: 'UserSearchResult' },
);

export const SearchResults = Type.Object({ users: Type.Array(SearchResultItem), pagination: PagePagination });

export const SuggestionItem = Type.Object(
  {
    user: UserCard,
    reason: stringEnum(SUGGESTION_REASONS),
    mutual_friends_count: Type.Integer(),
    common_goals: Type.Integer({ description: 'goal categories both users take part in' }),
  },
  { title: 'FriendSuggestion' },
);

export const SuggestionList = Type.Object({ suggestions: Type.Array(SuggestionItem) });

// ---- mappers ----

function toUserCard(u: UserCardRow) {
  return {
    ...toUserCardJson(u),
    can_send_friend_request: u.canSendFriendRequest,
  };
}

export function toFriendInvite(invite: FriendInviteRow, appUrl: string) {
  return { code: invite.code, url: inviteUrl(appUrl, invite.code), created_at: invite.createdAt.toISOString() };
}

export function toAcceptedFriendship(f: FriendshipRow) {
  return {
    id: f.id,
    user_id: f.userId,
    friend_id: f.friendId,
    status: 'accepted' as const,
    requested_at: f.requestedAt.toISOString(),
    accepted_at: (f.acceptedAt ?? f.requestedAt).toISOString(),
  };
}

export function toFriendRequest(r: RequestRow) {
  return {
    id: r.id,
    user_id: r.requesterId,
    friend_id: r.addresseeId,
    user: toUserCard(r.user),
    status: r.status,
    requested_at: r.requestedAt.toISOString(),
    ...(r.acceptedAt ? { accepted_at: r.acceptedAt.toISOString() } : {}),
    mutual_friends_count: r.mutualFriends,
  };
}

export function toFriendItem(f: FriendView) {
  return {
    ...toUserCard(f),
    is_online: f.isOnline,
    last_seen_at: f.lastSeenAt ? f.lastSeenAt.toISOString() : null,
    friendship_since: f.friendshipSince.toISOString(),
    mutual_friends_count: f.mutualFriends,
  };
}

export function toSearchResultItem(s: SearchRow) {
  return { ...toUserCard(s), friendship_status: s.friendshipStatus, mutual_friends_count: s.mutualFriends };
}

export function toSuggestionItem(s: Suggestion) {
  return {
    user: toUserCard(s.user),
    reason: s.reason,
    mutual_friends_count: s.mutualFriends,
    common_goals: s.commonGoals,
  };
}

