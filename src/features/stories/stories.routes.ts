import { receiveUpload, UPLOAD_RATE_LIMIT } from '../../http/multipart.js';
import { pagePagination } from '../../http/pagination.js';
import { principalOf } from '../../http/principal.js';
import { Type } from 'typebox';
import { EmptyBody, errorResponses, IMAGE_TYPES_TEXT, stringEnum, UploadFile } from '../../http/schemas.js';
import type { TypedApp } from '../../http/typebox.js';
import { isOneOf } from '../../lib/one-of.js';
import { missingFile } from '../media/media.errors.js';
import { MEDIA_TYPES, type MediaType } from '../media/media.vocabulary.js';
import { invalidStoryField } from './stories.errors.js';
import {
  StoryDetails,
  StoryIdParams,
  StoryTray,
  StoryViewers,
  ViewersQuery,
  toStoryDetails,
  toTray,
  toViewer,
} from './stories.schemas.js';
import type { StoriesService } from './stories.service.js';

const tags = ['stories'];

/** The multipart text fields of POST /stories, checked before any media is stored. */
function parseFields(fields: Record<string, string>): { mediaType?: MediaType; duration: number } {
  const rawType = fields.media_type?.trim();
  if (rawType !== undefined && !isOneOf(MEDIA_TYPES, rawType)) {
    throw invalidStoryField('media_type', 'must be "image" or "video"');
  }
  const rawDuration = fields.duration?.trim();
  let duration = 5;
  if (rawDuration !== undefined) {
    if (!/^\d{1,3}$/.test(rawDuration) || Number(rawDuration) < 1 || Number(rawDuration) > 60) {
      throw invalidStoryField('duration', 'must be a whole number of seconds from 1 to 60');
    }
    duration = Number(rawDuration);
  }
  return { ...(rawType ? { mediaType: rawType } : {}), duration };
}

/** Plan 4.6: stories (post, the friends' tray, one story, delete, view, viewers). */
export function registerStoriesRoutes(app: TypedApp, stories: StoriesService, maxBytes: number): void {
  app.post(
    '/api/v1/stories',
    {
      config: { rateLimits: [UPLOAD_RATE_LIMIT] },
      schema: {
        operationId: 'createStory',
        tags,
        summary: 'Post a story (multipart: file "media", optional "media_type" and "duration")',
        description:
          'An image (JPEG, PNG, WebP, AVIF, HEIC/HEIF, GIF) or an MP4/MOV video; the type is read from the file ' +
          'itself, and media_type, when sent, must match it (else 422 media_type_mismatch). duration is the seconds ' +
          'shown, 1–60, default 5, for videos too. Expires 24 hours after creation. 10 uploads per hour.',
        consumes: ['multipart/form-data'],
        multipartBody: Type.Object(
          {
            media: UploadFile(`An image (${IMAGE_TYPES_TEXT}) or an MP4/MOV video`),
            media_type: Type.Optional(stringEnum(MEDIA_TYPES, { description: 'When sent, must match the file' })),
            duration: Type.Optional(Type.Integer({ minimum: 1, maximum: 60, default: 5, description: 'Seconds shown' })),
          },
          { additionalProperties: false },
        ),
        response: { 201: StoryDetails, ...errorResponses(400, 401, 413, 415, 422, 429) },
      },
    },
    async (request, reply) => {
      const upload = await receiveUpload(request, { fileFields: ['media'], textFields: ['media_type', 'duration'], maxBytes });
      try {
        const fields = parseFields(upload.fields);
        if (!upload.file) throw missingFile('media');
        const story = await stories.create(principalOf(request).userId, { file: upload.file, ...fields });
        return reply.status(201).send(toStoryDetails(story));
      } finally {
        await upload.file?.discard();
      }
    },
  );

  app.get(
    '/api/v1/stories',
    {
      schema: {
        operationId: 'listStories',
        tags,
        summary: 'Unexpired stories of the caller and their friends, grouped by author',
        description:
          'The caller’s own group first, then friends with unviewed stories, then friends whose stories are all ' +
          'viewed; within each part, the author with the most recent story first. Each group’s stories oldest first.',
        response: { 200: StoryTray, ...errorResponses(401, 429) },
      },
    },
    async (request) => toTray(await stories.tray(principalOf(request).userId)),
  );

  app.get(
    '/api/v1/stories/:storyId',
    {
      schema: {
        operationId: 'getStory',
        tags,
        summary: 'One story (its author or a friend of the author; unexpired)',
        params: StoryIdParams,
        response: { 200: StoryDetails, ...errorResponses(401, 404, 422, 429) },
      },
    },
    async (request) => toStoryDetails(await stories.get(principalOf(request).userId, request.params.storyId)),
  );

  app.delete(
    '/api/v1/stories/:storyId',
    {
      schema: {
        operationId: 'deleteStory',
        tags,
        summary: 'Delete a story and its media (author only)',
        description: 'A friend who can see the story gets 403 not_story_owner; anyone else 404 story_not_found.',
        params: StoryIdParams,
        response: { 204: EmptyBody, ...errorResponses(401, 403, 404, 422, 429) },
      },
    },
    async (request, reply) => {
      await stories.delete(principalOf(request).userId, request.params.storyId);
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/api/v1/stories/:storyId/view',
    {
      schema: {
        operationId: 'markStoryViewed',
        tags,
        summary: 'Mark a story as viewed by the caller',
        description: 'Idempotent: one view per viewer. The author’s own view is accepted (204) and not recorded.',
        params: StoryIdParams,
        response: { 204: EmptyBody, ...errorResponses(401, 404, 422, 429) },
      },
    },
    async (request, reply) => {
      await stories.view(principalOf(request).userId, request.params.storyId);
      return reply.status(204).send(null);
    },
  );

  app.get(
    '/api/v1/stories/:storyId/views',
    {
      schema: {
        operationId: 'listStoryViewers',
        tags,
        summary: 'Who viewed the caller’s story, newest first (author only; others 404)',
        params: StoryIdParams,
        querystring: ViewersQuery,
        response: { 200: StoryViewers, ...errorResponses(401, 404, 422, 429) },
      },
    },
    async (request) => {
      const { page, limit } = request.query;
      const result = await stories.viewers(principalOf(request).userId, request.params.storyId, page, limit);
      return {
        users: result.items.map(toViewer),
        pagination: pagePagination(page, limit, result.total),
      };
    },
  );
}
