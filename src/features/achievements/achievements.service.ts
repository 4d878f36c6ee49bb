import type { EventBus } from '../../infra/bus/event-bus.js';
import type { Clock } from '../../infra/clock/clock.js';
import { inTransaction, type Database } from '../../infra/db/database.js';
import type { PrivacyService } from '../privacy/privacy.service.js';
import { userNotFound } from '../users/users.errors.js';
import { isMet, measureKey, measureOf, METRICS, parseCriteria, type Criteria, type Metric } from './achievements.criteria.js';
import { AchievementMetricsRepo } from './achievements.metrics.repo.js';
import { AchievementsRepo, type AchievementItem, type AchievementRule } from './achievements.repo.js';
import './achievements.events.js';

export interface AchievementsLogger {
  warn(obj: object, msg: string): void;
}

/**
 * Achievements: the catalogue (seeded by migration 0001_achievements_catalog), awarding by criteria,
 * and who may see whose badges. The only writer of `achievements` and `user_achievements`.
 */
export class AchievementsService {
  private readonly repo: AchievementsRepo;
  private readonly metrics: AchievementMetricsRepo;
  /** Codes whose criteria were already reported as not understood (warn once per process). */
  private readonly reportedBadCriteria = new Set<string>();

  constructor(
    private readonly database: Database,
    private readonly bus: EventBus,
    private readonly clock: Clock,
    private readonly privacy: PrivacyService,
    private readonly logger: AchievementsLogger,
  ) {
    this.repo = new AchievementsRepo(database.db);
    this.metrics = new AchievementMetricsRepo(database.db);
  }

  /** The active catalogue with the caller's status (after a catch-up evaluation). */
  async catalogFor(userId: string): Promise<AchievementItem[]> {
    await this.catchUp(userId);
    return this.repo.catalogFor(userId);
  }

  /** The badges `userId` earned, if the viewer may see that user's full profile; else 404 user_not_found. */
  async earnedBy(viewerId: string, userId: string): Promise<AchievementItem[]> {
    if (!(await this.privacy.accessTo(viewerId, userId)).fullProfile) throw userNotFound();
    await this.catchUp(userId);
    return this.repo.earnedBy(userId);
  }

  /**
   * Evaluates every metric for the user: how achievements over metrics no event reports (first_memory
   * reads `posts`) are awarded, and how anything an event has not awarded yet (its job still queued
   * or dead-lettered) or a catalogue row added later gets awarded. One query when nothing unearned is within reach.
   */
  async catchUp(userId: string): Promise<void> {
    await this.evaluate(userId, METRICS);
  }

  /** `evaluate` for several users (an event's participants), one after another. */
  async evaluateMany(userIds: readonly string[], metrics: readonly Metric[]): Promise<void> {
    for (const userId of new Set(userIds)) await this.evaluate(userId, metrics);
  }

  /**
   * Awards every active, not yet earned achievement whose criteria reads one of `metrics` and is met
   * by the user's current state. Idempotent and safe under concurrent calls: the award's insert
   * decides, and `achievement.earned` is published only by the call whose insert happened, in the
   * insert's transaction.
   */
  async evaluate(userId: string, metrics: readonly Metric[]): Promise<void> {
    if (metrics.length === 0) return;
    const candidates: Array<{ rule: AchievementRule; criteria: Criteria }> = [];
    for (const rule of await this.repo.unearnedRules(userId)) {
      const criteria = this.criteriaOf(rule);
      if (criteria && metrics.includes(criteria.metric)) candidates.push({ rule, criteria });
    }
    if (candidates.length === 0) return;

    const measures = [...new Map(candidates.map((c) => [measureKey(measureOf(c.criteria)), measureOf(c.criteria)])).values()];
    const measured = await this.metrics.measure(userId, measures);
    for (const { rule, criteria } of candidates) {
      if (!isMet(criteria, measured.get(measureKey(measureOf(criteria))) ?? 0)) continue;
      await inTransaction(this.database, async (tx) => {
        const earnedAt = await new AchievementsRepo(tx).award(userId, rule.id, this.clock.now());
        if (!earnedAt) return;
        await this.bus.publish(tx, 'achievement.earned', {
          userId,
          achievementId: rule.id,
          code: rule.code,
          name: rule.name,
          points: rule.points,
          earnedAt: earnedAt.toISOString(),
        });
      });
    }
  }

  private criteriaOf(rule: AchievementRule): Criteria | undefined {
    const criteria = parseCriteria(rule.criteria);
    if (!criteria && !this.reportedBadCriteria.has(rule.code)) {
      this.reportedBadCriteria.add(rule.code);
      this.logger.warn({ code: rule.code, criteria: rule.criteria }, 'achievement criteria not understood; never awarded');
    }
    return criteria;
  }
}
