import type { EventBus } from '../../infra/bus/event-bus.js';
import type { FriendsInboxService } from './friends-inbox.service.js';
import '../friends/friends.events.js';
import '../posts/posts.events.js';
import '../settings/settings.events.js';

/** Posts and friendships drive the friends inbox (fan-out on write). */
export function registerFriendsInboxSubscriptions(bus: EventBus, inbox: FriendsInboxService): void {
  bus.subscribe('post.created', async (e) => {
    await inbox.postCreated(e.postId);
  });
  bus.subscribe('friend.request_accepted', async (e) => {
    await inbox.friendshipStarted(e.requesterId, e.accepterId);
  });
  bus.subscribe('friend.removed', async (e) => {
    await inbox.friendshipEnded(e.userId, e.friendId);
  });
  bus.subscribe('user.blocked', async (e) => {
    await inbox.friendshipEnded(e.blockerId, e.blockedId);
  });
}
