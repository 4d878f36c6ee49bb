import type { Static } from 'typebox';
import { pagePagination } from '../../http/pagination.js';
import { principalOf } from '../../http/principal.js';
import { EmptyBody, errorResponses } from '../../http/schemas.js';
import type { TypedApp } from '../../http/typebox.js';
import {
  InboxBody,
  InboxQuerySchema,
  MarkAllReadBody,
  MarkReadBody,
  NotificationIdParams,
  PreferencesBody,
  PreferencesPatchBody,
  PushTokenBody,
  PushTokenIdParams,
  RegisterPushTokenBody,
  toNotificationJson,
  toPreferencesJson,
  toPushTokenJson,
  UnreadCountBody,
} from './notifications.schemas.js';
import type { NotificationsService } from './notifications.service.js';
import type { PreferenceFlags } from './preferences.repo.js';
import type { NotificationPreferencesService } from './preferences.service.js';
import type { PushTokensService } from './push-tokens.service.js';

const tags = ['notifications'];

function preferencesPatch(b: Static<typeof PreferencesPatchBody>): Partial<PreferenceFlags> {
  const patch = {
    pushEnabled: b.push_enabled,
    emailEnabled: b.email_enabled,
    goalReminders: b.goal_reminders,
    friendRequests: b.friend_requests,
    messages: b.messages,
    achievements: b.achievements,
    postLikes: b.post_likes,
    postComments: b.post_comments,
    goalUpdates: b.goal_updates,
  };
  return Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)) as Partial<PreferenceFlags>;
}

export interface NotificationRouteServices {
  notifications: NotificationsService;
  preferences: NotificationPreferencesService;
  pushTokens: PushTokensService;
}

/**
 * Plan 4.9. Static paths (preferences, unread-count, mark-all-read, push-tokens) are matched before
 * `/:notificationId` by the router, and the id must be a UUID anyway.
 */
export function registerNotificationsRoutes(app: TypedApp, s: NotificationRouteServices): void {
  app.get(
    '/api/v1/notifications',
    {
      schema: {
        operationId: 'listNotifications',
        tags,
        summary: 'The caller’s notifications, newest first, with the unread count',
        querystring: InboxQuerySchema,
        response: { 200: InboxBody, ...errorResponses(401, 422, 429) },
      },
    },
    async (request) => {
      const q = request.query;
      const { page, limit } = q;
      const result = await s.notifications.list(principalOf(request).userId, {
        page,
        limit,
        filter: q.filter ?? 'all',
        unreadOnly: q.unread_only ?? false,
      });
      return {
        notifications: result.items.map((n) => toNotificationJson(n, result.now)),
        pagination: { ...pagePagination(page, limit, result.total), unread_count: result.unreadCount },
      };
    },
  );

  app.get(
    '/api/v1/notifications/unread-count',
    { schema: { operationId: 'getUnreadNotificationCount', tags, summary: 'How many notifications are unread', response: { 200: UnreadCountBody, ...errorResponses(401, 429) } } },
    async (request) => ({ unread_count: await s.notifications.unreadCount(principalOf(request).userId) }),
  );

  app.put(
    '/api/v1/notifications/mark-all-read',
    { schema: { operationId: 'markAllNotificationsRead', tags, summary: 'Mark every notification read', response: { 200: MarkAllReadBody, ...errorResponses(401, 429) } } },
    async (request) => ({ updated: await s.notifications.markAllRead(principalOf(request).userId), unread_count: 0 }),
  );

  app.get(
    '/api/v1/notifications/preferences',
    { schema: { operationId: 'getNotificationPreferences', tags, summary: 'Which notifications the caller receives', response: { 200: PreferencesBody, ...errorResponses(401, 429) } } },
    async (request) => toPreferencesJson(await s.preferences.get(principalOf(request).userId)),
  );

  app.put(
    '/api/v1/notifications/preferences',
    {
      schema: {
        operationId: 'updateNotificationPreferences',
        tags,
        summary: 'Change notification preferences (any subset of the fields)',
        description: 'A type switched off creates neither notifications nor pushes; push_enabled false stops every push, also those already queued.',
        body: PreferencesPatchBody,
        response: { 200: PreferencesBody, ...errorResponses(400, 401, 422, 429) },
      },
    },
    async (request) => toPreferencesJson(await s.preferences.update(principalOf(request).userId, preferencesPatch(request.body))),
  );

  app.post(
    '/api/v1/notifications/push-tokens',
    {
      schema: {
        operationId: 'registerPushToken',
        tags,
        summary: 'Register this device for push',
        description:
          'ios/android: the FCM registration token; web: the PushSubscription JSON (endpoint + keys.p256dh + keys.auth), ' +
          'whose endpoint must be an https URL on a browser push service (FCM, Mozilla, Apple, Windows; the server’s ' +
          'WEB_PUSH_ALLOWED_HOSTS), else 422 invalid_push_endpoint. ' +
          'Registering a token that exists moves it to the caller and reactivates it; a new token for a device_id retires ' +
          'the caller’s older tokens of that device. The token is never returned.',
        body: RegisterPushTokenBody,
        response: { 201: PushTokenBody, ...errorResponses(400, 401, 422, 429) },
      },
    },
    async (request, reply) => {
      const b = request.body;
      const row = await s.pushTokens.register(principalOf(request).userId, { token: b.token, deviceType: b.device_type, deviceId: b.device_id ?? null });
      return reply.status(201).send(toPushTokenJson(row));
    },
  );

  app.delete(
    '/api/v1/notifications/push-tokens/:tokenId',
    {
      schema: {
        operationId: 'deletePushToken',
        tags,
        summary: 'Unregister a device token (e.g. at logout)',
        params: PushTokenIdParams,
        response: { 204: EmptyBody, ...errorResponses(401, 404, 422, 429) },
      },
    },
    async (request, reply) => {
      await s.pushTokens.remove(principalOf(request).userId, request.params.tokenId);
      return reply.status(204).send(null);
    },
  );

  app.put(
    '/api/v1/notifications/:notificationId/read',
    {
      schema: {
        operationId: 'markNotificationRead',
        tags,
        summary: 'Mark one notification read (idempotent)',
        params: NotificationIdParams,
        response: { 200: MarkReadBody, ...errorResponses(401, 404, 422, 429) },
      },
    },
    async (request) => {
      const id = request.params.notificationId;
      const unread = await s.notifications.markRead(principalOf(request).userId, id);
      return { id, is_read: true as const, unread_count: unread };
    },
  );

  app.delete(
    '/api/v1/notifications/:notificationId',
    {
      schema: { operationId: 'deleteNotification', tags, summary: 'Delete one notification', params: NotificationIdParams, response: { 204: EmptyBody, ...errorResponses(401, 404, 422, 429) } },
    },
    async (request, reply) => {
      await s.notifications.remove(principalOf(request).userId, request.params.notificationId);
      return reply.status(204).send(null);
    },
  );
}
