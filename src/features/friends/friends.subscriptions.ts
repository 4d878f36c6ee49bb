import type { EventBus } from '../../infra/bus/event-bus.js';
import type { FriendsService } from './friends.service.js';
import './friends.events.js';
import '../settings/settings.events.js';

/**
 * Keeps both users' suggestions current when their part of the graph changes (the `friends`
 * subscriber's jobs). Idempotent by nature: a recompute replaces the user's suggestion rows with
 * what the graph gives now, so running it again (a retried job) leaves the same rows.
 */
export function registerFriendsSubscriptions(bus: EventBus, friends: FriendsService): void {
  const s = bus.subscriber('friends');
  const recomputeBoth = async (a: string, b: string) => {
    await friends.recomputeSuggestions(a);
    await friends.recomputeSuggestions(b);
  };
  s.on('friend.request_accepted', (e) => recomputeBoth(e.requesterId, e.accepterId));
  s.on('friend.removed', (e) => recomputeBoth(e.userId, e.friendId));
  s.on('user.blocked', (e) => recomputeBoth(e.blockerId, e.blockedId));
}
