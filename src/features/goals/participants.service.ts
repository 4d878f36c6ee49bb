import type { EventBus } from '../../infra/bus/event-bus.js';
import type { Clock } from '../../infra/clock/clock.js';
import { inTransaction, type Database } from '../../infra/db/database.js';
import { userNotFound } from '../users/users.errors.js';
import { GoalAccess } from './goals.access.js';
import {
  alreadyParticipant,
  creatorCannotLeave,
  goalNotActive,
  goalNotFound,
  notAGroupGoal,
  notGoalCreator,
  participantNotFound,
  participantsNotFriends,
} from './goals.errors.js';
import { actorCard, goalSummary } from './goals.payloads.js';
import { mayRemoveParticipant } from './goals.policy.js';
import { GoalReadsRepo, type ParticipantCardRow } from './goals.reads.repo.js';
import { GoalsRepo } from './goals.repo.js';
import type { AddableParticipantRole } from './goals.vocabulary.js';
import './goals.events.js';

/** Who takes part in a group goal: the creator adds friends; anyone but the creator may leave. */
export class ParticipantsService {
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

  /**
   * Adds a friend of the creator to a group goal (or brings back one who left, with their
   * contributions). Completed and cancelled goals take no one new.
   */
  async add(callerId: string, goalId: string, userId: string, role: AddableParticipantRole): Promise<ParticipantCardRow> {
    const { goal } = await this.access.asCreator(callerId, goalId);
    if (goal.goalType !== 'group') throw notAGroupGoal();
    const caller = await this.queries.userCard(callerId);
    if (!caller) throw userNotFound();
    if (userId === goal.creatorId) throw alreadyParticipant();
    const now = this.clock.now();
    await inTransaction(this.database, async (tx) => {
      const locked = await new GoalsRepo(tx).lock(goalId);
      if (!locked) throw goalNotFound();
      if (locked.status === 'completed' || locked.status === 'cancelled') throw goalNotActive();
      const queries = new GoalReadsRepo(tx);
      if ((await queries.notJoinable(goal.creatorId, [userId])).length > 0) throw participantsNotFriends([userId], 'user_id');
      const added = await new GoalsRepo(tx).upsertParticipant(goalId, userId, role, now);
      if (!added) throw alreadyParticipant();
      await this.bus.publish(tx, 'goal.participant_added', {
        goal: goalSummary(locked, await queries.activeParticipantIds(goalId)),
        actor: actorCard(caller),
        userId,
        role,
        at: now.toISOString(),
      });
    });
    const [card] = await this.queries.participantCards(goalId, callerId, userId);
    if (!card) throw participantNotFound();
    return card;
  }

  /** The creator removes a participant, or a participant leaves (left_at set; their contributions stay). */
  async remove(callerId: string, goalId: string, userId: string): Promise<void> {
    const { goal, facts } = await this.access.visible(callerId, goalId);
    const decision = mayRemoveParticipant(facts, callerId, goal.creatorId, userId);
    if (decision === 'creator_cannot_leave') throw creatorCannotLeave();
    if (decision === 'not_goal_creator') throw notGoalCreator();
    const caller = await this.queries.userCard(callerId);
    if (!caller) throw userNotFound();
    const now = this.clock.now();
    await inTransaction(this.database, async (tx) => {
      const repo = new GoalsRepo(tx);
      if (!(await repo.lock(goalId))) throw goalNotFound();
      if (!(await repo.leave(goalId, userId, now))) throw participantNotFound();
      await this.bus.publish(tx, 'goal.participant_removed', {
        goal: goalSummary(goal, await new GoalReadsRepo(tx).activeParticipantIds(goalId)),
        actor: actorCard(caller),
        userId,
        at: now.toISOString(),
      });
    });
  }
}
