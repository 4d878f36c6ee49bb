import type { EventBus } from '../../infra/bus/event-bus.js';
import type { Clock } from '../../infra/clock/clock.js';
import { inTransaction, type Database } from '../../infra/db/database.js';
import type { MediaService, UploadedFile } from '../media/media.service.js';
import type { UserCard } from '../users/user-card.js';
import { userNotFound } from '../users/users.errors.js';
import { GoalAccess } from './goals.access.js';
import { completeIfReached } from './goals.completion.js';
import { goalAlreadyCompleted, goalNotActive, goalNotFound, participantsNeedGroupGoal, participantsNotFriends } from './goals.errors.js';
import { actorCard, goalSummary } from './goals.payloads.js';
import { GoalReadsRepo } from './goals.reads.repo.js';
import type { GoalDetails, GoalReadsService } from './goals.reads.service.js';
import { GoalsRepo } from './goals.repo.js';
import {
  assertCurrency,
  assertNotPast,
  assertTargetConsistent,
  localDate,
  normalizeCategory,
  normalizeDescription,
  normalizeTitle,
  targetAmountOf,
} from './goals.rules.js';
import type { GoalRow } from './goals.tables.js';
import { applyGoalPatch, type GoalPatch } from './goals.update.js';
import type { GoalType, TargetType } from './goals.vocabulary.js';
import './goals.events.js';

export interface NewGoalInput {
  title: string;
  description?: string | null;
  category?: string | null;
  goalType: GoalType;
  targetType: TargetType;
  /** A JSON number; validated to an exact decimal string here. */
  targetAmount?: number;
  targetCurrency?: string;
  /** YYYY-MM-DD. */
  targetDate?: string;
  isPublic?: boolean;
  participantIds?: string[];
}

export interface ReplacedGoalImage {
  imageUrl: string;
  thumbnailUrl: string;
  updatedAt: Date;
}

/** Creating, editing, completing and deleting goals, and their image. The writer of `goals` and `goal_participants`. */
export class GoalsService {
  private readonly queries: GoalReadsRepo;
  private readonly access: GoalAccess;

  constructor(
    private readonly database: Database,
    private readonly bus: EventBus,
    private readonly clock: Clock,
    private readonly media: MediaService,
    private readonly reads: GoalReadsService,
  ) {
    this.queries = new GoalReadsRepo(database.db);
    this.access = new GoalAccess(this.queries);
  }

  /** Creates a goal with its creator (role creator) and, for group goals, the creator's friends as members. */
  async create(creatorId: string, input: NewGoalInput): Promise<GoalDetails> {
    const creator = await this.actor(creatorId);
    const now = this.clock.now();
    const target = {
      targetType: input.targetType,
      targetAmount: input.targetAmount === undefined ? null : targetAmountOf(input.targetAmount),
      targetDate: input.targetDate ?? null,
    };
    assertTargetConsistent(target);
    if (target.targetDate !== null) assertNotPast(target.targetDate, localDate(now, creator.timezone));
    const values = {
      creatorId,
      title: normalizeTitle(input.title),
      description: normalizeDescription(input.description ?? null),
      category: normalizeCategory(input.category ?? null),
      goalType: input.goalType,
      ...target,
      targetCurrency: assertCurrency(input.targetCurrency ?? 'USD'),
      isPublic: input.isPublic ?? false,
      createdAt: now,
      updatedAt: now,
    };
    if (input.goalType === 'individual' && (input.participantIds?.length ?? 0) > 0) throw participantsNeedGroupGoal();
    // The creator listed among the participants is simply the creator.
    const members = [...new Set(input.participantIds ?? [])].filter((id) => id !== creatorId);

    const goal = await inTransaction(this.database, async (tx) => {
      const refused = await new GoalReadsRepo(tx).notJoinable(creatorId, members);
      if (refused.length > 0) throw participantsNotFriends(refused);
      const repo = new GoalsRepo(tx);
      const row = await repo.insertGoal(values);
      await repo.insertParticipants([
        { goalId: row.id, userId: creatorId, role: 'creator', joinedAt: now },
        ...members.map((userId) => ({ goalId: row.id, userId, role: 'member' as const, joinedAt: now })),
      ]);
      await this.bus.publish(tx, 'goal.created', {
        goal: goalSummary(row, [creatorId, ...members]),
        actor: actorCard(creator),
        at: now.toISOString(),
      });
      return row;
    });
    return this.reads.details(creatorId, goal.id);
  }

  /**
   * The creator's partial update. Target fields follow the creation rules; a completed goal keeps
   * its target and status (409). An active amount goal whose new target is already reached completes.
   */
  async update(callerId: string, goalId: string, patch: GoalPatch): Promise<GoalDetails> {
    await this.access.asCreator(callerId, goalId);
    const caller = await this.actor(callerId);
    const now = this.clock.now();
    const today = localDate(now, caller.timezone);
    await inTransaction(this.database, async (tx) => {
      const repo = new GoalsRepo(tx);
      const current = await repo.lock(goalId);
      if (!current) throw goalNotFound();
      const { changes, changed } = applyGoalPatch(current, patch, today);
      // An empty patch writes nothing (updated_at stays).
      let goal = Object.keys(changes).length > 0 ? ((await repo.update(goalId, changes, now)) ?? current) : current;
      goal = (await repo.refreshProgress(goalId)) ?? goal;
      const completed = await completeIfReached(tx, goalId, now);
      const summary = goalSummary(completed ?? goal, await new GoalReadsRepo(tx).activeParticipantIds(goalId));
      if (changed.length > 0) {
        await this.bus.publish(tx, 'goal.updated', { goal: summary, actor: actorCard(caller), changed, at: now.toISOString() });
      }
      if (completed) {
        await this.bus.publish(tx, 'goal.completed', { goal: summary, actor: actorCard(caller), completedAt: now.toISOString() });
      }
    });
    return this.reads.details(callerId, goalId);
  }

  /** The creator completes an active or paused goal: completed_at, progress 100, goals_achieved once. */
  async complete(callerId: string, goalId: string): Promise<GoalDetails> {
    await this.access.asCreator(callerId, goalId);
    const caller = await this.actor(callerId);
    const now = this.clock.now();
    await inTransaction(this.database, async (tx) => {
      const repo = new GoalsRepo(tx);
      const current = await repo.lock(goalId);
      if (!current) throw goalNotFound();
      if (current.status === 'completed') throw goalAlreadyCompleted();
      const completed = await repo.complete(goalId, now);
      if (!completed) throw goalNotActive();
      await repo.creditGoalsAchieved(goalId);
      await this.bus.publish(tx, 'goal.completed', {
        goal: goalSummary(completed, await new GoalReadsRepo(tx).activeParticipantIds(goalId)),
        actor: actorCard(caller),
        completedAt: now.toISOString(),
      });
    });
    return this.reads.details(callerId, goalId);
  }

  /** Deletes the goal (its participants, contributions, milestones and reminders go with it) and its images. */
  async delete(callerId: string, goalId: string): Promise<void> {
    await this.access.asCreator(callerId, goalId);
    const now = this.clock.now();
    await inTransaction(this.database, async (tx) => {
      const repo = new GoalsRepo(tx);
      if (!(await repo.lock(goalId))) throw goalNotFound();
      const participantIds = await new GoalReadsRepo(tx).activeParticipantIds(goalId);
      await repo.delete(goalId);
      await this.bus.publish(tx, 'goal.deleted', { goalId, participantIds, actorId: callerId, at: now.toISOString() });
    });
    await this.media.removeAll('goal', goalId);
  }

  /**
   * Moves every goal image that still has a public URL (from before goal images were private media)
   * to a private key; the old URL then 404s. Idempotent; for `npm run media:secure`. Returns how many moved.
   */
  async secureLegacyImages(batchSize = 100): Promise<number> {
    const repo = new GoalsRepo(this.database.db);
    let moved = 0;
    let after: string | undefined;
    for (;;) {
      const batch = await repo.withPublicImage(after, batchSize);
      for (const goal of batch) {
        if (await this.media.moveTo('private', 'goal', goal.id, [goal.imageUrl], ([to]) => repo.moveImage(goal.id, goal.imageUrl, to!))) moved += 1;
      }
      if (batch.length < batchSize) return moved;
      after = batch[batch.length - 1]!.id;
    }
  }

  /** Throws unless the caller created the goal (404 if they cannot see it): lets a route refuse before reading an upload. */
  async assertCreator(callerId: string, goalId: string): Promise<void> {
    await this.access.asCreator(callerId, goalId);
  }

  /**
   * Stores a new goal image (goal variants, private: served through signed URLs only), points the
   * goal at it and deletes the previous one. The answer's URLs are signed for the caller.
   */
  async replaceImage(callerId: string, goalId: string, file: UploadedFile): Promise<ReplacedGoalImage> {
    const { goal } = await this.access.asCreator(callerId, goalId);
    const caller = await this.actor(callerId);
    const stored = await this.media.store('goal', goalId, file, { allowVideo: false });
    const now = this.clock.now();
    let updated: GoalRow | undefined;
    try {
      updated = await inTransaction(this.database, async (tx) => {
        const row = await new GoalsRepo(tx).update(goalId, { imageUrl: stored.ref }, now);
        if (!row) return undefined;
        await this.bus.publish(tx, 'goal.updated', {
          goal: goalSummary(row, await new GoalReadsRepo(tx).activeParticipantIds(goalId)),
          actor: actorCard(caller),
          changed: ['image_url'],
          at: now.toISOString(),
        });
        return row;
      });
    } catch (err) {
      await this.media.removeByRef(stored.ref, 'goal', goalId);
      throw err;
    }
    if (!updated) {
      await this.media.removeByRef(stored.ref, 'goal', goalId);
      throw goalNotFound();
    }
    await this.media.removeByRef(goal.imageUrl, 'goal', goalId);
    return {
      imageUrl: await this.media.links.url(stored.ref),
      thumbnailUrl: await this.media.links.url(stored.thumbnailRef),
      updatedAt: updated.updatedAt,
    };
  }

  private async actor(userId: string): Promise<UserCard & { timezone: string }> {
    const card = await this.queries.userCard(userId);
    if (!card) throw userNotFound();
    return card;
  }
}
