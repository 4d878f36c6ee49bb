import type { Clock } from '../../infra/clock/clock.js';
import type { Database } from '../../infra/db/database.js';
import type { Page } from '../../lib/page.js';
import type { MediaLinks } from '../media/media.links.js';
import { ContributionsRepo, type ContributionItemRow } from './contributions.repo.js';
import { GoalAccess } from './goals.access.js';
import { userNotFound } from '../users/users.errors.js';
import {
  GoalReadsRepo,
  type GoalListFilter,
  type GoalListRow,
  type ParticipantCardRow,
  type PreviewRow,
} from './goals.reads.repo.js';
import { localDate } from './goals.rules.js';
import type { ParticipantRole } from './goals.vocabulary.js';
import type { GoalMilestoneRow, GoalRow } from './goals.tables.js';
import { MilestonesRepo } from './milestones.repo.js';

export const RECENT_CONTRIBUTIONS = 10;
export const PREVIEW_PARTICIPANTS = 5;

/** The full goal as the caller sees it (GET /goals/:goalId and every command's answer). */
export interface GoalDetails {
  goal: GoalRow;
  myRole: ParticipantRole | null;
  daysRemaining: number | null;
  participants: ParticipantCardRow[];
  milestones: GoalMilestoneRow[];
  recentContributions: ContributionItemRow[];
}

export interface GoalListItem extends GoalListRow {
  daysRemaining: number | null;
  preview: PreviewRow[];
}

/**
 * Days from `today` to `targetDate` (both YYYY-MM-DD in the caller's time zone); 0 once the date
 * has passed (an overdue goal has no days left, rather than a negative count); null without a date.
 */
export function daysRemaining(targetDate: string | null, today: string): number | null {
  if (targetDate === null) return null;
  const days = (Date.parse(`${targetDate}T00:00:00Z`) - Date.parse(`${today}T00:00:00Z`)) / 86_400_000;
  return Math.max(0, Math.round(days));
}

/**
 * Reading goals: one goal in full, the caller's goals, another user's goals the caller may see.
 * Goal images come back as signed URLs (goal images are private media, docs/media.md).
 */
export class GoalReadsService {
  private readonly queries: GoalReadsRepo;
  private readonly milestones: MilestonesRepo;
  private readonly contributions: ContributionsRepo;
  private readonly access: GoalAccess;

  constructor(
    database: Database,
    private readonly clock: Clock,
    private readonly mediaLinks: MediaLinks,
  ) {
    this.queries = new GoalReadsRepo(database.db);
    this.milestones = new MilestonesRepo(database.db);
    this.contributions = new ContributionsRepo(database.db);
    this.access = new GoalAccess(this.queries);
  }

  /** The full goal if the viewer may see it (404 otherwise). */
  async details(viewerId: string, goalId: string): Promise<GoalDetails> {
    const { goal, facts } = await this.access.visible(viewerId, goalId);
    const [participants, milestones, recentContributions, today] = await Promise.all([
      this.queries.participantCards(goalId, viewerId),
      this.milestones.list(goalId),
      this.contributions.recent(goalId, viewerId, RECENT_CONTRIBUTIONS),
      this.todayOf(viewerId),
    ]);
    return {
      goal: await this.mediaLinks.resolve(goal, ['imageUrl']),
      myRole: facts.myRole,
      daysRemaining: daysRemaining(goal.targetDate, today),
      participants,
      milestones: await this.withoutBlockedCredit(viewerId, milestones),
      recentContributions,
    };
  }

  /**
   * Milestones as `viewerId` sees them: who reached one is not shown (`achieved_by` null) when that
   * user and the viewer are blocked either way; the milestone itself stays achieved.
   */
  async withoutBlockedCredit(viewerId: string, milestones: GoalMilestoneRow[]): Promise<GoalMilestoneRow[]> {
    const blocked = await this.queries.blockedAmong(
      viewerId,
      milestones.flatMap((m) => (m.achievedBy ? [m.achievedBy] : [])),
    );
    return blocked.size === 0 ? milestones : milestones.map((m) => (m.achievedBy && blocked.has(m.achievedBy) ? { ...m, achievedBy: null } : m));
  }

  /** The caller's goals (created or participating, not left), newest first. */
  async listMine(userId: string, filter: GoalListFilter, page: number, limit: number): Promise<Page<GoalListItem>> {
    return this.listPage(userId, userId, filter, page, limit);
  }

  /** The goals `ownerId` takes part in that the viewer may see; blocked either way or unknown → 404. */
  async listOfUser(viewerId: string, ownerId: string, filter: GoalListFilter, page: number, limit: number): Promise<Page<GoalListItem>> {
    if (viewerId !== ownerId) {
      const [owner, blocked] = await Promise.all([this.queries.userCard(ownerId), this.queries.blockedEitherWay(viewerId, ownerId)]);
      if (!owner || blocked) throw userNotFound();
    }
    return this.listPage(ownerId, viewerId, filter, page, limit);
  }

  /** Four statements whatever the page size: page, count, participant previews, the viewer's time zone. */
  private async listPage(ownerId: string, viewerId: string, filter: GoalListFilter, page: number, limit: number): Promise<Page<GoalListItem>> {
    const listed = await this.queries.listParticipating(ownerId, viewerId, filter, limit, (page - 1) * limit);
    const { total } = listed;
    const [rows, previews, today] = await Promise.all([
      this.mediaLinks.resolveAll(listed.items, ['imageUrl']),
      this.queries.previews(
        listed.items.map((r) => r.id),
        viewerId,
        PREVIEW_PARTICIPANTS,
      ),
      this.todayOf(viewerId),
    ]);
    const byGoal = new Map<string, PreviewRow[]>();
    for (const p of previews) byGoal.set(p.goalId, [...(byGoal.get(p.goalId) ?? []), p]);
    return {
      items: rows.map((r) => ({ ...r, daysRemaining: daysRemaining(r.targetDate, today), preview: byGoal.get(r.id) ?? [] })),
      total,
    };
  }

  private async todayOf(userId: string): Promise<string> {
    const card = await this.queries.userCard(userId);
    return localDate(this.clock.now(), card?.timezone ?? 'UTC');
  }
}
