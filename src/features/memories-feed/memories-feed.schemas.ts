import { Type } from 'typebox';
import { cursorPagination, Defaulted, feedPagination, FeedPagination, PageQuery } from '../../http/pagination.js';
import { NullableString, stringEnum, Timestamp, UserText, Uuid } from '../../http/schemas.js';
import { toUserCardJson, USER_CARD_FIELDS } from '../users/user-card.js';
import type { MemoriesFeedPage } from './memories-feed.service.js';
import { MEMORIES_FEED_TYPES } from './memories-feed.vocabulary.js';

export const MemoriesFeedQuery = Type.Object(
  {
    feed_type: Defaulted(stringEnum(MEMORIES_FEED_TYPES, { default: 'friends' })),
    limit: PageQuery.limit,
    cursor: Type.Optional(UserText({ maxLength: 200, description: 'opaque; the previous page’s next_cursor' })),
    page: Type.Optional(Type.Integer({ minimum: 1, maximum: 100_000, description: 'page-based paging instead of a cursor' })),
  },
  { additionalProperties: false },
);

const FeedPostJson = Type.Object({
  id: Uuid,
  user: Type.Object(USER_CARD_FIELDS),
  caption: NullableString,
  media_url: NullableString,
  media_thumbnail_url: NullableString,
  post_type: Type.String(),
  goal: Type.Union([Type.Object({ id: Uuid, title: Type.String() }), Type.Null()]),
  visibility: Type.String(),
  likes_count: Type.Integer(),
  comments_count: Type.Integer(),
  is_liked_by_me: Type.Boolean(),
  time_ago: Type.String(),
  created_at: Timestamp,
}, { title: 'FeedPost' });

export const MemoriesFeed = Type.Object({
  posts: Type.Array(FeedPostJson),
  pagination: Type.Object({ ...FeedPagination.properties, page: Type.Optional(Type.Integer()), next_cursor: NullableString }),
});

/** A service page → the plan's body. */
export function toMemoriesFeed(result: MemoriesFeedPage, limit: number, page: number | undefined) {
  return {
    posts: result.posts.map((p) => ({
      id: p.id,
      user: toUserCardJson(p.author),
      caption: p.caption,
      media_url: p.mediaUrl,
      media_thumbnail_url: p.mediaThumbnailUrl,
      post_type: p.postType,
      goal: p.goal,
      visibility: p.visibility,
      likes_count: p.likesCount,
      comments_count: p.commentsCount,
      is_liked_by_me: p.isLikedByMe,
      time_ago: p.timeAgo,
      created_at: p.createdAt.toISOString(),
    })),
    pagination: { ...feedPagination(page, limit, result.hasMore), ...cursorPagination(result.hasMore, result.nextCursor) },
  };
}
