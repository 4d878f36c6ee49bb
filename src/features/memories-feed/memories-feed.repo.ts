import type { Database } from '../../infra/db/database.js';
import { friendsInboxPageSql } from './friends-inbox.sql.js';
import { discoverFeedSql, followingFeedSql, friendsFeedSql, type KeysetAfter } from './memories-feed.sql.js';

/** The smallest uuid: (horizon, NIL) as a keyset position means "strictly before the horizon". */
const NIL_UUID = '00000000-0000-0000-0000-000000000000';

/** One post as a feed page shows it. */
export interface FeedPost {
  id: string;
  caption: string | null;
  mediaUrl: string | null;
  mediaThumbnailUrl: string | null;
  postType: string;
  visibility: string;
  likesCount: number;
  commentsCount: number;
  createdAt: Date;
  /** created_at in microseconds since the epoch (the keyset cursor's precision). */
  createdAtMicros: string;
  author: { id: string; username: string; fullName: string; profileImageUrl: string | null };
  goal: { id: string; title: string } | null;
  isLikedByMe: boolean;
}

interface FeedPostRow extends Record<string, unknown> {
  id: string;
  caption: string | null;
  media_url: string | null;
  media_thumbnail_url: string | null;
  post_type: string;
  visibility: string;
  likes_count: number | string;
  comments_count: number | string;
  created_at: Date | string;
  created_us: string;
  author_id: string;
  author_username: string;
  author_full_name: string;
  author_profile_image_url: string | null;
  goal_id: string | null;
  goal_title: string | null;
  liked_by_me: boolean;
}

function toFeedPost(r: FeedPostRow): FeedPost {
  return {
    id: r.id,
    caption: r.caption,
    mediaUrl: r.media_url,
    mediaThumbnailUrl: r.media_thumbnail_url,
    postType: r.post_type,
    visibility: r.visibility,
    likesCount: Number(r.likes_count),
    commentsCount: Number(r.comments_count),
    createdAt: new Date(r.created_at),
    createdAtMicros: String(r.created_us),
    author: { id: r.author_id, username: r.author_username, fullName: r.author_full_name, profileImageUrl: r.author_profile_image_url },
    goal: r.goal_id && r.goal_title !== null ? { id: r.goal_id, title: r.goal_title } : null,
    isLikedByMe: Boolean(r.liked_by_me),
  };
}

/**
 * The memories feed read model: each page is one prepared statement (posts + author card + goal +
 * liked-by-me); a friends page that reaches the inbox horizon takes a second one for what is older.
 */
export class MemoriesFeedRepo {
  constructor(private readonly database: Database) {}

  /**
   * Friends feed: rows newer than the horizon come from the inbox (friends-inbox.sql.ts), older ones
   * from the search of friendsFeedSql restricted to before the horizon; the two ranges do not overlap,
   * so a page that spans the horizon is the first range's rows followed by the second's.
   */
  async friendsPage(viewerId: string, limit: number, horizonMicros: string, after?: KeysetAfter, offset = 0): Promise<FeedPost[]> {
    const want = limit + offset;
    const pastHorizon = after !== undefined && BigInt(after.createdAtMicros) < BigInt(horizonMicros);
    let rows = pastHorizon ? [] : await this.database.queryPrepared<FeedPostRow>(friendsInboxPageSql(viewerId, want, horizonMicros, after));
    if (rows.length < want) {
      const olderThan = pastHorizon ? after : { createdAtMicros: horizonMicros, id: NIL_UUID };
      rows = rows.concat(await this.database.queryPrepared<FeedPostRow>(friendsFeedSql(viewerId, want - rows.length, olderThan)));
    }
    return rows.slice(offset, want).map(toFeedPost);
  }

  async followingPage(viewerId: string, limit: number, after?: KeysetAfter, offset = 0): Promise<FeedPost[]> {
    return (await this.database.queryPrepared<FeedPostRow>(followingFeedSql(viewerId, limit, after, offset))).map(toFeedPost);
  }

  async discoverPage(viewerId: string, limit: number, asOfMicros: string, offset: number): Promise<FeedPost[]> {
    return (await this.database.queryPrepared<FeedPostRow>(discoverFeedSql(viewerId, limit, asOfMicros, offset))).map(toFeedPost);
  }
}
