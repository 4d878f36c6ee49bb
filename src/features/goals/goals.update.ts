import { goalAlreadyCompleted } from './goals.errors.js';
import type { GoalUpdate } from './goals.repo.js';
import {
  assertCurrency,
  assertNotPast,
  assertTargetConsistent,
  normalizeCategory,
  normalizeDescription,
  normalizeTitle,
  targetAmountOf,
} from './goals.rules.js';
import type { GoalRow } from './goals.tables.js';
import type { SettableGoalStatus, TargetType } from './goals.vocabulary.js';

/** What the creator may change with PUT /goals/:goalId (absent = unchanged, null = cleared). */
export interface GoalPatch {
  title?: string;
  description?: string | null;
  category?: string | null;
  targetType?: TargetType;
  targetAmount?: number | null;
  targetCurrency?: string;
  targetDate?: string | null;
  isPublic?: boolean;
  /** `completed` only through POST /goals/:goalId/complete. */
  status?: SettableGoalStatus;
}

const API_NAMES: Record<keyof GoalPatch, string> = {
  title: 'title',
  description: 'description',
  category: 'category',
  targetType: 'target_type',
  targetAmount: 'target_amount',
  targetCurrency: 'target_currency',
  targetDate: 'target_date',
  isPublic: 'is_public',
  status: 'status',
};

/**
 * Validates a patch against the goal as it is now (pure; called under the goal's row lock) and
 * returns the column changes and the API names of the fields it touches. Switching target_type away
 * from `amount` clears target_amount. A completed goal is final: its status and target stay (409).
 */
export function applyGoalPatch(current: GoalRow, patch: GoalPatch, today: string): { changes: GoalUpdate; changed: string[] } {
  const given = (Object.keys(patch) as Array<keyof GoalPatch>).filter((k) => patch[k] !== undefined);
  const targetGiven = given.some((k) => k === 'targetType' || k === 'targetAmount' || k === 'targetDate');
  if (current.status === 'completed' && (targetGiven || patch.status !== undefined)) throw goalAlreadyCompleted();

  const changes: GoalUpdate = {};
  if (patch.title !== undefined) changes.title = normalizeTitle(patch.title);
  if (patch.description !== undefined) changes.description = normalizeDescription(patch.description);
  if (patch.category !== undefined) changes.category = normalizeCategory(patch.category);
  if (patch.targetCurrency !== undefined) changes.targetCurrency = assertCurrency(patch.targetCurrency);
  if (patch.isPublic !== undefined) changes.isPublic = patch.isPublic;
  if (patch.status !== undefined) changes.status = patch.status;

  if (targetGiven) {
    const targetType = patch.targetType ?? current.targetType ?? 'milestone';
    let targetAmount: string | null;
    if (patch.targetAmount !== undefined) {
      targetAmount = patch.targetAmount === null ? null : targetAmountOf(patch.targetAmount);
    } else {
      targetAmount = targetType === 'amount' ? current.targetAmount : null;
    }
    const targetDate = patch.targetDate !== undefined ? patch.targetDate : current.targetDate;
    // Only a newly set date must not be in the past; an existing one may have passed.
    if (targetDate !== null && targetDate !== current.targetDate) assertNotPast(targetDate, today);
    assertTargetConsistent({ targetType, targetAmount, targetDate });
    Object.assign(changes, { targetType, targetAmount, targetDate });
  }
  return { changes, changed: given.map((k) => API_NAMES[k]) };
}
