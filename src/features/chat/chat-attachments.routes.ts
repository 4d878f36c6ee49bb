import { receiveUpload, UPLOAD_RATE_LIMIT } from '../../http/multipart.js';
import { principalOf } from '../../http/principal.js';
import { Type } from 'typebox';
import { errorResponses, IMAGE_TYPES_TEXT, UploadFile } from '../../http/schemas.js';
import type { TypedApp } from '../../http/typebox.js';
import { missingFile } from '../media/media.errors.js';
import type { ChatAttachmentsService } from './chat-attachments.service.js';
import { ChatAttachment, ConversationParams } from './chat.schemas.js';

/** POST /api/v1/conversations/:conversationId/attachments (multipart field `file`): a chat image or video. */
export function registerChatAttachmentRoutes(app: TypedApp, attachments: ChatAttachmentsService, maxBytes: number): void {
  app.post(
    '/api/v1/conversations/:conversationId/attachments',
    {
      config: { rateLimits: [UPLOAD_RATE_LIMIT] },
      schema: {
        operationId: 'uploadChatAttachment',
        tags: ['chat'],
        summary: 'Upload an image or video for a message (participants only; multipart field "file")',
        description:
          'Images (JPEG, PNG, WebP, AVIF, HEIC/HEIF, GIF) are auto-rotated and stripped of metadata; videos MP4/MOV. Send the ' +
          'returned `media_url` as the `media_url` of an image or video message in this conversation. Attachments are ' +
          'private: every response that shows the message carries a fresh signed URL valid for about an hour ' +
          '(docs/media.md). 10 uploads per hour.',
        consumes: ['multipart/form-data'],
        multipartBody: Type.Object(
          { file: UploadFile(`An image (${IMAGE_TYPES_TEXT}) or an MP4/MOV video`) },
          { additionalProperties: false },
        ),
        params: ConversationParams,
        response: { 201: ChatAttachment, ...errorResponses(400, 401, 404, 413, 415, 422, 429) },
      },
    },
    async (request, reply) => {
      const callerId = principalOf(request).userId;
      // Refuse non-participants before a byte of the file is read.
      await attachments.assertParticipant(callerId, request.params.conversationId);
      const upload = await receiveUpload(request, { fileFields: ['file'], textFields: [], maxBytes });
      if (!upload.file) throw missingFile('file');
      try {
        const stored = await attachments.upload(callerId, request.params.conversationId, upload.file);
        return reply.status(201).send({
          media_url: stored.url,
          media_thumbnail_url: stored.thumbnailUrl,
          media_type: stored.mediaType,
          width: stored.width,
          height: stored.height,
        });
      } finally {
        await upload.file.discard();
      }
    },
  );
}
