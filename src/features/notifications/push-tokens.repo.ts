import { and, eq, ne } from 'drizzle-orm';
import type { Db } from '../../infra/db/database.js';
import { pushTokens, type PushTokenRow } from './notifications.tables.js';
import type { DeviceType } from './notifications.vocabulary.js';

/** Every SQL statement on `push_tokens` made for the token routes. */
export class PushTokensRepo {
  constructor(private readonly db: Db) {}

  /**
   * Registers a device token for the user. A token is unique across accounts: registering one that
   * exists moves it to this user and reactivates it (the device changed hands or logged in again).
   */
  async upsert(userId: string, token: string, deviceType: DeviceType, deviceId: string | null, now: Date): Promise<PushTokenRow> {
    const [row] = await this.db
      .insert(pushTokens)
      .values({ userId, token, deviceType, deviceId, isActive: true, createdAt: now, updatedAt: now })
      .onConflictDoUpdate({
        target: pushTokens.token,
        set: { userId, deviceType, deviceId, isActive: true, updatedAt: now },
      })
      .returning();
    if (!row) throw new Error('upsert into push_tokens returned no row');
    return row;
  }

  /** A device has one live token per account: older tokens of the same device id stop receiving. */
  async deactivateOtherTokensOfDevice(userId: string, deviceId: string, keepId: string, now: Date): Promise<void> {
    await this.db
      .update(pushTokens)
      .set({ isActive: false, updatedAt: now })
      .where(and(eq(pushTokens.userId, userId), eq(pushTokens.deviceId, deviceId), ne(pushTokens.id, keepId), eq(pushTokens.isActive, true)));
  }

  async delete(userId: string, id: string): Promise<boolean> {
    const rows = await this.db
      .delete(pushTokens)
      .where(and(eq(pushTokens.id, id), eq(pushTokens.userId, userId)))
      .returning({ id: pushTokens.id });
    return rows.length > 0;
  }
}
