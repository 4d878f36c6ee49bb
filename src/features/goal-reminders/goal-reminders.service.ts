import type { EventBus } from '../../infra/bus/event-bus.js';
import type { Clock } from '../../infra/clock/clock.js';
import { inTransaction, type Database } from '../../infra/db/database.js';
import {
  daysNotAllowed,
  daysRequired,
  goalNotActive,
  goalNotFound,
  invalidTimezone,
  reminderNotFound,
  tooManyReminders,
} from './goal-reminders.errors.js';
import { GoalRemindersRepo, type DueReminder, type ReminderClaim, type ReminderPatch } from './goal-reminders.repo.js';
import { canonicalTimezone, formatLocal, nextOccurrence, type ReminderRule } from './goal-reminders.schedule.js';
import type { ReminderType } from './goal-reminders.vocabulary.js';
import type { GoalReminderRow } from '../goals/goals.tables.js';
import '../goals/goals.events.js';

/** At most this many reminders per user per goal. */
export const MAX_REMINDERS_PER_GOAL = 10;
/** A due occurrence older than this (the scheduler was down) is skipped, not fired late. */
export const MISSED_OCCURRENCE_GRACE_MS = 3_600_000;
/** Reminders claimed per statement by the scheduler (one index range scan + one UPDATE each). */
const FIRE_BATCH_SIZE = 500;
/** Upper bound on batches per run; whatever is left is picked up by the next run. */
const FIRE_MAX_BATCHES = 200;

export interface NewReminder {
  type: ReminderType;
  /** "HH:MM", local wall-clock time (validated by the route schema). */
  time: string;
  days?: number[];
  /** IANA zone; the participant's own users.timezone when omitted. */
  timezone?: string;
}

export interface ReminderUpdate {
  type?: ReminderType;
  time?: string;
  days?: number[];
  timezone?: string;
  isActive?: boolean;
}

export interface GoalRemindersOptions {
  /** Reminders claimed per statement by the scheduler (tests use small batches). */
  fireBatchSize?: number;
}

export interface FireResult {
  /** Occurrences this call fired (published `goal.reminder_due`). */
  fired: number;
  /** Occurrences this call moved past without firing (too old, goal not active, participant gone). */
  skipped: number;
}

function validTimezone(timezone: string): string {
  const canonical = canonicalTimezone(timezone);
  if (!canonical) throw invalidTimezone();
  return canonical;
}

/** The days a rule of `type` keeps: none for daily; a sorted non-empty set for weekly/custom. */
function daysFor(type: ReminderType, days: readonly number[] | null | undefined): number[] | null {
  if (type === 'daily') return null;
  if (!days || days.length === 0) throw daysRequired();
  return [...new Set(days)].sort((a, b) => a - b);
}

function ruleOf(row: Pick<GoalReminderRow, 'reminderType' | 'reminderTime' | 'reminderDays' | 'timezone'>): ReminderRule {
  return {
    type: row.reminderType ?? 'daily',
    time: (row.reminderTime ?? '').slice(0, 5),
    days: row.reminderDays,
    timezone: row.timezone,
  };
}

/**
 * Goal reminders: participants' own reminders on a goal and the scheduler that fires them at their
 * local wall-clock time. The only writer of `goal_reminders`.
 */
export class GoalRemindersService {
  private readonly repo: GoalRemindersRepo;
  private readonly fireBatchSize: number;

  constructor(
    private readonly database: Database,
    private readonly bus: EventBus,
    private readonly clock: Clock,
    options: GoalRemindersOptions = {},
  ) {
    this.repo = new GoalRemindersRepo(database.db);
    this.fireBatchSize = options.fireBatchSize ?? FIRE_BATCH_SIZE;
  }

  /** Adds a reminder for an active participant; its first `next_fire_at` is computed from now. */
  async create(userId: string, goalId: string, input: NewReminder): Promise<GoalReminderRow> {
    if (input.type === 'daily' && input.days !== undefined) throw daysNotAllowed();
    const days = daysFor(input.type, input.days);
    const explicitZone = input.timezone !== undefined ? validTimezone(input.timezone) : undefined;
    const participation = await this.repo.findParticipation(goalId, userId);
    if (!participation) throw goalNotFound();
    if (participation.goalStatus === 'completed' || participation.goalStatus === 'cancelled') throw goalNotActive();
    const timezone = explicitZone ?? canonicalTimezone(participation.userTimezone) ?? 'UTC';
    const now = this.clock.now();
    const next = nextOccurrence(now, { type: input.type, time: input.time, days, timezone });
    return inTransaction(this.database, async (tx) => {
      const repo = new GoalRemindersRepo(tx);
      await repo.lockUserGoal(goalId, userId);
      if ((await repo.countForUserGoal(goalId, userId)) >= MAX_REMINDERS_PER_GOAL) {
        throw tooManyReminders(MAX_REMINDERS_PER_GOAL);
      }
      return repo.insert({
        goalId,
        userId,
        reminderType: input.type,
        reminderTime: input.time,
        reminderDays: days,
        timezone,
        isActive: true,
        nextFireAt: next.at,
        createdAt: now,
      });
    });
  }

  /** The caller's own reminders on a goal they actively participate in. */
  async list(userId: string, goalId: string): Promise<GoalReminderRow[]> {
    await this.assertParticipant(userId, goalId);
    return this.repo.listForUserGoal(goalId, userId);
  }

  /**
   * Partial update of the caller's own reminder. A changed schedule (or re-activation) moves
   * `next_fire_at` to the next occurrence after now; pausing clears it.
   */
  async update(userId: string, goalId: string, reminderId: string, patch: ReminderUpdate): Promise<GoalReminderRow> {
    await this.assertParticipant(userId, goalId);
    const row = await this.repo.findOwned(goalId, userId, reminderId);
    if (!row) throw reminderNotFound();
    const current = ruleOf(row);
    const type = patch.type ?? current.type;
    if (type === 'daily' && patch.days !== undefined) throw daysNotAllowed();
    const days = daysFor(type, patch.days ?? (current.type === 'daily' ? null : current.days));
    const rule: ReminderRule = {
      type,
      time: patch.time ?? current.time,
      days,
      timezone: patch.timezone !== undefined ? validTimezone(patch.timezone) : current.timezone,
    };
    const isActive = patch.isActive ?? row.isActive;
    const scheduleChanged =
      rule.type !== current.type ||
      rule.time !== current.time ||
      rule.timezone !== current.timezone ||
      (rule.days ?? []).join(',') !== (current.days ?? []).join(',');

    const update: ReminderPatch = {};
    if (scheduleChanged) {
      Object.assign(update, { reminderType: rule.type, reminderTime: rule.time, reminderDays: rule.days, timezone: rule.timezone });
    }
    if (isActive !== row.isActive) update.isActive = isActive;
    if (!isActive) update.nextFireAt = null;
    else if (scheduleChanged || !row.isActive || !row.nextFireAt) update.nextFireAt = nextOccurrence(this.clock.now(), rule).at;
    if (Object.keys(update).length === 0) return row;

    const updated = await this.repo.updateOwned(goalId, userId, reminderId, update);
    if (!updated) throw reminderNotFound(); // deleted concurrently
    return updated;
  }

  async remove(userId: string, goalId: string, reminderId: string): Promise<void> {
    await this.assertParticipant(userId, goalId);
    if (!(await this.repo.deleteOwned(goalId, userId, reminderId))) throw reminderNotFound();
  }

  /** Drops a user's reminders on a goal they left or were removed from. */
  async forgetParticipant(goalId: string, userId: string): Promise<void> {
    await this.repo.deleteForUserGoal(goalId, userId);
  }

  /**
   * Fires every reminder due at `now`, exactly once per occurrence, whatever the number of
   * processes calling this at the same time and however long the scheduler was down.
   *
   * Design: no row locks held across the read. Each batch of due rows (oldest first) is read, the
   * next occurrence after `now` computed for each, and the batch claimed in ONE compare-and-set
   * UPDATE (`... where next_fire_at = <value read>`): for each occurrence exactly one caller's claim
   * matches, and only that caller publishes, in the claim's transaction (the outbox: the reminder's
   * jobs commit with the claim, or neither does). Losing a race costs a wasted read, never a
   * duplicate. An occurrence due within the last hour fires late (a restart); an older one is
   * skipped — either way the row jumps to the first occurrence after `now`, so missed occurrences
   * never pile up. Reminders of inactive goals or of
   * participants who left are skipped the same way (they resume by themselves if the goal does).
   * A crash cannot separate a claim from its event: a claimed occurrence is delivered at least once,
   * and the notifier's idempotency per event keeps it to one notification.
   */
  async fireDueReminders(now: Date = this.clock.now()): Promise<FireResult> {
    const result: FireResult = { fired: 0, skipped: 0 };
    const oldestToFire = now.getTime() - MISSED_OCCURRENCE_GRACE_MS;
    for (let batch = 0; batch < FIRE_MAX_BATCHES; batch++) {
      const due = await this.repo.findDue(now, this.fireBatchSize);
      if (due.length === 0) break;
      const claims = due.map((r) => this.claimFor(r, now, oldestToFire));
      const { won, fired, skipped } = await inTransaction(this.database, async (tx) => {
        const won = await new GoalRemindersRepo(tx).claim(claims, now);
        let fired = 0;
        let skipped = 0;
        for (const [i, claim] of claims.entries()) {
          if (!won.has(claim.id)) continue;
          if (!claim.fire) {
            skipped++;
            continue;
          }
          const r = due[i]!;
          await this.bus.publish(tx, 'goal.reminder_due', {
            reminderId: r.id,
            goalId: r.goalId,
            goalTitle: r.goalTitle,
            userId: r.userId,
            occurrence: formatLocal(r.nextFireAt, r.timezone),
            timezone: r.timezone,
            at: now.toISOString(),
          });
          fired++;
        }
        return { won, fired, skipped };
      });
      result.fired += fired;
      result.skipped += skipped;
      // A short batch was the last; a batch entirely claimed by other callers leaves the rest to them.
      if (due.length < this.fireBatchSize || won.size === 0) break;
    }
    return result;
  }

  private claimFor(r: DueReminder, now: Date, oldestToFire: number): ReminderClaim {
    let next: Date | null;
    try {
      next = nextOccurrence(now, ruleOf(r)).at;
    } catch {
      // A row the API could not have written (no type/time, unknown zone): retire it from scanning.
      return { id: r.id, expected: r.nextFireAt, next: null, fire: false };
    }
    return { id: r.id, expected: r.nextFireAt, next, fire: r.eligible && r.nextFireAt.getTime() >= oldestToFire };
  }

  private async assertParticipant(userId: string, goalId: string): Promise<void> {
    if (!(await this.repo.findParticipation(goalId, userId))) throw goalNotFound();
  }
}
