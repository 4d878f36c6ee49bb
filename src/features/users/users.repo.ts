import { and, desc, eq, sql } from 'drizzle-orm';
import type { Db } from '../../infra/db/database.js';
import { queryRows } from '../../infra/db/rows.js';
import { goalAliased, goalVisibleTo } from '../privacy/goal-visibility.sql.js';
import { postVisibleTo } from '../privacy/post-visibility.sql.js';
import { activeAccountRow, friendIdsOf, friendRequestAllowed, maySeeFullProfile, maySeeUser } from '../privacy/privacy.sql.js';
import { passwordHistory, users, type NewUserRow, type UserRow } from './users.tables.js';

export type UserUpdate = Partial<
  Pick<
    NewUserRow,
    | 'fullName'
    | 'username'
    | 'bio'
    | 'email'
    | 'emailVerified'
    | 'timezone'
    | 'profileImageUrl'
    | 'coverImageUrl'
    | 'profileVisibility'
    | 'onlineStatusVisible'
    | 'appearInSuggestions'
  >
>;

export interface UserStatsRow {
  goalsAchieved: number;
  photosShared: number;
  friendsCount: number;
  activeGoals: number;
}

/** Every SQL statement on `users` and `password_history`. */
export class UsersRepo {
  constructor(private readonly db: Db) {}

  async findById(id: string): Promise<UserRow | undefined> {
    const [row] = await this.db.select().from(users).where(eq(users.id, id)).limit(1);
    return row;
  }

  /** The account when it is active (privacy.sql.ts `activeAccountRow`: not deactivated, not deleted). */
  async findActiveById(id: string): Promise<UserRow | undefined> {
    const [row] = await this.db.select().from(users).where(and(eq(users.id, id), activeAccountRow('users'))).limit(1);
    return row;
  }

  /**
   * The account `userId` as `viewerId` may see it, with the privacy answers selected in the same
   * statement (privacy.sql.ts): undefined unless the viewer may see the user at all (`maySeeUser`:
   * an active account, no block either way); `full` is `maySeeFullProfile`, `canSendFriendRequest`
   * is `friendRequestAllowed` (a read of friendships, blocked_users, user_settings and partnerships).
   */
  async findVisibleProfile(
    viewerId: string,
    userId: string,
  ): Promise<{ user: UserRow; full: boolean; canSendFriendRequest: boolean } | undefined> {
    const viewer = sql`${viewerId}::uuid`;
    const target = sql`${userId}::uuid`;
    const [row] = await this.db
      .select({
        user: users,
        full: maySeeFullProfile(viewer, target),
        canSendFriendRequest: friendRequestAllowed(viewer, target),
      })
      .from(users)
      .where(and(eq(users.id, userId), maySeeUser(viewer, target)))
      .limit(1);
    return row && { user: row.user, full: row.full === true, canSendFriendRequest: row.canSendFriendRequest === true };
  }

  async findByEmail(email: string): Promise<UserRow | undefined> {
    const [row] = await this.db
      .select()
      .from(users)
      .where(sql`lower(${users.email}) = ${email.toLowerCase()}`)
      .limit(1);
    return row;
  }

  async usernameExists(username: string, exceptUserId?: string): Promise<boolean> {
    const [row] = await this.db
      .select({ id: users.id })
      .from(users)
      .where(
        and(
          sql`lower(${users.username}) = ${username.toLowerCase()}`,
          exceptUserId ? sql`${users.id} <> ${exceptUserId}` : undefined,
        ),
      )
      .limit(1);
    return row !== undefined;
  }

  async insert(values: NewUserRow): Promise<UserRow> {
    const [row] = await this.db.insert(users).values(values).returning();
    if (!row) throw new Error('insert into users returned no row');
    return row;
  }

  async update(id: string, values: UserUpdate, now: Date): Promise<UserRow | undefined> {
    const [row] = await this.db
      .update(users)
      .set({ ...values, updatedAt: now })
      .where(eq(users.id, id))
      .returning();
    return row;
  }

  async setPasswordHash(id: string, passwordHash: string, now: Date): Promise<void> {
    await this.db.update(users).set({ passwordHash, updatedAt: now }).where(eq(users.id, id));
  }

  async bumpTokenVersion(id: string): Promise<void> {
    await this.db
      .update(users)
      .set({ tokenVersion: sql`${users.tokenVersion} + 1` })
      .where(eq(users.id, id));
  }

  async touchLastSeen(id: string, at: Date): Promise<void> {
    await this.db.update(users).set({ lastSeenAt: at }).where(eq(users.id, id));
  }

  async deactivate(id: string, at: Date): Promise<void> {
    await this.db
      .update(users)
      .set({ isActive: false, deactivatedAt: at, updatedAt: at })
      .where(eq(users.id, id));
  }

  async addPasswordHistory(userId: string, passwordHash: string, at: Date): Promise<void> {
    await this.db.insert(passwordHistory).values({ userId, passwordHash, createdAt: at });
  }

  async recentPasswordHashes(userId: string, count: number): Promise<string[]> {
    const rows = await this.db
      .select({ hash: passwordHistory.passwordHash })
      .from(passwordHistory)
      .where(eq(passwordHistory.userId, userId))
      .orderBy(desc(passwordHistory.createdAt), desc(passwordHistory.id))
      .limit(count);
    return rows.map((r) => r.hash);
  }

  /**
   * Profile statistics as `viewerId` may see them. A read model: it counts rows of the friends,
   * goals and posts features' tables in one statement (DESIGN.md §3 allows read models to join),
   * under their visibility rules (privacy/goal-visibility.sql.ts, privacy/post-visibility.sql.ts). The stored
   * goals_achieved and photos_shared are the owner's figures; other viewers get them less the
   * completed goals and photo posts they may not see.
   */
  async stats(userId: string, viewerId: string): Promise<UserStatsRow | undefined> {
    const goal = goalAliased('g');
    const [row] = await queryRows<{
      goals_achieved: number;
      photos_shared: number;
      friends_count: string | number;
      active_goals: string | number;
    }>(this.db, sql`
      select
        greatest(0, u.goals_achieved - (select count(*) from goal_participants gp join goals g on g.id = gp.goal_id
          where u.id <> ${viewerId} and gp.user_id = u.id and g.status = 'completed'
            and (gp.left_at is null or gp.left_at > g.completed_at) and not ${goalVisibleTo(viewerId, goal)})) as goals_achieved,
        greatest(0, u.photos_shared - (select count(*) from posts p
          where u.id <> ${viewerId} and p.user_id = u.id and p.post_type = 'photo' and not ${postVisibleTo(viewerId, 'p')})) as photos_shared,
        (select count(*) from ${friendIdsOf(sql`u.id`)} as friend(id)) as friends_count,
        (select count(*) from goal_participants gp join goals g on g.id = gp.goal_id
          where gp.user_id = u.id and gp.left_at is null and g.status = 'active' and ${goalVisibleTo(viewerId, goal)}) as active_goals
      from users u where u.id = ${userId}`);
    if (!row) return undefined;
    return {
      goalsAchieved: Number(row.goals_achieved),
      photosShared: Number(row.photos_shared),
      friendsCount: Number(row.friends_count),
      activeGoals: Number(row.active_goals),
    };
  }
}
