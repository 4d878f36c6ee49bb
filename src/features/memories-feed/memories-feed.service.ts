import type { Clock } from '../../infra/clock/clock.js';
import type { Database } from '../../infra/db/database.js';
import { decodeCursor, encodeCursor, invalidCursor } from '../../lib/cursor.js';
import { validationError } from '../../lib/app-error.js';
import { timeAgo } from '../../lib/time-ago.js';
import type { MediaLinks } from '../media/media.links.js';
import { MemoriesFeedRepo, type FeedPost } from './memories-feed.repo.js';
import { FRIENDS_INBOX_DAYS } from './friends-inbox.sql.js';
import { DISCOVER_MAX_ITEMS } from './memories-feed.sql.js';
import type { MemoriesFeedType } from './memories-feed.vocabulary.js';

export interface MemoriesFeedRequest {
  feedType: MemoriesFeedType;
  limit: number;
  cursor?: string;
  page?: number;
}

export interface MemoriesFeedPage {
  posts: Array<FeedPost & { timeAgo: string }>;
  hasMore: boolean;
  nextCursor: string | null;
}

/**
 * The memories feed (plan 4.5 GET /feed). friends and following page by keyset on (created_at, id),
 * so posts published while a client pages never shift later pages; discover ranks by engagement
 * against a fixed instant carried in its cursor and pages by offset over a bounded window.
 * `page` (page-based paging, the plan's parameter) is an offset over the same order.
 */
export class MemoriesFeedService {
  private readonly repo: MemoriesFeedRepo;

  constructor(
    database: Database,
    private readonly clock: Clock,
    private readonly mediaLinks: MediaLinks,
  ) {
    this.repo = new MemoriesFeedRepo(database);
  }

  /** One page of the caller's feed of the given type, with `nextCursor` when more follow; media URLs signed where private. */
  async listFeed(viewerId: string, req: MemoriesFeedRequest): Promise<MemoriesFeedPage> {
    if (req.cursor !== undefined && req.page !== undefined) {
      throw validationError('invalid_cursor', [{ field: 'cursor', message: 'use either cursor or page, not both' }]);
    }
    const cursor = req.cursor !== undefined ? decodeCursor(req.cursor) : undefined;
    const pageOffset = req.page !== undefined ? (req.page - 1) * req.limit : 0;
    const fetch = req.limit + 1;
    let rows: FeedPost[];
    let next: (last: FeedPost) => string;

    if (req.feedType === 'discover') {
      if (cursor && cursor.kind !== 'offset') throw invalidCursor(); // a keyset cursor of another feed type
      const asOfMicros = cursor?.asOfMicros ?? String(this.clock.now().getTime() * 1000);
      const offset = cursor?.offset ?? pageOffset;
      const take = Math.max(0, Math.min(fetch, DISCOVER_MAX_ITEMS - offset));
      rows = take > 0 ? await this.repo.discoverPage(viewerId, take, asOfMicros, offset) : [];
      if (offset + req.limit >= DISCOVER_MAX_ITEMS) rows = rows.slice(0, req.limit);
      next = () => encodeCursor({ kind: 'offset', asOfMicros, offset: offset + req.limit });
    } else {
      if (cursor && cursor.kind !== 'keyset') throw invalidCursor();
      const after = cursor ? { createdAtMicros: cursor.createdAtMicros, id: cursor.id } : undefined;
      const offset = after ? 0 : pageOffset;
      rows =
        req.feedType === 'friends'
          ? await this.repo.friendsPage(viewerId, fetch, this.inboxHorizonMicros(), after, offset)
          : await this.repo.followingPage(viewerId, fetch, after, offset);
      next = (last) => encodeCursor({ kind: 'keyset', createdAtMicros: last.createdAtMicros, id: last.id });
    }

    const hasMore = rows.length > req.limit;
    const items = await this.mediaLinks.resolveAll(rows.slice(0, req.limit), ['mediaUrl', 'mediaThumbnailUrl']);
    const now = this.clock.now();
    const last = items[items.length - 1];
    return {
      posts: items.map((p) => ({ ...p, timeAgo: timeAgo(p.createdAt, now) })),
      hasMore,
      nextCursor: hasMore && last ? next(last) : null,
    };
  }

  /** Where the friends inbox ends: FRIENDS_INBOX_DAYS before now, in microseconds since the epoch. */
  private inboxHorizonMicros(): string {
    return String((this.clock.now().getTime() - FRIENDS_INBOX_DAYS * 86_400_000) * 1000);
  }
}
