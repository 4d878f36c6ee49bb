import { and, count, desc, eq, getTableColumns, sql, type SQL } from 'drizzle-orm';
import type { Db } from '../../infra/db/database.js';
import { queryRows } from '../../infra/db/rows.js';
import type { Page } from '../../lib/page.js';
import { accountActive, activeAccountRow, areFriends, blockedEitherWay } from '../privacy/privacy.sql.js';
import type { UserCard } from '../users/user-card.js';
import { users } from '../users/users.tables.js';
import type { GoalRoleFacts } from './goals.policy.js';
import type { GoalStatusFilter, GoalTypeFilter, ParticipantRole } from './goals.vocabulary.js';
import { goalParticipants, goals, type GoalRow } from './goals.tables.js';
import { GOAL_ID, goalVisibleTo, isActiveParticipant } from '../privacy/goal-visibility.sql.js';

export interface GoalWithAccess {
  goal: GoalRow;
  /** What the use cases' rules (mayEditGoal, mayContribute, ...) need about the viewer. */
  facts: GoalRoleFacts;
  /** `goalVisibleTo` (privacy/goal-visibility.sql.ts), decided in the statement that loads the goal. */
  visible: boolean;
}

export interface GoalListFilter {
  status: GoalStatusFilter;
  type: GoalTypeFilter;
  category?: string;
}

export interface GoalListRow extends GoalRow {
  participantsCount: number;
}

export interface ParticipantCardRow {
  userId: string;
  username: string;
  fullName: string;
  profileImageUrl: string | null;
  role: ParticipantRole;
  contributionAmount: string;
  joinedAt: Date;
}

export interface PreviewRow {
  goalId: string;
  userId: string;
  profileImageUrl: string | null;
}

/**
 * Read models of the goals feature: goals with the viewer's role and visibility, lists, cards of
 * participants. They join `users` and the social-graph tables (reads only; DESIGN.md §3 allows read
 * models to join across features).
 */
export class GoalReadsRepo {
  constructor(private readonly db: Db) {}

  /** The goal, the viewer's role in it, and whether the viewer may see it (`goalVisibleTo`), in one statement. */
  async findWithAccess(viewerId: string, goalId: string): Promise<GoalWithAccess | undefined> {
    const [row] = await this.db
      .select({
        goal: goals,
        myRole: sql<ParticipantRole | null>`(select gp.role from goal_participants gp
          where gp.goal_id = ${GOAL_ID} and gp.user_id = ${viewerId} and gp.left_at is null)`,
        visible: sql<boolean>`${goalVisibleTo(viewerId)}`,
      })
      .from(goals)
      .where(eq(goals.id, goalId))
      .limit(1);
    if (!row) return undefined;
    return {
      goal: row.goal,
      facts: {
        isCreator: row.goal.creatorId === viewerId,
        myRole: row.myRole ?? null,
        status: row.goal.status,
      },
      visible: row.visible === true,
    };
  }

  /**
   * A page of the goals `ownerId` takes part in (created or participating, not left), newest first;
   * when `viewerId` is someone else, only those the viewer may see. Two statements: page and count.
   */
  async listParticipating(
    ownerId: string,
    viewerId: string,
    filter: GoalListFilter,
    limit: number,
    offset: number,
  ): Promise<Page<GoalListRow>> {
    const conditions: Array<SQL | undefined> = [
      isActiveParticipant(ownerId),
      filter.status === 'all' ? undefined : eq(goals.status, filter.status),
      filter.type === 'all' ? undefined : eq(goals.goalType, filter.type),
      filter.category !== undefined ? eq(goals.category, filter.category) : undefined,
      viewerId === ownerId ? undefined : goalVisibleTo(viewerId),
    ];
    const where = and(...conditions);
    const rows = await this.db
      .select({
        ...getTableColumns(goals),
        participantsCount: sql<number>`(select count(*) from goal_participants pc
          where pc.goal_id = ${GOAL_ID} and pc.left_at is null)`.mapWith(Number),
      })
      .from(goals)
      .where(where)
      .orderBy(desc(goals.createdAt), desc(goals.id))
      .limit(limit)
      .offset(offset);
    const [total] = await this.db.select({ n: count() }).from(goals).where(where);
    return { items: rows, total: Number(total?.n ?? 0) };
  }

  /** Up to `perGoal` active participants of each goal (creator first), one statement for the page. */
  async previews(goalIds: string[], viewerId: string, perGoal: number): Promise<PreviewRow[]> {
    if (goalIds.length === 0) return [];
    const rows = await queryRows<{ goal_id: string; user_id: string; profile_image_url: string | null }>(
      this.db,
      sql`select p.goal_id, p.user_id, p.profile_image_url from (
        select gp.goal_id, gp.user_id, u.profile_image_url,
          row_number() over (partition by gp.goal_id
            order by (gp.role = 'creator') desc, gp.joined_at, gp.user_id) as rn
        from goal_participants gp join users u on u.id = gp.user_id
        where gp.goal_id in (${sql.join(goalIds.map((id) => sql`${id}`), sql`, `)}) and gp.left_at is null
          and not ${blockedEitherWay(viewerId, sql`gp.user_id`)}
      ) p where p.rn <= ${perGoal} order by p.goal_id, p.rn`,
    );
    return rows.map((r) => ({ goalId: r.goal_id, userId: r.user_id, profileImageUrl: r.profile_image_url }));
  }

  /** The active participants of a goal with their cards, creator first; users blocked with the viewer are left out. */
  async participantCards(goalId: string, viewerId: string, onlyUserId?: string): Promise<ParticipantCardRow[]> {
    const rows = await this.db
      .select({
        userId: goalParticipants.userId,
        username: users.username,
        fullName: users.fullName,
        profileImageUrl: users.profileImageUrl,
        role: goalParticipants.role,
        contributionAmount: goalParticipants.contributionAmount,
        joinedAt: goalParticipants.joinedAt,
      })
      .from(goalParticipants)
      .innerJoin(users, eq(users.id, goalParticipants.userId))
      .where(
        and(
          eq(goalParticipants.goalId, goalId),
          sql`${goalParticipants.leftAt} is null`,
          onlyUserId ? eq(goalParticipants.userId, onlyUserId) : undefined,
          sql`not ${blockedEitherWay(viewerId, goalParticipants.userId)}`,
        ),
      )
      .orderBy(sql`(${goalParticipants.role} = 'creator') desc`, goalParticipants.joinedAt, goalParticipants.userId);
    return rows;
  }

  /** The ids of the goal's active participants (for event payloads). */
  async activeParticipantIds(goalId: string): Promise<string[]> {
    const rows = await this.db
      .select({ userId: goalParticipants.userId })
      .from(goalParticipants)
      .where(and(eq(goalParticipants.goalId, goalId), sql`${goalParticipants.leftAt} is null`))
      .orderBy(goalParticipants.joinedAt, goalParticipants.userId);
    return rows.map((r) => r.userId);
  }

  /** A user's card and time zone; undefined for an unknown, deleted or deactivated account. */
  async userCard(userId: string): Promise<(UserCard & { timezone: string }) | undefined> {
    const [row] = await this.db
      .select({
        id: users.id,
        username: users.username,
        fullName: users.fullName,
        profileImageUrl: users.profileImageUrl,
        timezone: users.timezone,
      })
      .from(users)
      .where(and(eq(users.id, userId), activeAccountRow('users')))
      .limit(1);
    return row;
  }

  /** Whether the two users are blocked either way. */
  async blockedEitherWay(viewerId: string, otherId: string): Promise<boolean> {
    const [row] = await queryRows<{ blocked: boolean }>(
      this.db,
      sql`select ${blockedEitherWay(viewerId, sql`${otherId}::uuid`)} as blocked`,
    );
    return row?.blocked === true;
  }

  /** Of `userIds`, those blocked either way with the viewer (one statement; empty input, no query). */
  async blockedAmong(viewerId: string, userIds: readonly string[]): Promise<Set<string>> {
    const unique = [...new Set(userIds)].filter((id) => id !== viewerId);
    if (unique.length === 0) return new Set();
    const rows = await queryRows<{ id: string }>(
      this.db,
      sql`select c.id::text as id from (values ${sql.join(unique.map((id) => sql`(${id}::uuid)`), sql`, `)}) as c(id)
        where ${blockedEitherWay(viewerId, sql`c.id`)}`,
    );
    return new Set(rows.map((r) => r.id));
  }

  /**
   * Of `candidateIds`, those that may not join `creatorId`'s goal: not a friend of the creator,
   * blocked either way, or no such active account.
   */
  async notJoinable(creatorId: string, candidateIds: string[]): Promise<string[]> {
    if (candidateIds.length === 0) return [];
    const rows = await queryRows<{ id: string }>(
      this.db,
      sql`select c.id::text as id from (values ${sql.join(candidateIds.map((id) => sql`(${id}::uuid)`), sql`, `)}) as c(id)
        where not (${areFriends(creatorId, sql`c.id`)})
          or ${blockedEitherWay(creatorId, sql`c.id`)}
          or not ${accountActive(sql`c.id`)}`,
    );
    return rows.map((r) => r.id);
  }
}
