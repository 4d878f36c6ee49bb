import { Type } from 'typebox';
import { PagePagination } from '../../http/pagination.js';
import { NullableString, stringEnum, Timestamp, UserText, Uuid } from '../../http/schemas.js';
import { moneyToNumber } from '../../lib/money.js';
import { toUserCardJson, UserSummary } from '../users/user-card.js';
import type { ContributionItemRow } from './contributions.repo.js';
import type { ContributionResult } from './contributions.service.js';
import { MAX_CONTRIBUTION, NOTE_MAX } from './goals.rules.js';
import { CONTRIBUTION_TYPES, GOAL_STATUSES } from './goals.vocabulary.js';

const ContributionType = stringEnum(CONTRIBUTION_TYPES);
const Money = Type.Number({ description: 'Money: a JSON number with at most two decimals' });

export const CreateContributionBody = Type.Object(
  {
    amount: Type.Optional(
      Type.Number({
        description:
          `monetary: required, > 0, at most two decimals, at most ${MAX_CONTRIBUTION}. ` +
          'checkin / milestone: optional (default 0), 0 allowed, never negative. Otherwise 422 invalid_amount.',
      }),
    ),
    note: Type.Optional(UserText({ maxLength: NOTE_MAX, multiline: true })),
    contribution_type: Type.Optional(
      stringEnum(CONTRIBUTION_TYPES, { default: 'monetary' }),
    ),
  },
  { additionalProperties: false },
);

export const ContributionItem = Type.Object(
  {
    id: Uuid,
    goal_id: Uuid,
    user_id: Uuid,
    user: UserSummary,
    amount: Money,
    note: NullableString,
    contribution_type: ContributionType,
    created_at: Timestamp,
  },
  { title: 'GoalContribution' },
);

/**
 * POST /goals/:goalId/contributions (201): the contribution exactly as the goal's contribution list
 * shows it (ContributionItem's fields), plus the plan's `goal_progress`, the goal after it.
 */
export const ContributionCreated = Type.Object(
  {
    ...ContributionItem.properties,
    goal_progress: Type.Object({
      current_amount: Money,
      progress_percentage: Type.Number({ minimum: 0, maximum: 100 }),
      status: stringEnum(GOAL_STATUSES, { description: 'completed when this contribution reached the target' }),
    }),
  },
  { title: 'GoalContributionCreated' },
);

export const ContributionList = Type.Object({ contributions: Type.Array(ContributionItem), pagination: PagePagination });

export function toContributionItem(c: ContributionItemRow) {
  return {
    id: c.id,
    goal_id: c.goalId,
    user_id: c.userId,
    user: toUserCardJson({ id: c.userId, username: c.username, fullName: c.fullName, profileImageUrl: c.profileImageUrl }),
    amount: moneyToNumber(c.amount),
    note: c.note,
    contribution_type: c.contributionType,
    created_at: c.createdAt.toISOString(),
  };
}

export function toContributionCreated(r: ContributionResult) {
  return {
    ...toContributionItem(r.contribution),
    goal_progress: {
      current_amount: moneyToNumber(r.goal.currentAmount),
      progress_percentage: r.goal.progressPercentage,
      status: r.goal.status,
    },
  };
}
