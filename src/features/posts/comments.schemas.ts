import { Type } from 'typebox';
import { PagePagination } from '../../http/pagination.js';
import { Timestamp, UserText, Uuid } from '../../http/schemas.js';
import { toUserCardJson, UserSummary } from '../users/user-card.js';
import type { CommentViewRow } from './comments.repo.js';
import type { CommentWithReplies } from './comments.service.js';

const Content = UserText({ minLength: 1, maxLength: 1000, multiline: true, description: '1–1,000 characters, trimmed, not blank' });

export const CreateCommentBody = Type.Object(
  {
    content: Content,
    parent_comment_id: Type.Optional(Type.Union([Uuid, Type.Null()], { description: 'Reply to this comment of the same post' })),
  },
  { additionalProperties: false },
);
export const UpdateCommentBody = Type.Object({ content: Content }, { additionalProperties: false });
export const CommentIdParams = Type.Object({ commentId: Uuid });

const CommentFields = {
  id: Uuid,
  post_id: Uuid,
  user: UserSummary,
  content: Type.String(),
  parent_comment_id: Type.Union([Uuid, Type.Null()]),
  likes_count: Type.Integer(),
  created_at: Timestamp,
};

/**
 * A comment as the viewer sees it: the answer of POST /posts/:postId/comments (201) and PUT
 * /posts/comments/:commentId, and each entry of a list's `replies`; a top-level list entry adds its
 * first `replies`.
 */
export const Comment = Type.Object({
  ...CommentFields,
  replies_count: Type.Integer(),
  is_liked_by_me: Type.Boolean(),
  updated_at: Timestamp,
}, { title: 'Comment' });
export const CommentWithRepliesSchema = Type.Object({ ...Comment.properties, replies: Type.Array(Comment) }, { title: 'CommentWithReplies' });
export const CommentList = Type.Object({ comments: Type.Array(CommentWithRepliesSchema), pagination: PagePagination });
export const CommentLikeResponse = Type.Object({ comment_id: Uuid, liked: Type.Boolean(), likes_count: Type.Integer() }, { title: 'CommentLikeState' });

function commentFields(c: CommentViewRow) {
  return {
    id: c.id,
    post_id: c.postId,
    user: toUserCardJson(c.author),
    content: c.content,
    parent_comment_id: c.parentCommentId,
    likes_count: c.likesCount,
    created_at: c.createdAt.toISOString(),
  };
}

export function toComment(c: CommentViewRow) {
  return { ...commentFields(c), replies_count: c.repliesCount, is_liked_by_me: c.isLikedByMe, updated_at: c.updatedAt.toISOString() };
}

export function toCommentWithReplies(c: CommentWithReplies) {
  return { ...toComment(c), replies: c.replies.map(toComment) };
}
