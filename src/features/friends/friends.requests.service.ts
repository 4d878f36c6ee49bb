import type { EventBus } from '../../infra/bus/event-bus.js';
import type { Clock } from '../../infra/clock/clock.js';
import { inTransaction, type Database, type Db } from '../../infra/db/database.js';
import { violatedUniqueConstraint } from '../../infra/db/errors.js';
import type { PrivacyService } from '../privacy/privacy.service.js';
import { userNotFound } from '../users/users.errors.js';
import {
  alreadyFriends,
  cannotBefriendSelf,
  friendRequestExists,
  friendRequestNotFound,
  friendRequestsNotAllowed,
  friendshipNotFound,
} from './friends.errors.js';
import { FriendsRepo } from './friends.repo.js';
import type { FriendshipRow } from './friends.tables.js';
import './friends.events.js';

/** A race can change the pair's row between our read and our write; this many fresh looks settle it. */
const MAX_ATTEMPTS = 3;

/** Friend requests and unfriending: the only writer of `friendships`. */
export class FriendRequests {
  private readonly repo: FriendsRepo;

  constructor(
    private readonly database: Database,
    private readonly bus: EventBus,
    private readonly clock: Clock,
    private readonly privacy: PrivacyService,
  ) {
    this.repo = new FriendsRepo(database.db);
  }

  /**
   * Sends a friend request, or accepts the addressee's own pending request to the requester.
   * Unknown, inactive and blocked users are indistinguishable (404 user_not_found). The request is
   * written only when the friend-request rule holds (privacy.sql.ts `friendRequestAllowed`, the rule
   * the `can_send_friend_request` flag shows); else 403. The pair's unique index guarantees one row
   * per pair even when both users send at the same moment.
   */
  async send(requesterId: string, addresseeId: string): Promise<FriendshipRow> {
    if (requesterId === addresseeId) throw cannotBefriendSelf();
    return this.request(requesterId, addresseeId, { viaInvite: false, notFound: userNotFound });
  }

  /**
   * Sends a friend request to the owner of an invite code the requester redeemed (the owner's
   * who_can_send_friend_requests is not consulted: they shared the code). The caller checked that
   * the owner is not the requester. An inactive or blocked owner answers `notFound`, as an unknown code.
   */
  async sendViaInvite(requesterId: string, ownerId: string, notFound: () => Error): Promise<FriendshipRow> {
    return this.request(requesterId, ownerId, { viaInvite: true, notFound });
  }

  private async request(
    requesterId: string,
    addresseeId: string,
    how: { viaInvite: boolean; notFound: () => Error },
  ): Promise<FriendshipRow> {
    if (!(await this.privacy.accessTo(requesterId, addresseeId)).visible) throw how.notFound();

    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const existing = await this.repo.findBetween(requesterId, addresseeId);
      if (existing) {
        if (existing.status === 'accepted') throw alreadyFriends();
        if (existing.userId === requesterId) throw friendRequestExists();
        // They asked first: asking back accepts their request.
        const accepted = await this.acceptIfPending(existing.id, requesterId);
        if (accepted) return accepted;
        continue; // declined, cancelled or accepted meanwhile: look again
      }
      let row: FriendshipRow | undefined;
      try {
        row = await inTransaction(this.database, async (tx) => {
          const inserted = await new FriendsRepo(tx).insertRequestIfAllowed(requesterId, addresseeId, this.clock.now(), {
            viaInvite: how.viaInvite,
          });
          if (inserted) await this.bus.publish(tx, 'friend.request_sent', { requestId: inserted.id, fromUserId: requesterId, toUserId: addresseeId });
          return inserted;
        });
      } catch (err) {
        // A row for the pair was created concurrently (by either user): answer as if it had been there.
        if (!violatedUniqueConstraint(err)) throw err;
        continue;
      }
      if (row) return row;
      // Refused by the rule: a row that appeared meanwhile is answered as above, anything else is 403
      // (or 404 when the addressee went away or a block came in meanwhile).
      if (await this.repo.findBetween(requesterId, addresseeId)) continue;
      if (!(await this.privacy.accessTo(requesterId, addresseeId)).visible) throw how.notFound();
      throw friendRequestsNotAllowed();
    }
    throw friendRequestExists();
  }

  /** Accepts a pending request; only its addressee may (anyone else: 404). */
  async accept(requestId: string, addresseeId: string): Promise<FriendshipRow> {
    const row = await this.acceptIfPending(requestId, addresseeId);
    if (!row) throw friendRequestNotFound();
    return row;
  }

  private async acceptIfPending(requestId: string, addresseeId: string): Promise<FriendshipRow | undefined> {
    return inTransaction(this.database, async (tx) => {
      const row = await new FriendsRepo(tx).acceptPending(requestId, addresseeId, this.clock.now());
      if (row) await this.bus.publish(tx, 'friend.request_accepted', { requestId: row.id, requesterId: row.userId, accepterId: addresseeId });
      return row;
    });
  }

  /** Declines (deletes) a pending request; only its addressee may (anyone else: 404). */
  async decline(requestId: string, addresseeId: string): Promise<void> {
    await inTransaction(this.database, async (tx) => {
      const row = await new FriendsRepo(tx).deletePendingReceived(requestId, addresseeId);
      if (!row) throw friendRequestNotFound();
      await this.bus.publish(tx, 'friend.request_declined', { requestId: row.id, requesterId: row.userId, addresseeId });
    });
  }

  /** Withdraws a pending request; only its requester may (anyone else: 404). */
  async cancel(requestId: string, requesterId: string): Promise<void> {
    await inTransaction(this.database, async (tx) => {
      const row = await new FriendsRepo(tx).deletePendingSent(requestId, requesterId);
      if (!row) throw friendRequestNotFound();
      await this.bus.publish(tx, 'friend.request_cancelled', { requestId: row.id, requesterId, addresseeId: row.friendId });
    });
  }

  /** Ends a friendship; either friend may. */
  async unfriend(userId: string, friendId: string): Promise<void> {
    await inTransaction(this.database, async (tx) => {
      const row = await new FriendsRepo(tx).deleteFriendship(userId, friendId);
      if (!row) throw friendshipNotFound();
      await this.bus.publish(tx, 'friend.removed', { userId, friendId });
    });
  }

  /**
   * Deletes the friendship or pending request between two users, whichever exists, in a transaction
   * of its own. Publishes `friend.removed` only when they were friends.
   */
  async removeEverythingBetween(a: string, b: string): Promise<void> {
    await inTransaction(this.database, (tx) => this.removeEverythingBetweenIn(tx, a, b));
  }

  /**
   * The same inside the caller's transaction `tx` (blocking): the friendship's friends-inbox rows go
   * with it (foreign key, cascade), and `friend.removed` is published through `tx`, so it commits
   * or rolls back with the caller's work.
   */
  async removeEverythingBetweenIn(tx: Db, a: string, b: string): Promise<void> {
    const row = await new FriendsRepo(tx).deleteBetween(a, b);
    if (row?.status === 'accepted') await this.bus.publish(tx, 'friend.removed', { userId: a, friendId: b });
  }

  async areFriends(a: string, b: string): Promise<boolean> {
    return this.repo.areFriends(a, b);
  }

  async friendIds(userId: string): Promise<string[]> {
    return this.repo.friendIds(userId);
  }
}
