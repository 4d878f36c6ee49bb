import type { Clock } from '../../infra/clock/clock.js';
import { inTransaction, type Database } from '../../infra/db/database.js';
import { claimReceipt, type EventReceipt } from '../../infra/db/event-receipts.js';
import type { OpenPage } from '../../lib/page.js';
import { timeAgo } from '../../lib/time-ago.js';
import type { MediaLinks } from '../media/media.links.js';
import { GoalActivityRepo, type GoalActivity, type GoalFeedItem } from './goal-activity.repo.js';

export type GoalFeedPage = OpenPage<GoalFeedItem & { timeAgo: string }>;

/** The friends feed's goal activity: the only writer of `feed_entries` rows of the goal_* types. */
export class GoalActivityService {
  private readonly repo: GoalActivityRepo;

  constructor(
    private readonly database: Database,
    private readonly clock: Clock,
    private readonly mediaLinks: MediaLinks,
  ) {
    this.repo = new GoalActivityRepo(database.db);
  }

  /**
   * Records a goal event in the feeds of the actor and of the friends allowed to see it (one
   * statement); with `receipt` (an event's handler) once per event: the entries commit with the
   * receipt, and a retried job finds it and writes none (returns 0).
   */
  async recordGoalActivity(activity: GoalActivity, receipt?: EventReceipt): Promise<number> {
    if (!receipt) return this.repo.insertGoalActivity(activity);
    return inTransaction(this.database, async (tx) =>
      (await claimReceipt(tx, receipt)) ? new GoalActivityRepo(tx).insertGoalActivity(activity) : 0,
    );
  }

  /** The caller's goal activity feed, newest first; `hasMore` when a further page exists. Goal images are signed URLs. */
  async listGoalFeed(viewerId: string, page: number, limit: number): Promise<GoalFeedPage> {
    const rows = await this.repo.goalFeedPage(viewerId, limit + 1, (page - 1) * limit);
    const now = this.clock.now();
    const items = await Promise.all(
      rows.slice(0, limit).map(async (r) => ({ ...r, goal: await this.mediaLinks.resolve(r.goal, ['imageUrl']) })),
    );
    return {
      items: items.map((r) => ({ ...r, timeAgo: timeAgo(r.createdAt, now) })),
      hasMore: rows.length > limit,
    };
  }
}
