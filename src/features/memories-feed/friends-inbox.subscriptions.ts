import type { EventBus } from '../../infra/bus/event-bus.js';
import type { FriendsInboxService } from './friends-inbox.service.js';
import '../friends/friends.events.js';
import '../posts/posts.events.js';

/**
 * New posts and new friendships fill the friends inbox (fan-out on write); an ended friendship needs
 * no event: its rows go with it (foreign key with cascade).
 */
export function registerFriendsInboxSubscriptions(bus: EventBus, inbox: FriendsInboxService): void {
  bus.subscribe('post.created', async (e) => {
    await inbox.postCreated(e.postId);
  });
  bus.subscribe('friend.request_accepted', async (e) => {
    await inbox.friendshipStarted(e.requesterId, e.accepterId);
  });
}
