import type { Clock } from '../../infra/clock/clock.js';
import type { Database } from '../../infra/db/database.js';
import type { Page } from '../../lib/page.js';
import type { PrivacyService } from '../privacy/privacy.service.js';
import { userNotFound } from '../users/users.errors.js';
import { friendRequestNotFound } from './friends.errors.js';
import {
  FriendListsRepo,
  type FriendRow,
  type RequestRow,
  type SearchRow,
  type UserCardRow,
} from './friends.lists.repo.js';
import type { FriendsSort, RequestDirection } from './friends.vocabulary.js';
import { adjacentTranspositions, ONLINE_WINDOW_MS, presenceOf } from './friends.policy.js';
import type { FriendshipRow } from './friends.tables.js';

export interface PageRequest {
  page: number;
  limit: number;
}

/** A friend as others may see them: presence only where the friend shows their online status. */
export interface FriendView extends UserCardRow {
  isOnline: boolean;
  lastSeenAt: Date | null;
  friendshipSince: Date;
  mutualFriends: number;
}

const sliceOf = (p: PageRequest) => ({ limit: p.limit, offset: (p.page - 1) * p.limit });

/** Who has an open realtime connection (the WebSocket gateway's presence store, on any instance). */
export interface OnlineLookup {
  onlineAmong(userIds: readonly string[]): Promise<Set<string>>;
}

/** Friend lists, request inboxes and user search: read-only use cases over the social graph. */
export class FriendReadsService {
  private readonly lists: FriendListsRepo;

  constructor(
    database: Database,
    private readonly clock: Clock,
    private readonly privacy: PrivacyService,
    private readonly online?: OnlineLookup,
  ) {
    this.lists = new FriendListsRepo(database.db);
  }

  private view(row: FriendRow, now: Date, connected?: Set<string>): FriendView {
    const { onlineStatusVisible, lastSeenAt, ...rest } = row;
    const presence = presenceOf(onlineStatusVisible, lastSeenAt, now);
    // Online = a WebSocket open on any instance, or REST activity within the online window.
    if (onlineStatusVisible && connected?.has(row.id)) presence.isOnline = true;
    return { ...rest, ...presence };
  }

  private async views(rows: FriendRow[], now: Date): Promise<FriendView[]> {
    const visible = rows.filter((r) => r.onlineStatusVisible).map((r) => r.id);
    const connected = this.online && visible.length > 0 ? await this.online.onlineAmong(visible) : undefined;
    return rows.map((r) => this.view(r, now, connected));
  }

  /** The caller's friends, a page at a time. */
  async listFriends(userId: string, sort: FriendsSort, page: PageRequest): Promise<Page<FriendView>> {
    const result = await this.lists.listFriends(userId, userId, sort, sliceOf(page));
    const now = this.clock.now();
    return { items: await this.views(result.items, now), total: result.total };
  }

  /**
   * Another user's friends, when the viewer may see that user's full profile (else 404, as for an
   * unknown or blocked user). Users blocked with the viewer are left out of the list.
   */
  async listFriendsOf(viewerId: string, ownerId: string, sort: FriendsSort, page: PageRequest): Promise<Page<FriendView>> {
    if (viewerId !== ownerId && !(await this.privacy.accessTo(viewerId, ownerId)).fullProfile) throw userNotFound();
    const result = await this.lists.listFriends(ownerId, viewerId, sort, sliceOf(page));
    const now = this.clock.now();
    return { items: await this.views(result.items, now), total: result.total };
  }

  /** Friends online now (seen within the online window) who show their online status. */
  async onlineFriends(userId: string, limit: number): Promise<FriendView[]> {
    const now = this.clock.now();
    const rows = await this.lists.onlineFriends(userId, new Date(now.getTime() - ONLINE_WINDOW_MS), limit);
    return rows.map((r) => this.view(r, now));
  }

  /** Pending requests the caller received or sent; the other party is never a blocked or inactive user. */
  async listRequests(userId: string, direction: RequestDirection, page: PageRequest): Promise<Page<RequestRow>> {
    return this.lists.listRequests(userId, direction, sliceOf(page));
  }

  /** A request the caller is a party to, as the request lists show it. */
  async request(userId: string, requestId: string): Promise<RequestRow> {
    const row = await this.lists.findRequest(userId, requestId);
    if (!row) throw friendRequestNotFound();
    return row;
  }

  /**
   * What sending a request (or redeeming an invite) answers: the request as the lists show it, in the
   * state this call left it. The entry is read after the write, so without this a concurrent accept
   * by the other user would turn the requester's "pending" into "accepted" after the fact.
   */
  async sentRequest(userId: string, written: FriendshipRow): Promise<RequestRow> {
    const entry = await this.request(userId, written.id);
    return written.status === 'pending' ? { ...entry, status: 'pending', acceptedAt: null } : entry;
  }

  /** Users matching `query` (trimmed; case-, accent- and typo-tolerant), most relevant first. */
  async search(userId: string, query: string, page: PageRequest): Promise<Page<SearchRow>> {
    const q = query.trim().replace(/\s+/g, ' ');
    return this.lists.search(userId, q, adjacentTranspositions(q), sliceOf(page));
  }
}
