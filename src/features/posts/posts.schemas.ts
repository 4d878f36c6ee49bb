import { Type } from 'typebox';
import { PagePagination, PageQuery } from '../../http/pagination.js';
import { NullableString, stringEnum, Timestamp, UserText, Uuid } from '../../http/schemas.js';
import { timeAgo } from '../../lib/time-ago.js';
import { toUserCardJson, USER_CARD_FIELDS, UserSummary } from '../users/user-card.js';
import type { LikerRow } from './likes.repo.js';
import type { PostViewRow } from './posts.reads.repo.js';
import { POST_TYPES, POST_VISIBILITIES } from './posts.vocabulary.js';

export const CAPTION_MAX = 2200;

export const PostVisibilitySchema = stringEnum(POST_VISIBILITIES);
const PostTypeSchema = stringEnum(POST_TYPES);

const PostFields = {
  id: Uuid,
  user: UserSummary,
  caption: NullableString,
  media_url: NullableString,
  media_thumbnail_url: NullableString,
  post_type: PostTypeSchema,
  goal: Type.Union([Type.Object({ id: Uuid, title: Type.String() }), Type.Null()]),
  visibility: PostVisibilitySchema,
  likes_count: Type.Integer(),
  comments_count: Type.Integer(),
  media_width: Type.Union([Type.Integer(), Type.Null()]),
  media_height: Type.Union([Type.Integer(), Type.Null()]),
  created_at: Timestamp,
};

/**
 * A post as the viewer sees it: the answer of POST /posts (201), GET and PUT /posts/:postId and the
 * entries of post lists — one shape, so a client's model of a post never lacks a field.
 */
export const Post = Type.Object({
  ...PostFields,
  is_archived: Type.Boolean(),
  is_liked_by_me: Type.Boolean(),
  time_ago: Type.String({ description: '"2 hours ago"' }),
  updated_at: Timestamp,
}, { title: 'Post' });

export const PostList = Type.Object({ posts: Type.Array(Post), pagination: PagePagination }, { title: 'PostList' });

/**
 * POST /posts as JSON: a text post (no file). The fields and rules of the multipart form's text
 * fields; a file can only come as multipart/form-data.
 */
export const CreateTextPostBody = Type.Object(
  {
    caption: Type.Optional(Type.Union([UserText({ maxLength: CAPTION_MAX, multiline: true }), Type.Null()])),
    goal_id: Type.Optional(Type.Union([Uuid, Type.Null()])),
    visibility: Type.Optional(PostVisibilitySchema),
  },
  { additionalProperties: false },
);

export const PostIdParams = Type.Object({ postId: Uuid });
export const UserIdParams = Type.Object({ userId: Uuid });
export const PageOnlyQuery = Type.Object(PageQuery, { additionalProperties: false });

export const UpdatePostBody = Type.Object(
  {
    caption: Type.Optional(Type.Union([UserText({ maxLength: CAPTION_MAX, multiline: true }), Type.Null()])),
    visibility: Type.Optional(PostVisibilitySchema),
    is_archived: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false, minProperties: 1 },
);

export const LikeResponse = Type.Object({ post_id: Uuid, liked: Type.Boolean(), likes_count: Type.Integer() }, { title: 'PostLikeState' });
export const Liker = Type.Object({ ...USER_CARD_FIELDS, liked_at: Timestamp });
export const LikerList = Type.Object({ users: Type.Array(Liker), pagination: PagePagination });

function postFields(p: PostViewRow) {
  return {
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
    media_width: p.mediaWidth,
    media_height: p.mediaHeight,
    created_at: p.createdAt.toISOString(),
  };
}

export function toPost(p: PostViewRow, now: Date) {
  return {
    ...postFields(p),
    is_archived: p.isArchived,
    is_liked_by_me: p.isLikedByMe,
    time_ago: timeAgo(p.createdAt, now),
    updated_at: p.updatedAt.toISOString(),
  };
}

export function toLiker(l: LikerRow) {
  return { ...toUserCardJson(l), liked_at: l.likedAt.toISOString() };
}

