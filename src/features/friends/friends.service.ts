import type { EventBus } from '../../infra/bus/event-bus.js';
import type { Clock } from '../../infra/clock/clock.js';
import type { Database, Db } from '../../infra/db/database.js';
import type { PrivacyService } from '../privacy/privacy.service.js';
import { FriendInvites } from './friends.invites.service.js';
import { FriendReadsService, type OnlineLookup } from './friends.reads.service.js';
import { FriendRequests } from './friends.requests.service.js';
import { FriendSuggestions } from './friends.suggestions.service.js';

/**
 * The friends feature (plan 4.3): requests and friendships, lists and search, suggestions, invite codes.
 * Routes use its four parts; other features use the methods on the service itself.
 */
export class FriendsService {
  /** Sending, accepting, declining and cancelling requests; unfriending. */
  readonly requests: FriendRequests;
  /** Friend lists, request inboxes and user search. */
  readonly queries: FriendReadsService;
  /** "People you may know". */
  readonly suggestions: FriendSuggestions;
  /** Personal invite codes: the way two people with no link in the graph yet become friends. */
  readonly invites: FriendInvites;

  constructor(database: Database, bus: EventBus, clock: Clock, privacy: PrivacyService, online?: OnlineLookup) {
    this.requests = new FriendRequests(database, bus, clock, privacy);
    this.queries = new FriendReadsService(database, clock, privacy, online);
    this.suggestions = new FriendSuggestions(database, clock, privacy);
    this.invites = new FriendInvites(database, clock, this.requests);
  }

  /** Whether the two users are friends (an accepted friendship either way). */
  areFriends(a: string, b: string): Promise<boolean> {
    return this.requests.areFriends(a, b);
  }

  /** The ids of the user's friends. */
  friendIds(userId: string): Promise<string[]> {
    return this.requests.friendIds(userId);
  }

  /**
   * Deletes the friendship or pending request between two users, either direction, in its own
   * transaction. Publishes `friend.removed` only if they were friends.
   */
  removeEverythingBetween(a: string, b: string): Promise<void> {
    return this.requests.removeEverythingBetween(a, b);
  }

  /**
   * The same inside the caller's transaction (blocking: one commit for the block and everything it
   * ends); `friend.removed` is published through `tx`, so it commits with the block.
   */
  removeEverythingBetweenIn(tx: Db, a: string, b: string): Promise<void> {
    return this.requests.removeEverythingBetweenIn(tx, a, b);
  }

  /** Recomputes the user's stored suggestions now. */
  recomputeSuggestions(userId: string): Promise<void> {
    return this.suggestions.recompute(userId);
  }
}
