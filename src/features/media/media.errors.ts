import { AppError } from '../../lib/app-error.js';

export const unsupportedMediaType = () =>
  new AppError(
    'unsupported_media',
    'unsupported_media_type',
    'Unsupported file type: send a JPEG, PNG, WebP, AVIF, HEIC/HEIF or GIF image, or an MP4/MOV video',
  );
export const fileTooLarge = (what: string) => new AppError('too_large', 'file_too_large', `The file is too large: ${what}`);
export const invalidMedia = (why = 'the file is corrupt or truncated') =>
  new AppError('validation', 'invalid_media', `The file could not be read: ${why}`, [{ field: 'file', message: why }]);
export const missingFile = (field: string) =>
  new AppError('validation', 'file_required', `A file is required in the multipart field "${field}"`, [
    { field, message: 'is required' },
  ]);
export const videoNotAllowed = () =>
  new AppError('unsupported_media', 'unsupported_media_type', 'Only images are accepted here');
