import { eq } from 'drizzle-orm';
import type { Db } from '../../infra/db/database.js';
import { friendInvites, type FriendInviteRow } from './friends.tables.js';

/** Every statement on `friend_invites`. */
export class FriendInvitesRepo {
  constructor(private readonly db: Db) {}

  async findByUser(userId: string): Promise<FriendInviteRow | undefined> {
    const [row] = await this.db.select().from(friendInvites).where(eq(friendInvites.userId, userId));
    return row;
  }

  /** Stores the user's first code; undefined when the user already has one (a concurrent first ask). */
  async insertIfAbsent(userId: string, code: string, now: Date): Promise<FriendInviteRow | undefined> {
    const [row] = await this.db
      .insert(friendInvites)
      .values({ userId, code, createdAt: now })
      .onConflictDoNothing({ target: friendInvites.userId })
      .returning();
    return row;
  }

  /** Replaces the user's code (or stores a first one): the previous code stops matching anyone. */
  async replace(userId: string, code: string, now: Date): Promise<FriendInviteRow> {
    const [row] = await this.db
      .insert(friendInvites)
      .values({ userId, code, createdAt: now })
      .onConflictDoUpdate({ target: friendInvites.userId, set: { code, createdAt: now } })
      .returning();
    if (!row) throw new Error('upsert into friend_invites returned no row');
    return row;
  }

  /** The id of the code's owner, if the code is current. */
  async ownerOf(code: string): Promise<string | undefined> {
    const [row] = await this.db
      .select({ userId: friendInvites.userId })
      .from(friendInvites)
      .where(eq(friendInvites.code, code));
    return row?.userId;
  }
}
