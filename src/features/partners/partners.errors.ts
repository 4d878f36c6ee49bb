import { AppError, notFound, validationError } from '../../lib/app-error.js';

export const cannotPartnerSelf = () =>
  validationError('cannot_partner_self', [{ field: 'user_id', message: 'cannot be your own id' }], 'You cannot partner with yourself');
/** The same answer for an unknown, deactivated or blocked (either way) user: nothing is revealed. */
export const partnerUserNotFound = () => notFound('user_not_found', 'User not found');
export const partnersMustBeFriends = () =>
  new AppError('forbidden', 'partners_must_be_friends', 'Only friends can become accountability partners');
export const partnershipExists = () =>
  new AppError('conflict', 'partnership_exists', 'A partnership or proposal between you two already exists');
/** Unknown, not the caller's, or not in the state the action needs (accept/decline/cancel). */
export const partnershipNotFound = () => notFound('partnership_not_found', 'Partnership not found');
export const invalidPartnershipState = (action: string, status: string) =>
  new AppError('conflict', 'invalid_partnership_state', `Cannot ${action} a partnership that is ${status}`, [
    { field: 'status', message: `is ${status}`, status },
  ]);
