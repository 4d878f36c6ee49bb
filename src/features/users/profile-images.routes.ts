import { Type } from 'typebox';
import { receiveUpload, UPLOAD_RATE_LIMIT } from '../../http/multipart.js';
import { principalOf } from '../../http/principal.js';
import { errorResponses, IMAGE_TYPES_TEXT, Timestamp, UploadFile } from '../../http/schemas.js';
import type { TypedApp } from '../../http/typebox.js';
import { missingFile } from '../media/media.errors.js';
import type { ProfileImagesService, ProfileImageSlot } from './profile-images.service.js';

const Variants = Type.Record(Type.String(), Type.String(), { description: 'URL of every stored size, by name' });

const slots: Array<{ slot: ProfileImageSlot; path: string; field: 'profile_image_url' | 'cover_image_url'; sizes: string }> = [
  { slot: 'profile', path: '/api/v1/users/me/profile-image', field: 'profile_image_url', sizes: 'original, large 800², medium 400², thumb 150²' },
  { slot: 'cover', path: '/api/v1/users/me/cover-image', field: 'cover_image_url', sizes: 'original, large 1200×400' },
];

/** Plan 4.2: PATCH /users/me/profile-image and /users/me/cover-image (multipart field `image`). */
export function registerProfileImageRoutes(app: TypedApp, images: ProfileImagesService, maxBytes: number): void {
  for (const { slot, path, field, sizes } of slots) {
    app.patch(
      path,
      {
        config: { rateLimits: [UPLOAD_RATE_LIMIT] },
        schema: {
          operationId: slot === 'profile' ? 'replaceProfileImage' : 'replaceCoverImage',
          tags: ['users'],
          summary: `Replace the caller’s ${slot === 'profile' ? 'profile picture' : 'cover image'} (multipart field "image")`,
          description:
            `JPEG, PNG, WebP, AVIF, HEIC/HEIF or GIF; auto-rotated, metadata (GPS included) removed; stored as ${sizes}. ` +
            'The previous image is deleted. 10 uploads per hour.',
          consumes: ['multipart/form-data'],
          multipartBody: Type.Object({ image: UploadFile(IMAGE_TYPES_TEXT) }, { additionalProperties: false }),
          response: {
            200: Type.Object({ [field]: Type.String(), updated_at: Timestamp, variants: Variants }),
            ...errorResponses(400, 401, 413, 415, 422, 429),
          },
        },
      },
      async (request) => {
        const upload = await receiveUpload(request, { fileFields: ['image'], textFields: [], maxBytes });
        if (!upload.file) throw missingFile('image');
        try {
          const replaced = await images.replace(principalOf(request).userId, slot, upload.file);
          return { [field]: replaced.url, updated_at: replaced.updatedAt.toISOString(), variants: replaced.variants };
        } finally {
          await upload.file.discard();
        }
      },
    );
  }
}
