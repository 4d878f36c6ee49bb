import type { EventBus } from '../../infra/bus/event-bus.js';
import type { FriendsService } from './friends.service.js';
import './friends.events.js';
import '../settings/settings.events.js';

/** Keeps both users' suggestions current when their part of the graph changes. */
export function registerFriendsSubscriptions(bus: EventBus, friends: FriendsService): void {
  const recomputeBoth = async (a: string, b: string) => {
    await friends.recomputeSuggestions(a);
    await friends.recomputeSuggestions(b);
  };
  bus.subscribe('friend.request_accepted', (e) => recomputeBoth(e.requesterId, e.accepterId));
  bus.subscribe('friend.removed', (e) => recomputeBoth(e.userId, e.friendId));
  bus.subscribe('user.blocked', (e) => recomputeBoth(e.blockerId, e.blockedId));
}
