import { sql } from 'drizzle-orm';
import type { Db } from '../../infra/db/database.js';
import { queryRows } from '../../infra/db/rows.js';
import { goalVisibleTo } from '../privacy/goal-visibility.sql.js';
import { activeAccountRow, blockedEitherWay, friendIdsOf, sharesActivity } from '../privacy/privacy.sql.js';

export const GOAL_ENTRY_TYPES = ['goal_created', 'goal_contribution', 'goal_milestone', 'goal_completed'] as const;
export type GoalEntryType = (typeof GOAL_ENTRY_TYPES)[number];

/** One goal event, as the feed records it for each recipient. */
export interface GoalActivity {
  entryType: GoalEntryType;
  goalId: string;
  actorId: string;
  /** What the item shows (snake_case JSON): amount, currency, milestone title, progress, ... */
  metadata: Record<string, unknown>;
  at: Date;
}

export interface GoalFeedItem {
  id: string;
  entryType: GoalEntryType;
  metadata: Record<string, unknown>;
  createdAt: Date;
  actor: { id: string; username: string; fullName: string; profileImageUrl: string | null };
  goal: {
    id: string;
    title: string;
    category: string | null;
    goalType: string;
    progressPercentage: number;
    imageUrl: string | null;
  };
}

interface GoalFeedRow extends Record<string, unknown> {
  id: string;
  entry_type: GoalEntryType;
  metadata: Record<string, unknown> | null;
  created_at: Date | string;
  actor_id: string;
  actor_username: string;
  actor_full_name: string;
  actor_profile_image_url: string | null;
  goal_id: string;
  goal_title: string;
  goal_category: string | null;
  goal_type: string;
  goal_progress_percentage: number | string;
  goal_image_url: string | null;
}

const entryTypes = sql.join(
  GOAL_ENTRY_TYPES.map((t) => sql`${t}`),
  sql`, `,
);

/**
 * Every SQL statement on `feed_entries`. The goal feed is a read model: the fan-out and the page
 * query also read goals, goal_participants, accountability_partners, friendships, blocked_users,
 * users and user_settings (each written by its own feature).
 */
export class GoalActivityRepo {
  constructor(private readonly db: Db) {}

  /**
   * Fans one goal event out in ONE statement: an entry for the actor, and one for each friend of the
   * actor who may see the goal (`goalVisibleTo` with the recipient as a column) and is not blocked
   * with the actor — friends only when the actor shares activity with friends (`sharesActivity`). A
   * replay of the same event (same recipient, time and metadata) adds nothing. Returns the number of
   * entries written.
   */
  async insertGoalActivity(a: GoalActivity): Promise<number> {
    const actor = sql`${a.actorId}::uuid`;
    const at = sql`${a.at.toISOString()}::timestamptz`;
    const metadata = sql`${JSON.stringify(a.metadata)}::jsonb`;
    const recipient = sql.raw('r.id');
    const rows = await queryRows<{ id: string }>(
      this.db,
      sql`insert into feed_entries (user_id, source_user_id, entry_type, related_goal_id, metadata, created_at)
        select r.id, ${actor}, ${a.entryType}, goals.id, ${metadata}, ${at}
        from goals
        cross join (
          select ${actor} as id
          union
          select fr.id from ${friendIdsOf(actor)} as fr(id)
          where ${sharesActivity(actor)}
        ) r
        where goals.id = ${a.goalId}
          and (r.id = ${actor} or (not ${blockedEitherWay(recipient, actor)} and ${goalVisibleTo(recipient)}))
          and not exists (select 1 from feed_entries x
            where x.user_id = r.id and x.created_at = ${at} and x.source_user_id = ${actor}
              and x.entry_type = ${a.entryType} and x.related_goal_id = goals.id and x.metadata = ${metadata})
        returning id`,
    );
    return rows.length;
  }

  /**
   * A page of the viewer's goal activity, newest first, with actor cards and goal summaries in ONE
   * query. Visibility is checked again at read time: the goal must still be visible to the viewer
   * (made private since, a block since, a participant who left), and another actor must still be a
   * friend, not blocked either way, sharing activity, and an active account. Deleted goals and users
   * take their entries with them (FK cascades).
   */
  async goalFeedPage(viewerId: string, limit: number, offset: number): Promise<GoalFeedItem[]> {
    const rows = await queryRows<GoalFeedRow>(
      this.db,
      sql`select fe.id, fe.entry_type, fe.metadata, fe.created_at,
          a.id as actor_id, a.username as actor_username, a.full_name as actor_full_name,
          a.profile_image_url as actor_profile_image_url,
          goals.id as goal_id, goals.title as goal_title, goals.category as goal_category, goals.goal_type,
          goals.progress_percentage as goal_progress_percentage, goals.image_url as goal_image_url
        from feed_entries fe
        join goals on goals.id = fe.related_goal_id
        join users a on a.id = fe.source_user_id
        where fe.user_id = ${viewerId} and fe.entry_type in (${entryTypes})
          and ${goalVisibleTo(viewerId)}
          and (fe.source_user_id = ${viewerId} or (
            ${activeAccountRow('a')}
            and not ${blockedEitherWay(viewerId, sql.raw('fe.source_user_id'))}
            and fe.source_user_id in ${friendIdsOf(viewerId)}
            and ${sharesActivity(sql.raw('fe.source_user_id'))}))
        order by fe.created_at desc, fe.id desc
        limit ${limit} offset ${offset}`,
    );
    return rows.map((r) => ({
      id: r.id,
      entryType: r.entry_type,
      metadata: r.metadata ?? {},
      createdAt: new Date(r.created_at),
      actor: { id: r.actor_id, username: r.actor_username, fullName: r.actor_full_name, profileImageUrl: r.actor_profile_image_url },
      goal: {
        id: r.goal_id,
        title: r.goal_title,
        category: r.goal_category,
        goalType: r.goal_type,
        progressPercentage: Number(r.goal_progress_percentage),
        imageUrl: r.goal_image_url,
      },
    }));
  }
}
