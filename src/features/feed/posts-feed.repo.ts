import type { Db } from '../../infra/db/database.js';
import { queryRows } from '../../infra/db/rows.js';
import { discoverFeedSql, followingFeedSql, friendsFeedSql, type KeysetAfter } from './posts-feed.sql.js';

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

/** The memories feed read model: each page is ONE query (posts + author card + goal + liked-by-me). */
export class PostsFeedRepo {
  constructor(private readonly db: Db) {}

  async friendsPage(viewerId: string, limit: number, after?: KeysetAfter, offset = 0): Promise<FeedPost[]> {
    return (await queryRows<FeedPostRow>(this.db, friendsFeedSql(viewerId, limit, after, offset))).map(toFeedPost);
  }

  async followingPage(viewerId: string, limit: number, after?: KeysetAfter, offset = 0): Promise<FeedPost[]> {
    return (await queryRows<FeedPostRow>(this.db, followingFeedSql(viewerId, limit, after, offset))).map(toFeedPost);
  }

  async discoverPage(viewerId: string, limit: number, asOfMicros: string, offset: number): Promise<FeedPost[]> {
    return (await queryRows<FeedPostRow>(this.db, discoverFeedSql(viewerId, limit, asOfMicros, offset))).map(toFeedPost);
  }
}
