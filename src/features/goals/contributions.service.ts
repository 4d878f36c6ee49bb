import type { EventBus } from '../../infra/bus/event-bus.js';
import type { Clock } from '../../infra/clock/clock.js';
import { inTransaction, type Database } from '../../infra/db/database.js';
import type { Page } from '../../lib/page.js';
import { ContributionsRepo, type ContributionItemRow } from './contributions.repo.js';
import { GoalAccess } from './goals.access.js';
import { completeIfReached } from './goals.completion.js';
import { userNotFound } from '../users/users.errors.js';
import { goalNotActive, goalNotFound, notAParticipant } from './goals.errors.js';
import { actorCard, goalSummary } from './goals.payloads.js';
import { mayContribute } from './goals.policy.js';
import { GoalReadsRepo } from './goals.reads.repo.js';
import { GoalsRepo } from './goals.repo.js';
import { contributionAmountOf } from './goals.rules.js';
import type { ContributionType } from './goals.vocabulary.js';
import type { GoalRow } from './goals.tables.js';
import { MilestonesRepo } from './milestones.repo.js';
import './goals.events.js';

export interface ContributionInput {
  /** A JSON number; optional (0) for check-ins and milestone reports. */
  amount?: number;
  note?: string;
  contributionType: ContributionType;
}

export interface ContributionResult {
  /** The new contribution with its contributor's card, as the goal's contribution list shows it. */
  contribution: ContributionItemRow;
  /** The goal after the contribution (current_amount, progress, status). */
  goal: GoalRow;
}

/**
 * Contributions: the money. The contribution row, the goal's current_amount and progress, the
 * participant's total, crossed milestones and completion change in ONE transaction, with all
 * arithmetic in SQL on NUMERIC(12,2); its events are published in that transaction too (the outbox).
 */
export class ContributionsService {
  private readonly queries: GoalReadsRepo;
  private readonly access: GoalAccess;
  private readonly contributions: ContributionsRepo;

  constructor(
    private readonly database: Database,
    private readonly bus: EventBus,
    private readonly clock: Clock,
  ) {
    this.queries = new GoalReadsRepo(database.db);
    this.access = new GoalAccess(this.queries);
    this.contributions = new ContributionsRepo(database.db);
  }

  /** Records a contribution of an active participant to an active goal. */
  async contribute(callerId: string, goalId: string, input: ContributionInput): Promise<ContributionResult> {
    const amount = contributionAmountOf(input.contributionType, input.amount);
    const note = input.note?.trim() || null;
    const { facts } = await this.access.visible(callerId, goalId);
    const decision = mayContribute(facts);
    if (decision === 'not_a_participant') throw notAParticipant();
    if (decision === 'goal_not_active') throw goalNotActive();
    const caller = await this.queries.userCard(callerId);
    if (!caller) throw userNotFound();
    const now = this.clock.now();

    const result = await inTransaction(this.database, async (tx) => {
      const goals = new GoalsRepo(tx);
      // Takes the goal's row lock: concurrent contributions to one goal queue here, none is lost.
      const added = await goals.addAmount(goalId, amount, now);
      if (!added) throw (await goals.lock(goalId)) ? goalNotActive() : goalNotFound();
      let goal = added.goal;
      const contributions = new ContributionsRepo(tx);
      if (!(await contributions.creditParticipant(goalId, callerId, amount))) throw notAParticipant();
      const contribution = await contributions.insert({
        goalId,
        userId: callerId,
        amount,
        note,
        contributionType: input.contributionType,
        createdAt: now,
      });
      const achieved = added.crossesMilestone ? await new MilestonesRepo(tx).achieveReached(goalId, callerId, now) : [];
      if (achieved.length > 0) goal = (await goals.refreshProgress(goalId)) ?? goal;
      const completed = added.reachedTarget ? await completeIfReached(tx, goalId, now) : undefined;
      if (completed) goal = completed;
      const summary = goalSummary(goal, await new GoalReadsRepo(tx).activeParticipantIds(goalId));
      const actor = actorCard(caller);
      const at = now.toISOString();
      await this.bus.publish(tx, 'goal.contribution_added', {
        goal: summary,
        actor,
        contributionId: contribution.id,
        amount: contribution.amount,
        contributionType: input.contributionType,
        currency: goal.targetCurrency,
        currentAmount: goal.currentAmount,
        progressPercentage: goal.progressPercentage,
        at,
      });
      for (const m of achieved) {
        await this.bus.publish(tx, 'goal.milestone_achieved', { goal: summary, actor, milestoneId: m.id, milestoneTitle: m.title, at });
      }
      if (completed) await this.bus.publish(tx, 'goal.completed', { goal: summary, actor, completedAt: at });
      return { contribution, goal };
    });

    const c = result.contribution;
    const contribution: ContributionItemRow = {
      id: c.id,
      goalId: c.goalId,
      userId: c.userId,
      amount: c.amount,
      note: c.note,
      contributionType: input.contributionType,
      createdAt: c.createdAt,
      username: caller.username,
      fullName: caller.fullName,
      profileImageUrl: caller.profileImageUrl,
    };
    return { contribution, goal: result.goal };
  }

  /** The goal's contributions, newest first, with contributor cards (same visibility as the goal). */
  async list(viewerId: string, goalId: string, page: number, limit: number): Promise<Page<ContributionItemRow>> {
    await this.access.visible(viewerId, goalId);
    return this.contributions.page(goalId, viewerId, limit, (page - 1) * limit);
  }
}
