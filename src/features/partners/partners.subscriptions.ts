import type { EventBus } from '../../infra/bus/event-bus.js';
import type { PartnersService } from './partners.service.js';
import '../friends/friends.events.js';

/**
 * A partner is a friend: when two users stop being friends, their proposal or partnership ends too.
 * (Blocking calls `endEverythingBetween` directly; doing it again here is harmless, it is idempotent.)
 */
export function registerPartnersSubscriptions(bus: EventBus, partners: PartnersService): void {
  bus.subscribe('friend.removed', (e) => partners.endEverythingBetween(e.userId, e.friendId));
}
