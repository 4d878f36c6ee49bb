import type { FriendsService } from '../friends/friends.service.js';
import type { UsersService } from '../users/users.service.js';
import type { RealtimePeople } from './realtime.service.js';

/** The gateway's view of users and friends, through their services. */
export function realtimePeople(users: UsersService, friends: FriendsService): RealtimePeople {
  return {
    async profile(userId) {
      const user = await users.getById(userId).catch(() => undefined);
      if (!user) return undefined;
      return {
        card: { id: user.id, username: user.username, full_name: user.fullName, profile_image_url: user.profileImageUrl },
        showsOnlineStatus: user.onlineStatusVisible,
      };
    },
    friendIds: (userId) => friends.friendIds(userId),
    touchLastSeen: (userId) => users.touchLastSeen(userId),
  };
}
