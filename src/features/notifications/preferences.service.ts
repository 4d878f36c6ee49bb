import type { Clock } from '../../infra/clock/clock.js';
import type { Database } from '../../infra/db/database.js';
import { PreferencesRepo, type PreferenceFlags } from './preferences.repo.js';

export interface NotificationPreferences extends PreferenceFlags {
  updatedAt: Date | null;
}

/** The plan's defaults (3.6): everything on except email. */
export const DEFAULT_PREFERENCES: PreferenceFlags = {
  pushEnabled: true,
  emailEnabled: false,
  goalReminders: true,
  friendRequests: true,
  messages: true,
  achievements: true,
  postLikes: true,
  postComments: true,
  goalUpdates: true,
};

/** Which notifications a user wants; the only writer of `notification_preferences`. */
export class NotificationPreferencesService {
  private readonly repo: PreferencesRepo;

  constructor(
    database: Database,
    private readonly clock: Clock,
  ) {
    this.repo = new PreferencesRepo(database.db);
  }

  async get(userId: string): Promise<NotificationPreferences> {
    const row = await this.repo.find(userId);
    if (!row) return { ...DEFAULT_PREFERENCES, updatedAt: null };
    const { id: _id, userId: _user, updatedAt, ...flags } = row;
    return { ...flags, updatedAt };
  }

  async update(userId: string, flags: Partial<PreferenceFlags>): Promise<NotificationPreferences> {
    const { id: _id, userId: _user, updatedAt, ...rest } = await this.repo.upsert(userId, flags, this.clock.now());
    return { ...rest, updatedAt };
  }

  /** Creates the defaults row for a new account. */
  async ensureDefaults(userId: string): Promise<void> {
    await this.repo.ensure(userId);
  }
}
