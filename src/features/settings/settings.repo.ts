import { and, count, desc, eq } from 'drizzle-orm';
import type { Db } from '../../infra/db/database.js';
import type { Page } from '../../lib/page.js';
import { users } from '../users/users.tables.js';
import { blockedUsers, userSettings, type NewUserSettingsRow, type UserSettingsRow } from './settings.tables.js';

export type SettingsPatch = Partial<
  Pick<NewUserSettingsRow, 'whoCanSendFriendRequests' | 'whoCanSendMessages' | 'shareActivityWithFriends' | 'themeMode' | 'accentColor' | 'fontSizeMultiplier'>
>;

export interface BlockedUserItem {
  userId: string;
  username: string;
  fullName: string;
  profileImageUrl: string | null;
  reason: string | null;
  blockedAt: Date;
}

/** Every SQL statement on `user_settings` and `blocked_users`. */
export class SettingsRepo {
  constructor(private readonly db: Db) {}

  async find(userId: string): Promise<UserSettingsRow | undefined> {
    const [row] = await this.db.select().from(userSettings).where(eq(userSettings.userId, userId)).limit(1);
    return row;
  }

  async ensure(userId: string): Promise<void> {
    await this.db.insert(userSettings).values({ userId }).onConflictDoNothing({ target: userSettings.userId });
  }

  async upsert(userId: string, patch: SettingsPatch, now: Date): Promise<UserSettingsRow> {
    const [row] = await this.db
      .insert(userSettings)
      .values({ userId, ...patch, updatedAt: now })
      .onConflictDoUpdate({ target: userSettings.userId, set: { ...patch, updatedAt: now } })
      .returning();
    if (!row) throw new Error('upsert into user_settings returned no row');
    return row;
  }

  /** Inserts the block; false when it already existed. */
  async insertBlock(blockerId: string, blockedId: string, reason: string | null, now: Date): Promise<boolean> {
    const rows = await this.db
      .insert(blockedUsers)
      .values({ blockerId, blockedId, reason, blockedAt: now })
      .onConflictDoNothing({ target: [blockedUsers.blockerId, blockedUsers.blockedId] })
      .returning({ id: blockedUsers.id });
    return rows.length > 0;
  }

  async deleteBlock(blockerId: string, blockedId: string): Promise<boolean> {
    const rows = await this.db
      .delete(blockedUsers)
      .where(and(eq(blockedUsers.blockerId, blockerId), eq(blockedUsers.blockedId, blockedId)))
      .returning({ id: blockedUsers.id });
    return rows.length > 0;
  }

  async findBlock(blockerId: string, blockedId: string): Promise<BlockedUserItem | undefined> {
    const [row] = await this.blockSelect()
      .where(and(eq(blockedUsers.blockerId, blockerId), eq(blockedUsers.blockedId, blockedId)))
      .limit(1);
    return row;
  }

  /** The users `blockerId` blocked, newest first, with their cards (one query). */
  async listBlocks(blockerId: string, limit: number, offset: number): Promise<Page<BlockedUserItem>> {
    const items = await this.blockSelect()
      .where(eq(blockedUsers.blockerId, blockerId))
      .orderBy(desc(blockedUsers.blockedAt), desc(blockedUsers.id))
      .limit(limit)
      .offset(offset);
    const [total] = await this.db.select({ n: count() }).from(blockedUsers).where(eq(blockedUsers.blockerId, blockerId));
    return { items, total: Number(total?.n ?? 0) };
  }

  private blockSelect() {
    return this.db
      .select({
        userId: users.id,
        username: users.username,
        fullName: users.fullName,
        profileImageUrl: users.profileImageUrl,
        reason: blockedUsers.reason,
        blockedAt: blockedUsers.blockedAt,
      })
      .from(blockedUsers)
      .innerJoin(users, eq(users.id, blockedUsers.blockedId));
  }
}
