import { pagePagination } from '../../http/pagination.js';
import { principalOf } from '../../http/principal.js';
import { EmptyBody, errorResponses } from '../../http/schemas.js';
import type { TypedApp } from '../../http/typebox.js';
import {
  CommentIdParams,
  CommentLikeResponse,
  CommentList,
  Comment,
  CreateCommentBody,
  toComment,
  toCommentWithReplies,
  UpdateCommentBody,
} from './comments.schemas.js';
import type { CommentsService } from './comments.service.js';
import type { LikesService } from './likes.service.js';
import { LikeResponse, LikerList, PageOnlyQuery, PostIdParams, toLiker } from './posts.schemas.js';

const tags = ['posts'];

/** Plan 4.5: likes of posts and comments, and comments with one level of replies. */
export function registerPostInteractionRoutes(app: TypedApp, likes: LikesService, comments: CommentsService): void {
  app.post(
    '/api/v1/posts/:postId/like',
    {
      schema: {
        operationId: 'likePost',
        tags,
        summary: 'Like a post (idempotent: 201 the first time, 200 when already liked)',
        params: PostIdParams,
        response: { 200: LikeResponse, 201: LikeResponse, ...errorResponses(401, 404, 422, 429) },
      },
    },
    async (request, reply) => {
      const r = await likes.likePost(principalOf(request).userId, request.params.postId);
      return reply.status(r.created ? 201 : 200).send({ post_id: request.params.postId, liked: true, likes_count: r.likesCount });
    },
  );

  app.delete(
    '/api/v1/posts/:postId/like',
    {
      schema: {
        operationId: 'unlikePost',
        tags,
        summary: 'Remove the caller’s like (idempotent)',
        params: PostIdParams,
        response: { 204: EmptyBody, ...errorResponses(401, 404, 422, 429) },
      },
    },
    async (request, reply) => {
      await likes.unlikePost(principalOf(request).userId, request.params.postId);
      return reply.status(204).send(null);
    },
  );

  app.get(
    '/api/v1/posts/:postId/likes',
    {
      schema: {
        operationId: 'listPostLikes',
        tags,
        summary: 'Users who liked the post, newest first',
        params: PostIdParams,
        querystring: PageOnlyQuery,
        response: { 200: LikerList, ...errorResponses(401, 404, 422, 429) },
      },
    },
    async (request) => {
      const { page, limit } = request.query;
      const result = await likes.likers(principalOf(request).userId, request.params.postId, page, limit);
      return { users: result.items.map(toLiker), pagination: pagePagination(page, limit, result.total) };
    },
  );

  app.post(
    '/api/v1/posts/:postId/comments',
    {
      schema: {
        operationId: 'createComment',
        tags,
        summary: 'Comment on a post, or reply to one of its comments',
        description:
          'One level of nesting: a reply to a reply is attached to its top-level comment. parent_comment_id must be a ' +
          'comment of the same post, else 422 invalid_parent_comment.',
        params: PostIdParams,
        body: CreateCommentBody,
        response: { 201: Comment, ...errorResponses(401, 404, 422, 429) },
      },
    },
    async (request, reply) => {
      const b = request.body;
      const created = await comments.create(principalOf(request).userId, request.params.postId, {
        content: b.content,
        parentCommentId: b.parent_comment_id ?? null,
      });
      return reply.status(201).send(toComment(created));
    },
  );

  app.get(
    '/api/v1/posts/:postId/comments',
    {
      schema: {
        operationId: 'listComments',
        tags,
        summary: 'Top-level comments, oldest first, each with replies_count and its first 3 replies',
        params: PostIdParams,
        querystring: PageOnlyQuery,
        response: { 200: CommentList, ...errorResponses(401, 404, 422, 429) },
      },
    },
    async (request) => {
      const { page, limit } = request.query;
      const result = await comments.list(principalOf(request).userId, request.params.postId, page, limit);
      return { comments: result.items.map(toCommentWithReplies), pagination: pagePagination(page, limit, result.total) };
    },
  );

  app.put(
    '/api/v1/posts/comments/:commentId',
    {
      schema: {
        operationId: 'updateComment',
        tags,
        summary: 'Edit a comment (its author only)',
        params: CommentIdParams,
        body: UpdateCommentBody,
        response: { 200: Comment, ...errorResponses(401, 403, 404, 422, 429) },
      },
    },
    async (request) => toComment(await comments.update(principalOf(request).userId, request.params.commentId, request.body.content)),
  );

  app.delete(
    '/api/v1/posts/comments/:commentId',
    {
      schema: {
        operationId: 'deleteComment',
        tags,
        summary: 'Delete a comment and its replies (the comment’s author or the post’s author)',
        params: CommentIdParams,
        response: { 204: EmptyBody, ...errorResponses(401, 403, 404, 422, 429) },
      },
    },
    async (request, reply) => {
      await comments.delete(principalOf(request).userId, request.params.commentId);
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/api/v1/posts/comments/:commentId/like',
    {
      schema: {
        operationId: 'likeComment',
        tags,
        summary: 'Like a comment (idempotent: 201 the first time, 200 when already liked)',
        params: CommentIdParams,
        response: { 200: CommentLikeResponse, 201: CommentLikeResponse, ...errorResponses(401, 404, 422, 429) },
      },
    },
    async (request, reply) => {
      const r = await likes.likeComment(principalOf(request).userId, request.params.commentId);
      return reply.status(r.created ? 201 : 200).send({ comment_id: request.params.commentId, liked: true, likes_count: r.likesCount });
    },
  );

  app.delete(
    '/api/v1/posts/comments/:commentId/like',
    {
      schema: {
        operationId: 'unlikeComment',
        tags,
        summary: 'Remove the caller’s like of a comment (idempotent)',
        params: CommentIdParams,
        response: { 204: EmptyBody, ...errorResponses(401, 404, 422, 429) },
      },
    },
    async (request, reply) => {
      await likes.unlikeComment(principalOf(request).userId, request.params.commentId);
      return reply.status(204).send(null);
    },
  );
}
