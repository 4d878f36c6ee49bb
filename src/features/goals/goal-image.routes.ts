import { receiveUpload, UPLOAD_RATE_LIMIT } from '../../http/multipart.js';
import { principalOf } from '../../http/principal.js';
import { Type } from 'typebox';
import { errorResponses, IMAGE_TYPES_TEXT, UploadFile } from '../../http/schemas.js';
import type { TypedApp } from '../../http/typebox.js';
import { missingFile } from '../media/media.errors.js';
import { GoalIdParams, GoalImage } from './goals.schemas.js';
import type { GoalsService } from './goals.service.js';

/** PUT /api/v1/goals/:goalId/image (multipart field `image`): the only way a goal gets an image. */
export function registerGoalImageRoutes(app: TypedApp, goals: GoalsService, maxBytes: number): void {
  app.put(
    '/api/v1/goals/:goalId/image',
    {
      config: { rateLimits: [UPLOAD_RATE_LIMIT] },
      schema: {
        operationId: 'replaceGoalImage',
        tags: ['goals'],
        summary: 'Replace the goal’s image (creator only; multipart field "image")',
        description:
          'JPEG, PNG, WebP, AVIF, HEIC/HEIF or GIF; auto-rotated, metadata removed; stored as original and a 400² ' +
          'thumb. The previous image is deleted. Goals accept no image_url from clients: every goal image is one ' +
          'this server checked and stored. 10 uploads per hour.',
        consumes: ['multipart/form-data'],
        multipartBody: Type.Object({ image: UploadFile(`The goal image: ${IMAGE_TYPES_TEXT}`) }, { additionalProperties: false }),
        params: GoalIdParams,
        response: { 200: GoalImage, ...errorResponses(400, 401, 403, 404, 413, 415, 422, 429) },
      },
    },
    async (request) => {
      // Refuse strangers and non-creators before a byte of the file is read.
      await goals.assertCreator(principalOf(request).userId, request.params.goalId);
      const upload = await receiveUpload(request, { fileFields: ['image'], textFields: [], maxBytes });
      if (!upload.file) throw missingFile('image');
      try {
        const replaced = await goals.replaceImage(principalOf(request).userId, request.params.goalId, upload.file);
        return { image_url: replaced.imageUrl, thumbnail_url: replaced.thumbnailUrl, updated_at: replaced.updatedAt.toISOString() };
      } finally {
        await upload.file.discard();
      }
    },
  );
}
