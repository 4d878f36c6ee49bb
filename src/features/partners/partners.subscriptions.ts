import type { EventBus } from '../../infra/bus/event-bus.js';
import type { PartnersService } from './partners.service.js';
import '../friends/friends.events.js';

/**
 * A partner is a friend: when two users stop being friends, their proposal or partnership ends too
 * (the `partners` subscriber's jobs). Idempotent by its state: a retry finds the pair's proposal
 * gone or its partnership already ended and changes nothing (nor publishes anything). Blocking calls
 * `endEverythingBetween` directly; doing it again here is harmless for the same reason.
 */
export function registerPartnersSubscriptions(bus: EventBus, partners: PartnersService): void {
  bus.subscriber('partners').on('friend.removed', (e) => partners.endEverythingBetween(e.userId, e.friendId));
}
