import type { FastifyRequest } from 'fastify';
import { Type, type Static } from 'typebox';
import { receiveUpload, UPLOAD_RATE_LIMIT } from '../../http/multipart.js';
import { pagePagination } from '../../http/pagination.js';
import { principalOf } from '../../http/principal.js';
import { enforceRateLimit, type RateLimitSettings, type RouteRateLimit } from '../../http/rate-limit.js';
import { EmptyBody, errorResponses, IMAGE_TYPES_TEXT, stringEnum, UploadFile } from '../../http/schemas.js';
import type { TypedApp } from '../../http/typebox.js';
import type { Clock } from '../../infra/clock/clock.js';
import type { RateLimiter } from '../../infra/ratelimit/rate-limiter.js';
import { AppError, invalidField } from '../../lib/app-error.js';
import { isOneOf } from '../../lib/one-of.js';
import { POST_VISIBILITIES, type PostVisibility } from './posts.vocabulary.js';
import {
  CAPTION_MAX,
  CreateTextPostBody,
  PageOnlyQuery,
  Post,
  PostIdParams,
  PostList,
  toPost,
  UpdatePostBody,
  UserIdParams,
} from './posts.schemas.js';
import type { CreatePostInput, PostPatch, PostsService } from './posts.service.js';

const tags = ['posts'];
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i;

/**
 * A text-only post's form (caption ≤ 2,200 characters of up to 4 bytes, a goal id, a visibility and
 * the multipart framing) stays under this size. A larger body, or one of unknown length, carries a
 * file: it spends the upload budget in the rate-limit hook, before a byte is read. A smaller body may
 * still hold a (small) file: the handler charges the budget once it has seen the file, before the
 * media pipeline runs. Either way each post with a file costs exactly one upload; text posts none.
 */
const TEXT_POST_MAX_BYTES = 12 * 1024;

/** The body's media type, without parameters ("multipart/form-data"), lower case. */
function mediaTypeOf(request: FastifyRequest): string {
  return String(request.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
}

function carriesFile(request: FastifyRequest): boolean {
  // Only a multipart body can hold a file; a JSON body is always a text post.
  if (mediaTypeOf(request) !== 'multipart/form-data') return false;
  const length = Number(request.headers['content-length']);
  return !Number.isFinite(length) || length > TEXT_POST_MAX_BYTES;
}

/** UPLOAD_RATE_LIMIT (same counter) for post requests that carry a file; text posts: the global write budget. */
const POST_UPLOAD_RATE_LIMIT: RouteRateLimit = {
  ...UPLOAD_RATE_LIMIT,
  key: (request) => (carriesFile(request) ? UPLOAD_RATE_LIMIT.key(request) : undefined),
};

/** Validates the multipart text fields (Ajv does not see multipart bodies). */
function parseFields(fields: Record<string, string>): Omit<CreatePostInput, 'file'> {
  const caption = fields.caption ?? null;
  if (caption !== null && [...caption].length > CAPTION_MAX) throw invalidField('validation_failed', 'caption', `must be at most ${CAPTION_MAX} characters`);
  const goalId = fields.goal_id?.trim() || null;
  if (goalId !== null && !UUID.test(goalId)) throw invalidField('validation_failed', 'goal_id', 'must be a UUID');
  const visibility = fields.visibility ?? 'friends';
  if (!isOneOf(POST_VISIBILITIES, visibility)) throw invalidField('validation_failed', 'visibility', `must be one of ${POST_VISIBILITIES.join(', ')}`);
  return { caption, goalId: goalId?.toLowerCase() ?? null, visibility };
}

/** What a JSON body must not carry: files and media come only as multipart/form-data. */
const MEDIA_FIELDS = ['image', 'video', 'media', 'media_url', 'media_thumbnail_url', 'file'];

/** A JSON body naming a media field → 415 multipart_required, before Ajv would call it an unknown field. */
function refuseMediaInJson(body: unknown): void {
  if (!body || typeof body !== 'object') return;
  const found = MEDIA_FIELDS.filter((field) => field in body);
  if (found.length === 0) return;
  throw new AppError(
    'unsupported_media',
    'multipart_required',
    'A post with an image or video is sent as multipart/form-data (file field image or video); JSON bodies create text posts only',
    found.map((field) => ({ field, message: 'send the file as multipart/form-data' })),
  );
}

type TextPostJson = Static<typeof CreateTextPostBody>;

/** The fields of a JSON text post (Ajv has checked their shapes and the caption's length). */
function textPostInput(b: TextPostJson): CreatePostInput {
  return { caption: b.caption ?? null, goalId: b.goal_id?.toLowerCase() ?? null, visibility: b.visibility ?? 'friends' };
}

function toPatch(b: { caption?: string | null; visibility?: PostVisibility; is_archived?: boolean }): PostPatch {
  const patch: PostPatch = {};
  if (b.caption !== undefined) patch.caption = b.caption;
  if (b.visibility !== undefined) patch.visibility = b.visibility;
  if (b.is_archived !== undefined) patch.isArchived = b.is_archived;
  return patch;
}

export interface PostsRoutesOptions {
  clock: Clock;
  maxUploadBytes: number;
  rateLimiter: RateLimiter;
  rateLimit: RateLimitSettings;
}

/** Plan 4.5: create, read, edit, archive and delete posts, and a user's posts. */
export function registerPostsRoutes(app: TypedApp, posts: PostsService, options: PostsRoutesOptions): void {
  const { clock, maxUploadBytes } = options;
  app.post(
    '/api/v1/posts',
    {
      config: { rateLimits: [POST_UPLOAD_RATE_LIMIT] },
      schema: {
        operationId: 'createPost',
        tags,
        summary: 'Create a post (multipart: image or video file, caption, goal_id, visibility; or JSON for a text post)',
        description:
          'A text post may be sent as JSON (`caption`, `goal_id`, `visibility`; a media field in JSON is 415 ' +
          'multipart_required) or as multipart/form-data. Multipart fields: `image` (JPEG, PNG, WebP, AVIF, HEIC/HEIF, GIF) or `video` (MP4/MOV) — at most one file; `caption` ' +
          `(≤ ${CAPTION_MAX} characters); \`goal_id\` (a goal the caller actively takes part in, else 422 invalid_goal); ` +
          '`visibility` public | friends | private (default friends). Without a file the post is a text post and needs a ' +
          'caption. Posts with a file count against the upload limit (10 per hour). The answer is the post as GET ' +
          '/posts/{postId} shows it.',
        consumes: ['multipart/form-data', 'application/json'],
        body: { content: { 'application/json': { schema: CreateTextPostBody } } },
        multipartBody: Type.Object(
          {
            image: Type.Optional(UploadFile(`An image: ${IMAGE_TYPES_TEXT} (not with video)`)),
            video: Type.Optional(UploadFile('An MP4/MOV video (not with image)')),
            caption: Type.Optional(Type.String({ maxLength: CAPTION_MAX, description: 'Required without a file' })),
            goal_id: Type.Optional(Type.String({ format: 'uuid', description: 'A goal the caller actively takes part in' })),
            visibility: Type.Optional(stringEnum(POST_VISIBILITIES, { default: 'friends' })),
          },
          { additionalProperties: false },
        ),
        response: { 201: Post, ...errorResponses(400, 401, 413, 415, 422, 429) },
      },
      preValidation: async (request) => {
        if (mediaTypeOf(request) === 'application/json') refuseMediaInJson(request.body);
      },
    },
    async (request, reply) => {
      if (mediaTypeOf(request) === 'application/json' && request.body !== undefined) {
        const post = await posts.create(principalOf(request).userId, textPostInput(request.body as TextPostJson));
        return reply.status(201).send(toPost(post, clock.now()));
      }
      const upload = await receiveUpload(request, {
        fileFields: ['image', 'video'],
        textFields: ['caption', 'goal_id', 'visibility'],
        maxBytes: maxUploadBytes,
      });
      try {
        const input: CreatePostInput = parseFields(upload.fields);
        if (upload.file && !carriesFile(request)) {
          await enforceRateLimit(options.rateLimiter, options.rateLimit, UPLOAD_RATE_LIMIT, request);
        }
        if (upload.file) input.file = { upload: upload.file, allowVideo: upload.file.field === 'video' };
        const post = await posts.create(principalOf(request).userId, input);
        return reply.status(201).send(toPost(post, clock.now()));
      } finally {
        await upload.file?.discard();
      }
    },
  );

  app.get(
    '/api/v1/posts/:postId',
    {
      schema: {
        operationId: 'getPost',
        tags,
        summary: 'One post, if the caller may see it',
        description: 'Visible to its author; to friends for `friends`; to everyone for `public`; never across a block; archived posts only to the author. Otherwise 404 post_not_found.',
        params: PostIdParams,
        response: { 200: Post, ...errorResponses(401, 404, 422, 429) },
      },
    },
    async (request) => toPost(await posts.get(principalOf(request).userId, request.params.postId), clock.now()),
  );

  app.put(
    '/api/v1/posts/:postId',
    {
      schema: {
        operationId: 'updatePost',
        tags,
        summary: 'Edit a post’s caption, visibility or archived state (author only)',
        description:
          'When the post stops or starts being visible to everyone (public and not archived), its media move to new ' +
          'keys: the media URLs change and the previous ones stop working (docs/media.md).',
        params: PostIdParams,
        body: UpdatePostBody,
        response: { 200: Post, ...errorResponses(401, 403, 404, 409, 422, 429) },
      },
    },
    async (request) =>
      toPost(await posts.update(principalOf(request).userId, request.params.postId, toPatch(request.body)), clock.now()),
  );

  app.delete(
    '/api/v1/posts/:postId',
    {
      schema: {
        operationId: 'deletePost',
        tags,
        summary: 'Delete a post with its media, likes and comments (author only)',
        params: PostIdParams,
        response: { 204: EmptyBody, ...errorResponses(401, 403, 404, 422, 429) },
      },
    },
    async (request, reply) => {
      await posts.delete(principalOf(request).userId, request.params.postId);
      return reply.status(204).send(null);
    },
  );

  app.get(
    '/api/v1/users/:userId/posts',
    {
      schema: {
        operationId: 'listUserPosts',
        tags,
        summary: 'A user’s non-archived posts the caller may see, newest first',
        params: UserIdParams,
        querystring: PageOnlyQuery,
        response: { 200: PostList, ...errorResponses(401, 404, 422, 429) },
      },
    },
    async (request) => {
      const { page, limit } = request.query;
      const result = await posts.listOfUser(principalOf(request).userId, request.params.userId, page, limit);
      const now = clock.now();
      return { posts: result.items.map((p) => toPost(p, now)), pagination: pagePagination(page, limit, result.total) };
    },
  );
}
