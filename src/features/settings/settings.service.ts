import type { Clock } from '../../infra/clock/clock.js';
import { inTransaction, type Database } from '../../infra/db/database.js';
import type { EventBus } from '../../infra/bus/event-bus.js';
import type { NotificationPreferences, NotificationPreferencesService } from '../notifications/preferences.service.js';
import type { PreferenceFlags } from '../notifications/preferences.repo.js';
import type { FriendRequestAudience, MessageAudience, ProfileVisibility } from '../privacy/privacy.vocabulary.js';
import type { UsersService } from '../users/users.service.js';
import { SettingsRepo } from './settings.repo.js';
import type { UserSettingsRow } from './settings.tables.js';
import type { ThemeMode } from './settings.vocabulary.js';
import './settings.events.js';

export interface PrivacySettings {
  profileVisibility: ProfileVisibility;
  onlineStatusVisible: boolean;
  appearInSuggestions: boolean;
  whoCanSendFriendRequests: FriendRequestAudience;
  whoCanSendMessages: MessageAudience;
  shareActivityWithFriends: boolean;
  updatedAt: Date;
}

export interface AppearanceSettings {
  themeMode: ThemeMode;
  accentColor: string;
  fontSizeMultiplier: number;
  updatedAt: Date;
}

export interface AllSettings {
  privacy: PrivacySettings;
  appearance: AppearanceSettings;
  notifications: NotificationPreferences;
}

export type PrivacyPatch = Partial<Omit<PrivacySettings, 'updatedAt'>>;
export type AppearancePatch = Partial<Omit<AppearanceSettings, 'updatedAt'>>;

const DEFAULT_ROW = {
  whoCanSendFriendRequests: 'friends_of_friends',
  whoCanSendMessages: 'friends_only',
  shareActivityWithFriends: true,
  themeMode: 'system',
  accentColor: '#FF6B6B',
  fontSizeMultiplier: '1.00',
} as const;

/** Privacy and appearance settings (plan 3.7, 4.10); the only writer of `user_settings`. */
export class SettingsService {
  private readonly repo: SettingsRepo;

  constructor(
    private readonly database: Database,
    private readonly bus: EventBus,
    private readonly clock: Clock,
    private readonly users: UsersService,
    private readonly preferences: NotificationPreferencesService,
  ) {
    this.repo = new SettingsRepo(database.db);
  }

  /** Creates the plan's default rows for a new account. */
  async ensureDefaults(userId: string): Promise<void> {
    await this.repo.ensure(userId);
    await this.preferences.ensureDefaults(userId);
  }

  async getPrivacy(userId: string): Promise<PrivacySettings> {
    const [user, row] = await Promise.all([this.users.getById(userId), this.repo.find(userId)]);
    return toPrivacy(user, row);
  }

  /** Partial update; the account-level flags live on `users` and are written by the users feature. */
  async updatePrivacy(userId: string, patch: PrivacyPatch): Promise<PrivacySettings> {
    const { profileVisibility, onlineStatusVisible, appearInSuggestions, ...rest } = patch;
    const userFlags = { profileVisibility, onlineStatusVisible, appearInSuggestions };
    const definedUserFlags = Object.fromEntries(Object.entries(userFlags).filter(([, v]) => v !== undefined));
    const user =
      Object.keys(definedUserFlags).length > 0
        ? await this.users.updatePrivacyFlags(userId, definedUserFlags)
        : await this.users.getById(userId);
    const row = await inTransaction(this.database, async (tx) => {
      const upserted = await new SettingsRepo(tx).upsert(userId, rest, this.clock.now());
      await this.bus.publish(tx, 'settings.privacy_updated', { userId });
      return upserted;
    });
    return toPrivacy(user, row);
  }

  async getAppearance(userId: string): Promise<AppearanceSettings> {
    const user = await this.users.getById(userId);
    return toAppearance(await this.repo.find(userId), user.createdAt);
  }

  async updateAppearance(userId: string, patch: AppearancePatch): Promise<AppearanceSettings> {
    const user = await this.users.getById(userId);
    const row = await this.repo.upsert(
      userId,
      {
        ...(patch.themeMode !== undefined ? { themeMode: patch.themeMode } : {}),
        ...(patch.accentColor !== undefined ? { accentColor: patch.accentColor.toUpperCase() } : {}),
        ...(patch.fontSizeMultiplier !== undefined ? { fontSizeMultiplier: patch.fontSizeMultiplier.toFixed(2) } : {}),
      },
      this.clock.now(),
    );
    return toAppearance(row, user.createdAt);
  }

  async getAll(userId: string): Promise<AllSettings> {
    const [privacy, appearance, notifications] = await Promise.all([
      this.getPrivacy(userId),
      this.getAppearance(userId),
      this.preferences.get(userId),
    ]);
    return { privacy, appearance, notifications };
  }

  /** Updates any of the groups at once (PUT /settings). */
  async updateAll(
    userId: string,
    patch: { privacy?: PrivacyPatch; appearance?: AppearancePatch; notifications?: Partial<PreferenceFlags> },
  ): Promise<AllSettings> {
    if (patch.privacy) await this.updatePrivacy(userId, patch.privacy);
    if (patch.appearance) await this.updateAppearance(userId, patch.appearance);
    if (patch.notifications) await this.preferences.update(userId, patch.notifications);
    return this.getAll(userId);
  }
}

function toPrivacy(
  user: { profileVisibility: ProfileVisibility; onlineStatusVisible: boolean; appearInSuggestions: boolean; updatedAt: Date },
  row: UserSettingsRow | undefined,
): PrivacySettings {
  const s = row ?? DEFAULT_ROW;
  return {
    profileVisibility: user.profileVisibility,
    onlineStatusVisible: user.onlineStatusVisible,
    appearInSuggestions: user.appearInSuggestions,
    whoCanSendFriendRequests: s.whoCanSendFriendRequests,
    whoCanSendMessages: s.whoCanSendMessages,
    shareActivityWithFriends: s.shareActivityWithFriends,
    updatedAt: row && row.updatedAt > user.updatedAt ? row.updatedAt : user.updatedAt,
  };
}

function toAppearance(row: UserSettingsRow | undefined, accountCreatedAt: Date): AppearanceSettings {
  const s = row ?? DEFAULT_ROW;
  return {
    themeMode: s.themeMode,
    accentColor: s.accentColor,
    fontSizeMultiplier: Number(s.fontSizeMultiplier),
    updatedAt: row?.updatedAt ?? accountCreatedAt,
  };
}
