import { and, eq, or, sql, type SQL } from 'drizzle-orm';
import type { Db } from '../../infra/db/database.js';
import { queryRows } from '../../infra/db/rows.js';
import { accountActive, areFriends, blockedEitherWay, friendIdsOf, friendRequestAllowed } from '../privacy/privacy.sql.js';
import { toDate } from './friends.lists.repo.js';
import { friendships, type FriendshipRow } from './friends.tables.js';

/** The friendship row of the pair {a, b}, whichever of them sent the request. */
function pair(a: string, b: string): SQL {
  return or(
    and(eq(friendships.userId, a), eq(friendships.friendId, b)),
    and(eq(friendships.userId, b), eq(friendships.friendId, a)),
  ) as SQL;
}

/** Every write to `friendships`, and the single-row reads the request use cases need. */
export class FriendsRepo {
  constructor(private readonly db: Db) {}

  /** The one row (pending or accepted) between two users, if any. */
  async findBetween(a: string, b: string): Promise<FriendshipRow | undefined> {
    const [row] = await this.db.select().from(friendships).where(pair(a, b)).limit(1);
    return row;
  }

  /**
   * Inserts a pending request only if the friend-request rule (privacy.sql.ts `friendRequestAllowed`,
   * the one the `can_send_friend_request` flag shows) holds in the same statement; undefined when it
   * does not. `viaInvite`: the requester redeems the addressee's invite code, so the addressee's
   * setting is not consulted. A row for the pair created concurrently fails with a unique violation (23505).
   */
  async insertRequestIfAllowed(
    requesterId: string,
    addresseeId: string,
    now: Date,
    options: { viaInvite?: boolean } = {},
  ): Promise<FriendshipRow | undefined> {
    const addressee = sql`${addresseeId}::uuid`;
    const [row] = await queryRows<{ id: string; requested_at: Date | string }>(
      this.db,
      sql`insert into friendships (user_id, friend_id, status, requested_at)
        select ${requesterId}, ${addressee}, 'pending', ${now.toISOString()}::timestamptz
        where ${friendRequestAllowed(requesterId, addressee, options)}
        returning id, requested_at`,
    );
    if (!row) return undefined;
    return { id: row.id, userId: requesterId, friendId: addresseeId, status: 'pending', requestedAt: toDate(row.requested_at), acceptedAt: null };
  }

  /**
   * Accepts a pending request addressed to `addresseeId`, in one statement that also re-checks that
   * the requester is still an active account and that neither user blocked the other.
   */
  async acceptPending(requestId: string, addresseeId: string, now: Date): Promise<FriendshipRow | undefined> {
    const [row] = await this.db
      .update(friendships)
      .set({ status: 'accepted', acceptedAt: now })
      .where(
        and(
          eq(friendships.id, requestId),
          eq(friendships.friendId, addresseeId),
          eq(friendships.status, 'pending'),
          accountActive(sql`friendships.user_id`),
          sql`not ${blockedEitherWay(addresseeId, friendships.userId)}`,
        ),
      )
      .returning();
    return row;
  }

  /** Deletes a pending request the addressee declines; undefined when there is none to decline. */
  async deletePendingReceived(requestId: string, addresseeId: string): Promise<FriendshipRow | undefined> {
    const [row] = await this.db
      .delete(friendships)
      .where(and(eq(friendships.id, requestId), eq(friendships.friendId, addresseeId), eq(friendships.status, 'pending')))
      .returning();
    return row;
  }

  /** Deletes a pending request its requester withdraws; undefined when there is none. */
  async deletePendingSent(requestId: string, requesterId: string): Promise<FriendshipRow | undefined> {
    const [row] = await this.db
      .delete(friendships)
      .where(and(eq(friendships.id, requestId), eq(friendships.userId, requesterId), eq(friendships.status, 'pending')))
      .returning();
    return row;
  }

  /** Deletes the accepted friendship between two users; undefined when they are not friends. */
  async deleteFriendship(a: string, b: string): Promise<FriendshipRow | undefined> {
    const [row] = await this.db
      .delete(friendships)
      .where(and(pair(a, b), eq(friendships.status, 'accepted')))
      .returning();
    return row;
  }

  /** Deletes whatever row links the two users (friendship or request, either direction). */
  async deleteBetween(a: string, b: string): Promise<FriendshipRow | undefined> {
    const [row] = await this.db.delete(friendships).where(pair(a, b)).returning();
    return row;
  }

  async areFriends(a: string, b: string): Promise<boolean> {
    const [row] = await queryRows<{ ok: boolean }>(this.db, sql`select ${areFriends(sql`${a}::uuid`, sql`${b}::uuid`)} as ok`);
    return row?.ok === true;
  }

  async friendIds(userId: string): Promise<string[]> {
    const rows = await queryRows<{ id: string }>(this.db, sql`select x.id from ${friendIdsOf(userId)} as x(id)`);
    return rows.map((r) => r.id);
  }
}
