import { AppError, notFound, validationError } from '../../lib/app-error.js';

export const cannotBlockSelf = () =>
  validationError('cannot_block_self', [{ field: 'user_id', message: 'you cannot block yourself' }]);
export const alreadyBlocked = () => new AppError('conflict', 'already_blocked', 'You have already blocked this user');
export const blockNotFound = () => notFound('block_not_found', 'You have not blocked this user');
