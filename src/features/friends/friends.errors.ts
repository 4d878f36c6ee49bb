import { AppError, notFound, validationError } from '../../lib/app-error.js';

export const cannotBefriendSelf = () =>
  validationError('cannot_befriend_self', [{ field: 'user_id', message: 'cannot be your own id' }], 'You cannot befriend yourself');
export const cannotDismissSelf = () =>
  validationError('cannot_dismiss_self', [{ field: 'userId', message: 'cannot be your own id' }], 'You are never suggested to yourself');
export const alreadyFriends = () => new AppError('conflict', 'already_friends', 'You are already friends');
export const friendRequestExists = () =>
  new AppError('conflict', 'friend_request_exists', 'You have already sent this user a friend request');
export const friendRequestsNotAllowed = () =>
  new AppError('forbidden', 'friend_requests_not_allowed', 'This user does not accept friend requests from you');
export const friendRequestNotFound = () => notFound('friend_request_not_found', 'Friend request not found');
export const friendshipNotFound = () => notFound('friendship_not_found', 'Friendship not found');
/** An unknown, rotated or malformed invite code, and one whose owner is gone or blocked either way with the caller. */
export const inviteNotFound = () => notFound('invite_not_found', 'Invite code not found');
export const ownInviteCode = () =>
  validationError('own_invite_code', [{ field: 'code', message: 'is your own invite code' }], 'This is your own invite code: share it with someone else');
