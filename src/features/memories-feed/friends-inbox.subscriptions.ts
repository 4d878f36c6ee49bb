import type { EventBus } from '../../infra/bus/event-bus.js';
import type { FriendsInboxService } from './friends-inbox.service.js';
import '../friends/friends.events.js';
import '../posts/posts.events.js';

/**
 * New posts and new friendships fill the friends inbox (fan-out on write, the `friends-inbox`
 * subscriber's jobs); an ended friendship needs no event: its rows go with it (foreign key with
 * cascade). Idempotent by the inbox's natural key: one row per (reader, post) (the primary key
 * user_id, post_created_at, post_id), inserted with `on conflict do nothing`, so a retried fan-out
 * or backfill adds no row.
 */
export function registerFriendsInboxSubscriptions(bus: EventBus, inbox: FriendsInboxService): void {
  const s = bus.subscriber('friends-inbox');
  s.on('post.created', async (e) => {
    await inbox.postCreated(e.postId);
  });
  s.on('friend.request_accepted', async (e) => {
    await inbox.friendshipStarted(e.requesterId, e.accepterId);
  });
}
