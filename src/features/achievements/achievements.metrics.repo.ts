import { sql, type SQL } from 'drizzle-orm';
import type { Db } from '../../infra/db/database.js';
import { queryRows } from '../../infra/db/rows.js';
import { friendIdsOf } from '../privacy/privacy.sql.js';
import { measureKey, type ActivityMetric, type Measure, type Metric } from './achievements.criteria.js';

/**
 * The metrics achievements are judged on, computed from current database state (a read model over
 * goal_participants, goals, goal_contributions, goal_milestones, users, friendships and posts — tables
 * other features write; this repo only reads them). Computing from state rather than counting events
 * makes evaluation idempotent: replaying an event or evaluating twice gives the same answer.
 */

/** Each metric's value for user `u`, as one scalar subquery. */
const VALUE: Record<Metric, (u: SQL) => SQL> = {
  goals_joined: (u) => sql`(select count(*) from goal_participants gp where gp.user_id = ${u})`,
  goals_created: (u) => sql`(select count(*) from goals g where g.creator_id = ${u})`,
  contributions: (u) => sql`(select count(*) from goal_contributions c where c.user_id = ${u})`,
  amount_contributed: (u) => sql`(select coalesce(sum(c.amount), 0) from goal_contributions c where c.user_id = ${u})`,
  milestones_achieved: (u) => sql`(select count(*) from goal_milestones m where m.achieved and m.achieved_by = ${u})`,
  // The counter the goals feature credits exactly once per completed goal to each active participant.
  goals_achieved: (u) => sql`(select au.goals_achieved from users au where au.id = ${u})`,
  group_goals_completed: (u) => sql`(select count(*) from goal_participants gp join goals g on g.id = gp.goal_id
    where gp.user_id = ${u} and gp.left_at is null and g.goal_type = 'group' and g.status = 'completed')`,
  friends: (u) => sql`(select count(*) from ${friendIdsOf(u)} as friend(id))`,
  posts: (u) => sql`(select count(*) from posts p where p.user_id = ${u})`,
};

/** The instants of each activity metric's acts for user `u`, as a subquery with one column `at`. */
const ACTIVITY: Record<ActivityMetric, (u: SQL) => SQL> = {
  goals_joined: (u) => sql`select gp.joined_at as at from goal_participants gp where gp.user_id = ${u}`,
  goals_created: (u) => sql`select g.created_at as at from goals g where g.creator_id = ${u}`,
  contributions: (u) => sql`select c.created_at as at from goal_contributions c where c.user_id = ${u}`,
  posts: (u) => sql`select p.created_at as at from posts p where p.user_id = ${u}`,
};

/**
 * The longest run of consecutive calendar days (in the user's own time zone) with at least one act:
 * distinct local dates, minus their rank, are constant along a run (gaps and islands).
 */
function longestDailyStreak(metric: ActivityMetric, u: SQL): SQL {
  return sql`(select coalesce(max(runs.len), 0) from (
    select count(*) as len from (
      select days.day - (row_number() over (order by days.day))::int as island from (
        select distinct (acts.at at time zone (select tu.timezone from users tu where tu.id = ${u}))::date as day
        from (${ACTIVITY[metric](u)}) acts
      ) days
    ) numbered group by numbered.island
  ) runs)`;
}

export class AchievementMetricsRepo {
  constructor(private readonly db: Db) {}

  /** The requested measures for one user, in one statement; keyed by `measureKey`. */
  async measure(userId: string, measures: Measure[]): Promise<Map<string, number>> {
    const out = new Map<string, number>();
    if (measures.length === 0) return out;
    const u = sql`${userId}::uuid`;
    const columns = measures.map((m, i) => {
      const expr = m.kind === 'streak' ? longestDailyStreak(m.metric, u) : VALUE[m.metric](u);
      return sql`(${expr})::float8 as ${sql.identifier(`m${i}`)}`;
    });
    const [row] = await queryRows<Record<string, number | null>>(this.db, sql`select ${sql.join(columns, sql`, `)}`);
    measures.forEach((m, i) => out.set(measureKey(m), Number(row?.[`m${i}`] ?? 0)));
    return out;
  }
}
