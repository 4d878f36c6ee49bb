import { AppError, notFound, validationError } from '../../lib/app-error.js';

/** Unknown, expired, or not visible to the caller: the same answer, so existence never leaks. */
export const storyNotFound = () => notFound('story_not_found', 'Story not found');
export const notStoryOwner = () => new AppError('forbidden', 'not_story_owner', 'Only the story’s author may do this');
export const mediaTypeMismatch = (declared: string, actual: string) =>
  validationError('media_type_mismatch', [{ field: 'media_type', message: `is "${declared}" but the file is ${actual === 'image' ? 'an image' : 'a video'}` }]);
export const invalidStoryField = (field: string, message: string) => validationError('validation_failed', [{ field, message }]);
