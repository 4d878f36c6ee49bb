import type { Static } from 'typebox';
import { principalOf } from '../../http/principal.js';
import { errorResponses } from '../../http/schemas.js';
import type { TypedApp } from '../../http/typebox.js';
import type { PreferenceFlags } from '../notifications/preferences.repo.js';
import {
  AllSettingsBody,
  AllSettingsPatchBody,
  Appearance,
  AppearancePatchBody,
  NotificationsPatchBody,
  Privacy,
  PrivacyPatchBody,
  toAllSettings,
  toAppearanceFields,
  toPrivacyFields,
} from './settings.schemas.js';
import type { AppearancePatch, PrivacyPatch, SettingsService } from './settings.service.js';

const tags = ['settings'];

function definedOnly<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

function privacyPatch(b: Static<typeof PrivacyPatchBody>): PrivacyPatch {
  return definedOnly({
    profileVisibility: b.profile_visibility,
    onlineStatusVisible: b.online_status_visible,
    appearInSuggestions: b.appear_in_suggestions,
    whoCanSendFriendRequests: b.who_can_send_friend_requests,
    whoCanSendMessages: b.who_can_send_messages,
    shareActivityWithFriends: b.share_activity_with_friends,
  });
}

function appearancePatch(b: Static<typeof AppearancePatchBody>): AppearancePatch {
  return definedOnly({ themeMode: b.theme_mode, accentColor: b.accent_color, fontSizeMultiplier: b.font_size_multiplier });
}

function notificationsPatch(b: Static<typeof NotificationsPatchBody>): Partial<PreferenceFlags> {
  return definedOnly({
    pushEnabled: b.push_enabled,
    emailEnabled: b.email_enabled,
    goalReminders: b.goal_reminders,
    friendRequests: b.friend_requests,
    messages: b.messages,
    achievements: b.achievements,
    postLikes: b.post_likes,
    postComments: b.post_comments,
    goalUpdates: b.goal_updates,
  });
}

/** Plan 4.10: /api/v1/settings, /settings/privacy, /settings/appearance. */
export function registerSettingsRoutes(app: TypedApp, settings: SettingsService): void {
  app.get(
    '/api/v1/settings',
    { schema: { operationId: 'getSettings', tags, summary: 'All of the caller’s settings', response: { 200: AllSettingsBody, ...errorResponses(401, 429) } } },
    async (request) => {
      const userId = principalOf(request).userId;
      return toAllSettings(userId, await settings.getAll(userId));
    },
  );

  app.put(
    '/api/v1/settings',
    {
      schema: {
        operationId: 'updateSettings',
        tags,
        summary: 'Update any settings groups at once (each group partially)',
        body: AllSettingsPatchBody,
        response: { 200: AllSettingsBody, ...errorResponses(400, 401, 422, 429) },
      },
    },
    async (request) => {
      const userId = principalOf(request).userId;
      const b = request.body;
      const updated = await settings.updateAll(userId, {
        ...(b.privacy ? { privacy: privacyPatch(b.privacy) } : {}),
        ...(b.appearance ? { appearance: appearancePatch(b.appearance) } : {}),
        ...(b.notifications ? { notifications: notificationsPatch(b.notifications) } : {}),
      });
      return toAllSettings(userId, updated);
    },
  );

  app.get(
    '/api/v1/settings/privacy',
    { schema: { operationId: 'getPrivacySettings', tags, summary: 'Privacy settings', response: { 200: Privacy, ...errorResponses(401, 429) } } },
    async (request) => {
      const privacy = await settings.getPrivacy(principalOf(request).userId);
      return { ...toPrivacyFields(privacy), updated_at: privacy.updatedAt.toISOString() };
    },
  );

  app.put(
    '/api/v1/settings/privacy',
    {
      schema: {
        operationId: 'updatePrivacySettings',
        tags,
        summary: 'Update privacy settings (partial)',
        body: PrivacyPatchBody,
        response: { 200: Privacy, ...errorResponses(400, 401, 422, 429) },
      },
    },
    async (request) => {
      const privacy = await settings.updatePrivacy(principalOf(request).userId, privacyPatch(request.body));
      return { ...toPrivacyFields(privacy), updated_at: privacy.updatedAt.toISOString() };
    },
  );

  app.get(
    '/api/v1/settings/appearance',
    { schema: { operationId: 'getAppearanceSettings', tags, summary: 'Appearance settings', response: { 200: Appearance, ...errorResponses(401, 429) } } },
    async (request) => {
      const appearance = await settings.getAppearance(principalOf(request).userId);
      return { ...toAppearanceFields(appearance), updated_at: appearance.updatedAt.toISOString() };
    },
  );

  app.put(
    '/api/v1/settings/appearance',
    {
      schema: {
        operationId: 'updateAppearanceSettings',
        tags,
        summary: 'Update appearance settings (partial): theme_mode, accent_color #RRGGBB, font_size_multiplier 0.8–2.0',
        body: AppearancePatchBody,
        response: { 200: Appearance, ...errorResponses(400, 401, 422, 429) },
      },
    },
    async (request) => {
      const appearance = await settings.updateAppearance(principalOf(request).userId, appearancePatch(request.body));
      return { ...toAppearanceFields(appearance), updated_at: appearance.updatedAt.toISOString() };
    },
  );
}
