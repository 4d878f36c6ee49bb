import { Type } from 'typebox';
import { NullableString, NullableTimestamp, Timestamp, UserText, Uuid } from '../../http/schemas.js';
import { CanSendFriendRequest } from '../friends/friends.schemas.js';
import type { UserRow } from './users.tables.js';
import type { UserStatsRow } from './users.repo.js';
import { BIO_MAX_LENGTH, USERNAME_PATTERN, USERNAME_RULE } from './users.rules.js';

/** The plan's user object in auth responses (4.1). */
export const AuthUser = Type.Object(
  {
    id: Uuid,
    email: Type.String(),
    username: Type.String(),
    full_name: Type.String(),
    bio: NullableString,
    profile_image_url: NullableString,
    cover_image_url: NullableString,
    goals_achieved: Type.Integer(),
    photos_shared: Type.Integer(),
    email_verified: Type.Boolean(),
    created_at: Timestamp,
  },
  { title: 'AuthUser' },
);

/** The caller's own account (plan 4.2 GET /users/me), with the fields PUT may change. */
export const MeUser = Type.Object(
  {
    id: Uuid,
    email: Type.String(),
    username: Type.String(),
    full_name: Type.String(),
    bio: NullableString,
    profile_image_url: NullableString,
    cover_image_url: NullableString,
    goals_achieved: Type.Integer(),
    photos_shared: Type.Integer(),
    email_verified: Type.Boolean(),
    pending_email: Type.Union([Type.String(), Type.Null()], {
      description: 'a new login address waiting for confirmation through the link mailed to it (email stays the login address until then)',
    }),
    is_active: Type.Boolean(),
    timezone: Type.String(),
    last_seen_at: NullableTimestamp,
    created_at: Timestamp,
    updated_at: Timestamp,
  },
  { title: 'MeUser' },
);

/** Another user's profile: the card always; the rest only when `limited` is false. */
export const UserProfile = Type.Object(
  {
    id: Uuid,
    username: Type.String(),
    full_name: Type.String(),
    profile_image_url: NullableString,
    limited: Type.Boolean({ description: 'true when the profile is private to the caller: only the card is shown' }),
    can_send_friend_request: CanSendFriendRequest,
    bio: Type.Optional(NullableString),
    cover_image_url: Type.Optional(NullableString),
    goals_achieved: Type.Optional(Type.Integer()),
    photos_shared: Type.Optional(Type.Integer()),
    last_seen_at: Type.Optional(NullableTimestamp),
    created_at: Type.Optional(Timestamp),
  },
  { title: 'UserProfile' },
);

export const UserStats = Type.Object(
  {
    goals_achieved: Type.Integer(),
    photos_shared: Type.Integer(),
    friends_count: Type.Integer(),
    active_goals: Type.Integer(),
  },
  { title: 'UserStats' },
);

export const UpdateMeBody = Type.Object(
  {
    full_name: Type.Optional(UserText({ minLength: 1, maxLength: 255 })),
    username: Type.Optional(
      UserText({ maxLength: 30, pattern: USERNAME_PATTERN, patternMessage: USERNAME_RULE, description: `Username: ${USERNAME_RULE}` }),
    ),
    bio: Type.Optional(Type.Union([UserText({ maxLength: BIO_MAX_LENGTH, multiline: true }), Type.Null()])),
    email: Type.Optional(
      UserText({
        minLength: 3,
        maxLength: 320,
        description: 'a new login address: needs current_password, and takes effect once confirmed from the mail sent to it',
      }),
    ),
    current_password: Type.Optional(
      UserText({ minLength: 1, maxLength: 128, description: 'required to change the email (403 invalid_password)' }),
    ),
    timezone: Type.Optional(UserText({ minLength: 1, maxLength: 64 })),
  },
  { additionalProperties: false },
);

export const UserIdParams = Type.Object({ userId: Uuid }, { additionalProperties: false });

const iso = (d: Date | null) => (d ? d.toISOString() : null);

export function toAuthUser(u: UserRow) {
  return {
    id: u.id,
    email: u.email,
    username: u.username,
    full_name: u.fullName,
    bio: u.bio,
    profile_image_url: u.profileImageUrl,
    cover_image_url: u.coverImageUrl,
    goals_achieved: u.goalsAchieved,
    photos_shared: u.photosShared,
    email_verified: u.emailVerified,
    created_at: u.createdAt.toISOString(),
  };
}

/** The caller's account; `pendingEmail` is an address change waiting for confirmation. */
export function toMeUser(u: UserRow, pendingEmail: string | null = null) {
  return {
    ...toAuthUser(u),
    pending_email: pendingEmail,
    is_active: u.isActive,
    timezone: u.timezone,
    last_seen_at: iso(u.lastSeenAt),
    updated_at: u.updatedAt.toISOString(),
  };
}

export function toUserProfile(u: UserRow, full: boolean, canSendFriendRequest: boolean) {
  const card = {
    id: u.id,
    username: u.username,
    full_name: u.fullName,
    profile_image_url: u.profileImageUrl,
    can_send_friend_request: canSendFriendRequest,
  };
  if (!full) return { ...card, limited: true };
  return {
    ...card,
    limited: false,
    bio: u.bio,
    cover_image_url: u.coverImageUrl,
    goals_achieved: u.goalsAchieved,
    photos_shared: u.photosShared,
    last_seen_at: u.onlineStatusVisible ? iso(u.lastSeenAt) : null,
    created_at: u.createdAt.toISOString(),
  };
}

export function toUserStats(s: UserStatsRow) {
  return {
    goals_achieved: s.goalsAchieved,
    photos_shared: s.photosShared,
    friends_count: s.friendsCount,
    active_goals: s.activeGoals,
  };
}
