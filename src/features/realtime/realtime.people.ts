import { AppError } from '../../lib/app-error.js';
import type { FriendsService } from '../friends/friends.service.js';
import { toUserCardJson } from '../users/user-card.js';
import type { UsersService } from '../users/users.service.js';

/** A user as typing and presence events show them: the public card's JSON. */
export type UserCard = ReturnType<typeof toUserCardJson>;

/** What the gateway needs from the users and friends features. */
export interface RealtimePeople {
  /**
   * The user's card and whether they show their online status; undefined for an unknown (or
   * deleted) account. Any other failure (the database unreachable) rejects: callers log it, they
   * never mistake it for "nobody".
   */
  profile(userId: string): Promise<{ card: UserCard; showsOnlineStatus: boolean } | undefined>;
  friendIds(userId: string): Promise<string[]>;
  touchLastSeen(userId: string): Promise<void>;
}

/** The gateway's view of users and friends, through their services. */
export function realtimePeople(users: UsersService, friends: FriendsService): RealtimePeople {
  return {
    async profile(userId) {
      const user = await users.getById(userId).catch((err: unknown) => {
        if (err instanceof AppError && err.code === 'user_not_found') return undefined;
        throw err;
      });
      if (!user) return undefined;
      return {
        card: toUserCardJson(user),
        showsOnlineStatus: user.onlineStatusVisible,
      };
    },
    friendIds: (userId) => friends.friendIds(userId),
    touchLastSeen: (userId) => users.touchLastSeen(userId),
  };
}
