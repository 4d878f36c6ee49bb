import { eq } from 'drizzle-orm';
import type { Db } from '../../infra/db/database.js';
import { notificationPreferences, type NotificationPreferencesRow } from './notifications.tables.js';

export type PreferenceFlags = Omit<NotificationPreferencesRow, 'id' | 'userId' | 'updatedAt'>;

/** Every SQL statement on `notification_preferences`. */
export class PreferencesRepo {
  constructor(private readonly db: Db) {}

  async find(userId: string): Promise<NotificationPreferencesRow | undefined> {
    const [row] = await this.db.select().from(notificationPreferences).where(eq(notificationPreferences.userId, userId)).limit(1);
    return row;
  }

  /** Creates the row with the plan's defaults if it does not exist yet. */
  async ensure(userId: string): Promise<void> {
    await this.db.insert(notificationPreferences).values({ userId }).onConflictDoNothing({ target: notificationPreferences.userId });
  }

  async upsert(userId: string, flags: Partial<PreferenceFlags>, now: Date): Promise<NotificationPreferencesRow> {
    const [row] = await this.db
      .insert(notificationPreferences)
      .values({ userId, ...flags, updatedAt: now })
      .onConflictDoUpdate({ target: notificationPreferences.userId, set: { ...flags, updatedAt: now } })
      .returning();
    if (!row) throw new Error('upsert into notification_preferences returned no row');
    return row;
  }
}
