import { sql, type SQL } from 'drizzle-orm';
import type { Db } from '../../infra/db/database.js';
import { queryRows } from '../../infra/db/rows.js';
import type { Page } from '../../lib/page.js';
import { activeAccountRow, areFriends, blockedEitherWay, friendRequestAllowed, friendshipsOf, mutualFriendsCount } from '../privacy/privacy.sql.js';
import { userCardOf, type UserCard } from '../users/user-card.js';
import type { FriendshipStatus, FriendsSort, RequestDirection } from './friends.vocabulary.js';

/**
 * Read models of the social graph: friend lists, request inboxes and user search. Each joins
 * `friendships` with `users` (and the privacy fragments over `blocked_users`) in one statement per
 * page plus one count, and computes `mutual_friends_count` and `can_send_friend_request` only for
 * the rows of the page.
 */


/** The public card plus whether the viewer may send this user a request. */
export interface UserCardRow extends UserCard {
  /** Whether the viewer may send this user a new friend request now (privacy.sql.ts `friendRequestAllowed`). */
  canSendFriendRequest: boolean;
}

export interface FriendRow extends UserCardRow {
  onlineStatusVisible: boolean;
  lastSeenAt: Date | null;
  friendshipSince: Date;
  mutualFriends: number;
}

/** A friend request as one of its two parties sees it: `user` is the other party. */
export interface RequestRow {
  id: string;
  requesterId: string;
  addresseeId: string;
  user: UserCardRow;
  status: 'pending' | 'accepted';
  requestedAt: Date;
  acceptedAt: Date | null;
  mutualFriends: number;
}

export interface SearchRow extends UserCardRow {
  friendshipStatus: FriendshipStatus;
  mutualFriends: number;
}

export interface PageSlice {
  limit: number;
  offset: number;
}

type Raw = Record<string, unknown>;

export const toDate = (v: unknown): Date => (v instanceof Date ? v : new Date(v as string));
const toDateOrNull = (v: unknown): Date | null => (v === null || v === undefined ? null : toDate(v));

export function cardOf(r: Raw): UserCardRow {
  return {
    ...userCardOf(r),
    canSendFriendRequest: r.can_send_friend_request === true,
  };
}

/** An active account that the viewer has not blocked and is not blocked by. */
function visibleUser(viewerId: string): SQL {
  return sql`${activeAccountRow('u')} and not ${blockedEitherWay(viewerId, sql`u.id`)}`;
}

// Unqualified column names: used inside the page subquery and again outside it.
const FRIEND_ORDER: Record<FriendsSort, SQL> = {
  recent: sql`friendship_since desc, id`,
  alphabetical: sql`sort_name, username, id`,
  // Friends who hide their online status sort as if never seen.
  active: sql`visible_seen desc nulls last, sort_name, id`,
};

/** Minimum trigram score for a fuzzy (not substring) search match. */
const SEARCH_THRESHOLD = 0.4;
/** Weight of a match that needed one adjacent transposition ("brain" for "brian"). */
const TRANSPOSED_WEIGHT = 0.9;

export class FriendListsRepo {
  constructor(private readonly db: Db) {}

  private async count(source: SQL): Promise<number> {
    const [row] = await queryRows<{ n: number }>(this.db, sql`select count(*)::int as n ${source}`);
    return Number(row?.n ?? 0);
  }

  /**
   * The friends of `ownerId` as `viewerId` sees them: users blocked with the viewer are left out and
   * `mutualFriends` counts friends the viewer has in common with each listed friend.
   */
  private friendsSource(ownerId: string, viewerId: string, extra?: SQL): SQL {
    return sql`from ${friendshipsOf(ownerId)} f
      join users u on u.id = f.friend_id
      where ${visibleUser(viewerId)} ${extra ? sql`and ${extra}` : sql``}`;
  }

  private async friendsPage(source: SQL, viewerId: string, sort: FriendsSort, slice: PageSlice): Promise<FriendRow[]> {
    const order = FRIEND_ORDER[sort];
    const rows = await queryRows<Raw>(
      this.db,
      sql`select p.*, ${mutualFriendsCount(viewerId, sql`p.id`)} as mutual_friends_count,
        ${friendRequestAllowed(viewerId, sql`p.id`)} as can_send_friend_request
        from (
          select u.id, u.username, u.full_name, u.profile_image_url, u.online_status_visible, u.last_seen_at,
            coalesce(f.accepted_at, f.requested_at) as friendship_since,
            case when u.online_status_visible then u.last_seen_at end as visible_seen,
            lower(unaccent(u.full_name)) as sort_name
          ${source}
          order by ${order} limit ${slice.limit} offset ${slice.offset}
        ) p
        order by ${order}`,
    );
    return rows.map((r) => ({
      ...cardOf(r),
      onlineStatusVisible: r.online_status_visible === true,
      lastSeenAt: toDateOrNull(r.last_seen_at),
      friendshipSince: toDate(r.friendship_since),
      mutualFriends: Number(r.mutual_friends_count ?? 0),
    }));
  }

  async listFriends(ownerId: string, viewerId: string, sort: FriendsSort, slice: PageSlice): Promise<Page<FriendRow>> {
    const source = this.friendsSource(ownerId, viewerId);
    const items = await this.friendsPage(source, viewerId, sort, slice);
    return { items, total: await this.count(source) };
  }

  /** Friends who show their online status and were seen at or after `since`, most recent first. */
  async onlineFriends(userId: string, since: Date, limit: number): Promise<FriendRow[]> {
    const source = this.friendsSource(
      userId,
      userId,
      sql`u.online_status_visible and u.last_seen_at >= ${since.toISOString()}::timestamptz`,
    );
    return this.friendsPage(source, userId, 'active', { limit, offset: 0 });
  }

  /** Pending requests the user received (the other party is the requester) or sent. */
  async listRequests(userId: string, direction: RequestDirection, slice: PageSlice): Promise<Page<RequestRow>> {
    const received = direction === 'received';
    const source = sql`from friendships f
      join users u on u.id = ${received ? sql`f.user_id` : sql`f.friend_id`}
      where f.status = 'pending' and ${received ? sql`f.friend_id` : sql`f.user_id`} = ${userId}
        and ${visibleUser(userId)}`;
    const items = await this.requestRows(userId, source, sql`limit ${slice.limit} offset ${slice.offset}`);
    return { items, total: await this.count(source) };
  }

  /** One request as `viewerId` (either party) sees it, in the shape of a request-list entry. */
  async findRequest(viewerId: string, requestId: string): Promise<RequestRow | undefined> {
    const source = sql`from friendships f
      join users u on u.id = case when f.user_id = ${viewerId} then f.friend_id else f.user_id end
      where f.id = ${requestId} and ${viewerId} in (f.user_id, f.friend_id)`;
    const [row] = await this.requestRows(viewerId, source, sql`limit 1`);
    return row;
  }

  private async requestRows(viewerId: string, source: SQL, page: SQL): Promise<RequestRow[]> {
    const rows = await queryRows<Raw>(
      this.db,
      sql`select p.*, ${mutualFriendsCount(viewerId, sql`p.id`)} as mutual_friends_count,
        ${friendRequestAllowed(viewerId, sql`p.id`)} as can_send_friend_request
        from (
          select f.id as request_id, f.user_id as requester_id, f.friend_id as addressee_id, f.status,
            f.requested_at, f.accepted_at, u.id, u.username, u.full_name, u.profile_image_url
          ${source}
          order by f.requested_at desc, f.id ${page}
        ) p
        order by p.requested_at desc, p.request_id`,
    );
    return rows.map((r) => ({
      id: r.request_id as string,
      requesterId: r.requester_id as string,
      addresseeId: r.addressee_id as string,
      user: cardOf(r),
      status: r.status as 'pending' | 'accepted',
      requestedAt: toDate(r.requested_at),
      acceptedAt: toDateOrNull(r.accepted_at),
      mutualFriends: Number(r.mutual_friends_count ?? 0),
    }));
  }

  /**
   * Users matching `query` by username or full name, case- and accent-insensitively (unaccent) and
   * fuzzily (pg_trgm word similarity), most relevant first. `transpositions` are variants of the
   * query with two adjacent letters swapped, scored slightly below the query itself (skipped when
   * the query alone already scores higher than any variant could).
   * Excludes the viewer, inactive and blocked users, and users who opted out of suggestions unless
   * they are already the viewer's friends.
   */
  async search(viewerId: string, query: string, transpositions: string[], slice: PageSlice): Promise<Page<SearchRow>> {
    const source = sql`from users u
      cross join (select lower(unaccent(${query}::text)) as q,
        array(select lower(unaccent(v)) from jsonb_array_elements_text(${JSON.stringify(transpositions)}::jsonb) v) as variants) q
      cross join lateral (select lower(unaccent(u.username)) as un, lower(unaccent(u.full_name)) as fn) n
      cross join lateral (select greatest(word_similarity(q.q, n.un), word_similarity(q.q, n.fn)) as base) b
      cross join lateral (select case when b.base >= ${TRANSPOSED_WEIGHT} then b.base else greatest(b.base,
          ${TRANSPOSED_WEIGHT} * coalesce((select max(greatest(word_similarity(v, n.un), word_similarity(v, n.fn)))
            from unnest(q.variants) v), 0)) end as fuzzy) s
      left join friendships f on (f.user_id = ${viewerId} and f.friend_id = u.id) or (f.user_id = u.id and f.friend_id = ${viewerId})
      where u.id <> ${viewerId} and ${visibleUser(viewerId)}
        and (u.appear_in_suggestions or ${areFriends(viewerId, sql`u.id`)})
        and (s.fuzzy >= ${SEARCH_THRESHOLD} or strpos(n.un, q.q) > 0 or strpos(n.fn, q.q) > 0)`;
    // Exact matches first, then prefixes, then by similarity.
    const rows = await queryRows<Raw>(
      this.db,
      sql`select p.*, ${mutualFriendsCount(viewerId, sql`p.id`)} as mutual_friends_count,
        ${friendRequestAllowed(viewerId, sql`p.id`)} as can_send_friend_request
        from (
          select u.id, u.username, u.full_name, u.profile_image_url, f.user_id as requester_id, f.status,
            s.fuzzy + case when n.un = q.q or n.fn = q.q then 1
              when starts_with(n.un, q.q) or starts_with(n.fn, q.q) then 0.25 else 0 end as relevance
          ${source}
          order by relevance desc, u.username, u.id limit ${slice.limit} offset ${slice.offset}
        ) p
        order by p.relevance desc, p.username, p.id`,
    );
    const items = rows.map((r): SearchRow => {
      let friendshipStatus: FriendshipStatus = 'none';
      if (r.status === 'accepted') friendshipStatus = 'friends';
      else if (r.status === 'pending') friendshipStatus = r.requester_id === viewerId ? 'pending_sent' : 'pending_received';
      return { ...cardOf(r), friendshipStatus, mutualFriends: Number(r.mutual_friends_count ?? 0) };
    });
    return { items, total: await this.count(source) };
  }
}
