import { notFound, validationError } from '../../lib/app-error.js';

/** Unknown notification, or another user's: the same answer. */
export const notificationNotFound = () => notFound('notification_not_found', 'Notification not found');
/** Unknown push token, or another user's. */
export const pushTokenNotFound = () => notFound('push_token_not_found', 'Push token not found');
export const invalidPushToken = (message: string) => validationError('invalid_push_token', [{ field: 'token', message }]);
/** A Web Push subscription whose endpoint is not on an allowed push service (the server would POST there). */
export const invalidPushEndpoint = (message: string) => validationError('invalid_push_endpoint', [{ field: 'token.endpoint', message }]);
