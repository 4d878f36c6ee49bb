import type { EventBus } from '../../infra/bus/event-bus.js';
import type { Clock } from '../../infra/clock/clock.js';
import { inTransaction, type Database } from '../../infra/db/database.js';
import { invalidField } from '../../lib/app-error.js';
import { moneyFromNumber } from '../../lib/money.js';
import { userNotFound } from '../users/users.errors.js';
import { GoalAccess } from './goals.access.js';
import {
  goalNotActive,
  goalNotFound,
  milestoneHasTarget,
  milestoneNotFound,
  notAParticipant,
  notGoalCreator,
} from './goals.errors.js';
import { actorCard, goalSummary } from './goals.payloads.js';
import { mayContribute, mayEditGoal } from './goals.policy.js';
import { GoalReadsRepo } from './goals.reads.repo.js';
import { GoalsRepo } from './goals.repo.js';
import { normalizeDescription, normalizeTitle } from './goals.rules.js';
import type { GoalMilestoneRow } from './goals.tables.js';
import { MilestonesRepo, type MilestoneFields } from './milestones.repo.js';
import './goals.events.js';

export interface MilestoneInput {
  title: string;
  description?: string | null;
  targetValue?: number | null;
  orderIndex?: number | null;
}

export interface MilestonePatch extends Partial<MilestoneInput> {
  /** Ticks a milestone without a target_value (any active participant); achievements are never taken back. */
  achieved?: true;
}

function targetValueOf(value: number | null): string | null {
  if (value === null) return null;
  const money = moneyFromNumber(value);
  if (money === undefined || value <= 0) {
    throw invalidField('invalid_target_value', 'target_value', 'must be > 0 with at most two decimals');
  }
  return money;
}

function fieldsOf(input: Partial<MilestoneInput>): MilestoneFields {
  const fields: MilestoneFields = {};
  if (input.title !== undefined) fields.title = normalizeTitle(input.title);
  if (input.description !== undefined) fields.description = normalizeDescription(input.description);
  if (input.targetValue !== undefined) fields.targetValue = targetValueOf(input.targetValue);
  if (input.orderIndex !== undefined) fields.orderIndex = input.orderIndex;
  return fields;
}

/**
 * Milestones of a goal. A milestone with a target_value is achieved automatically, by the
 * contribution that makes current_amount reach it (achieved_by = that contributor). One created or
 * edited with a target_value the goal has already reached is achieved at once with achieved_by null
 * (nobody crossed it) and publishes no event: it records the past rather than a new achievement.
 */
export class MilestonesService {
  private readonly queries: GoalReadsRepo;
  private readonly access: GoalAccess;

  constructor(
    private readonly database: Database,
    private readonly bus: EventBus,
    private readonly clock: Clock,
  ) {
    this.queries = new GoalReadsRepo(database.db);
    this.access = new GoalAccess(this.queries);
  }

  /** The creator adds a milestone (after the last one unless order_index is given). */
  async create(callerId: string, goalId: string, input: MilestoneInput): Promise<GoalMilestoneRow> {
    await this.access.asCreator(callerId, goalId);
    const fields = fieldsOf(input);
    const now = this.clock.now();
    return inTransaction(this.database, async (tx) => {
      const goals = new GoalsRepo(tx);
      // The goal's lock orders this after any contribution in flight, so a reached target is seen.
      if (!(await goals.lock(goalId))) throw goalNotFound();
      const milestones = new MilestonesRepo(tx);
      const created = await milestones.insert(goalId, { ...fields, title: fields.title ?? input.title }, now);
      const reached = await milestones.achieveReached(goalId, null, now);
      await goals.refreshProgress(goalId);
      return reached.find((m) => m.id === created.id) ?? created;
    });
  }

  /**
   * The creator edits title, description, target_value and order_index; any active participant of an
   * active goal may send `achieved: true` for a milestone without a target_value.
   */
  async update(callerId: string, goalId: string, milestoneId: string, patch: MilestonePatch): Promise<GoalMilestoneRow> {
    const { facts } = await this.access.visible(callerId, goalId);
    const { achieved, ...edits } = patch;
    const fields = fieldsOf(edits);
    if (Object.keys(fields).length > 0 && !mayEditGoal(facts)) throw notGoalCreator();
    if (achieved) {
      const decision = mayContribute(facts);
      if (decision === 'not_a_participant') throw notAParticipant();
      if (decision === 'goal_not_active') throw goalNotActive();
    }
    const caller = await this.queries.userCard(callerId);
    if (!caller) throw userNotFound();
    const now = this.clock.now();
    const result = await inTransaction(this.database, async (tx) => {
      const goals = new GoalsRepo(tx);
      const goal = await goals.lock(goalId);
      if (!goal) throw goalNotFound();
      const milestones = new MilestonesRepo(tx);
      const milestone = await milestones.update(goalId, milestoneId, fields);
      if (!milestone) throw milestoneNotFound();
      await milestones.achieveReached(goalId, null, now);
      let ticked: GoalMilestoneRow | undefined;
      if (achieved) {
        if (milestone.targetValue !== null) throw milestoneHasTarget();
        ticked = await milestones.achieveManually(goalId, milestoneId, callerId, now);
      }
      await goals.refreshProgress(goalId);
      const final = await milestones.find(goalId, milestoneId);
      if (ticked) {
        await this.bus.publish(tx, 'goal.milestone_achieved', {
          goal: goalSummary(goal, await new GoalReadsRepo(tx).activeParticipantIds(goalId)),
          actor: actorCard(caller),
          milestoneId: ticked.id,
          milestoneTitle: ticked.title,
          at: now.toISOString(),
        });
      }
      return final ?? milestone;
    });
    const achiever = result.achievedBy;
    // Who reached it is not shown across a block (docs/security.md, Blocks).
    if (achiever && (await this.queries.blockedAmong(callerId, [achiever])).size > 0) return { ...result, achievedBy: null };
    return result;
  }

  /** The creator deletes a milestone; the goal's progress is recomputed. */
  async delete(callerId: string, goalId: string, milestoneId: string): Promise<void> {
    await this.access.asCreator(callerId, goalId);
    await inTransaction(this.database, async (tx) => {
      const goals = new GoalsRepo(tx);
      if (!(await goals.lock(goalId))) throw goalNotFound();
      if (!(await new MilestonesRepo(tx).delete(goalId, milestoneId))) throw milestoneNotFound();
      await goals.refreshProgress(goalId);
    });
  }
}
