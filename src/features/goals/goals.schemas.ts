import { Type } from 'typebox';
import { PagePagination, PageQuery } from '../../http/pagination.js';
import { NullableString, NullableTimestamp, PATTERN_MESSAGE, stringEnum, Timestamp, UserText, Uuid } from '../../http/schemas.js';
import { moneyToNumber } from '../../lib/money.js';
import { ContributionItem, toContributionItem } from './contributions.schemas.js';
import type { ParticipantCardRow } from './goals.reads.repo.js';
import type { GoalDetails, GoalListItem } from './goals.reads.service.js';
import { CATEGORY_MAX, DESCRIPTION_MAX, MAX_PARTICIPANTS_ON_CREATE, TITLE_MAX } from './goals.rules.js';
import type { GoalRow } from './goals.tables.js';
import {
  ADDABLE_PARTICIPANT_ROLES,
  GOAL_STATUS_FILTERS,
  GOAL_STATUSES,
  GOAL_TYPE_FILTERS,
  GOAL_TYPES,
  PARTICIPANT_ROLES,
  SETTABLE_GOAL_STATUSES,
  TARGET_TYPES,
} from './goals.vocabulary.js';
import { Milestone, toMilestone } from './milestones.schemas.js';

const GoalType = stringEnum(GOAL_TYPES);
const TargetType = stringEnum(TARGET_TYPES);
const GoalStatus = stringEnum(GOAL_STATUSES);
const Role = stringEnum(PARTICIPANT_ROLES);
const Money = Type.Number({ description: 'Money: a JSON number with at most two decimals' });
const NullableMoney = Type.Union([Money, Type.Null()]);
const DateOnly = Type.String({ format: 'date', description: 'YYYY-MM-DD' });

const Title = UserText({ minLength: 1, maxLength: TITLE_MAX });
const Description = Type.Union([UserText({ maxLength: DESCRIPTION_MAX, multiline: true }), Type.Null()]);
const Category = Type.Union([
  UserText({ maxLength: CATEGORY_MAX, description: 'A slug, stored lower-case ("Home Improvement" → "home-improvement")' }),
  Type.Null(),
]);
const Currency = Type.String({
  pattern: '^[A-Z]{3}$',
  [PATTERN_MESSAGE]: 'must be a three-letter ISO 4217 currency code in capitals, e.g. USD',
  description: 'ISO 4217 code, e.g. USD',
});
const TargetAmount = Type.Number({ description: '> 0, at most two decimals, at most 9999999999.99' });

export const CreateGoalBody = Type.Object(
  {
    title: Title,
    description: Type.Optional(Description),
    category: Type.Optional(Category),
    goal_type: GoalType,
    target_type: TargetType,
    target_amount: Type.Optional(TargetAmount),
    target_currency: Type.Optional(Currency),
    target_date: Type.Optional(DateOnly),
    is_public: Type.Optional(Type.Boolean()),
    participant_ids: Type.Optional(
      Type.Array(Uuid, { maxItems: MAX_PARTICIPANTS_ON_CREATE, description: 'Friends of the creator; group goals only' }),
    ),
  },
  { additionalProperties: false },
);

export const UpdateGoalBody = Type.Object(
  {
    title: Type.Optional(Title),
    description: Type.Optional(Description),
    category: Type.Optional(Category),
    target_type: Type.Optional(TargetType),
    target_amount: Type.Optional(Type.Union([TargetAmount, Type.Null()])),
    target_currency: Type.Optional(Currency),
    target_date: Type.Optional(Type.Union([DateOnly, Type.Null()])),
    is_public: Type.Optional(Type.Boolean()),
    status: Type.Optional(
      stringEnum(SETTABLE_GOAL_STATUSES, { description: 'completed only through POST /goals/{goalId}/complete' }),
    ),
  },
  { additionalProperties: false },
);

export const GoalIdParams = Type.Object({ goalId: Uuid }, { additionalProperties: false });
export const GoalParticipantParams = Type.Object({ goalId: Uuid, userId: Uuid }, { additionalProperties: false });
export const OwnerParams = Type.Object({ userId: Uuid }, { additionalProperties: false });

export const ListGoalsQuery = Type.Object(
  {
    ...PageQuery,
    status: Type.Optional(stringEnum(GOAL_STATUS_FILTERS, { default: 'active' })),
    category: Type.Optional(UserText({ minLength: 1, maxLength: CATEGORY_MAX })),
    type: Type.Optional(stringEnum(GOAL_TYPE_FILTERS, { default: 'all' })),
  },
  { additionalProperties: false },
);

export const UserGoalsQuery = Type.Object(
  {
    ...PageQuery,
    status: Type.Optional(stringEnum(GOAL_STATUS_FILTERS, { default: 'all' })),
  },
  { additionalProperties: false },
);

export const AddParticipantBody = Type.Object(
  {
    user_id: Uuid,
    role: Type.Optional(stringEnum(ADDABLE_PARTICIPANT_ROLES, { default: 'member' })),
  },
  { additionalProperties: false },
);

export const Participant = Type.Object(
  {
    user_id: Uuid,
    username: Type.String(),
    full_name: Type.String(),
    profile_image_url: NullableString,
    role: Role,
    contribution_amount: Money,
    joined_at: Timestamp,
  },
  { title: 'GoalParticipant' },
);

const goalFields = {
  id: Uuid,
  creator_id: Uuid,
  title: Type.String(),
  description: NullableString,
  category: NullableString,
  goal_type: GoalType,
  target_type: Type.Union([TargetType, Type.Null()]),
  target_amount: NullableMoney,
  target_currency: Type.String(),
  target_date: Type.Union([DateOnly, Type.Null()]),
  days_remaining: Type.Union([Type.Integer({ minimum: 0 }), Type.Null()], {
    description: 'Whole days until target_date in the caller’s time zone; 0 once passed; null without a date',
  }),
  current_amount: Money,
  progress_percentage: Type.Number({ minimum: 0, maximum: 100 }),
  image_url: NullableString,
  status: GoalStatus,
  is_public: Type.Boolean(),
  completed_at: NullableTimestamp,
  created_at: Timestamp,
  updated_at: Timestamp,
};

export const Goal = Type.Object(
  {
    ...goalFields,
    my_role: Type.Union([Role, Type.Null()], { description: 'The caller’s role, null when not a participant' }),
    participants: Type.Array(Participant, { description: 'Active participants, creator first' }),
    milestones: Type.Array(Milestone, { description: 'By order_index' }),
    recent_contributions: Type.Array(ContributionItem, { description: 'The latest 10, newest first' }),
  },
  { title: 'Goal' },
);

export const GoalListEntry = Type.Object(
  {
    id: Uuid,
    title: Type.String(),
    category: NullableString,
    goal_type: GoalType,
    target_type: goalFields.target_type,
    target_amount: NullableMoney,
    target_currency: Type.String(),
    current_amount: Money,
    progress_percentage: goalFields.progress_percentage,
    target_date: goalFields.target_date,
    days_remaining: goalFields.days_remaining,
    image_url: NullableString,
    participants_count: Type.Integer(),
    participants_preview: Type.Array(Type.Object({ user_id: Uuid, profile_image_url: NullableString }), { maxItems: 5 }),
    status: GoalStatus,
    is_public: Type.Boolean(),
    created_at: Timestamp,
  },
  { title: 'GoalListItem' },
);

export const GoalList = Type.Object({ goals: Type.Array(GoalListEntry), pagination: PagePagination }, { title: 'GoalList' });

export const GoalImage = Type.Object({ image_url: Type.String(), thumbnail_url: Type.String(), updated_at: Timestamp });

const money = (v: string | null) => (v === null ? null : moneyToNumber(v));

export function toParticipant(p: ParticipantCardRow) {
  return {
    user_id: p.userId,
    username: p.username,
    full_name: p.fullName,
    profile_image_url: p.profileImageUrl,
    role: p.role,
    contribution_amount: moneyToNumber(p.contributionAmount),
    joined_at: p.joinedAt.toISOString(),
  };
}

function toGoalFields(g: GoalRow, daysRemaining: number | null) {
  return {
    id: g.id,
    creator_id: g.creatorId,
    title: g.title,
    description: g.description,
    category: g.category,
    goal_type: g.goalType,
    target_type: g.targetType,
    target_amount: money(g.targetAmount),
    target_currency: g.targetCurrency,
    target_date: g.targetDate,
    days_remaining: daysRemaining,
    current_amount: moneyToNumber(g.currentAmount),
    progress_percentage: g.progressPercentage,
    image_url: g.imageUrl,
    status: g.status,
    is_public: g.isPublic,
    completed_at: g.completedAt ? g.completedAt.toISOString() : null,
    created_at: g.createdAt.toISOString(),
    updated_at: g.updatedAt.toISOString(),
  };
}

export function toGoal(d: GoalDetails) {
  return {
    ...toGoalFields(d.goal, d.daysRemaining),
    my_role: d.myRole,
    participants: d.participants.map(toParticipant),
    milestones: d.milestones.map(toMilestone),
    recent_contributions: d.recentContributions.map(toContributionItem),
  };
}

export function toGoalListEntry(item: GoalListItem) {
  const g = toGoalFields(item, item.daysRemaining);
  return {
    id: g.id,
    title: g.title,
    category: g.category,
    goal_type: g.goal_type,
    target_type: g.target_type,
    target_amount: g.target_amount,
    target_currency: g.target_currency,
    current_amount: g.current_amount,
    progress_percentage: g.progress_percentage,
    target_date: g.target_date,
    days_remaining: g.days_remaining,
    image_url: g.image_url,
    participants_count: item.participantsCount,
    participants_preview: item.preview.map((p) => ({ user_id: p.userId, profile_image_url: p.profileImageUrl })),
    status: g.status,
    is_public: g.is_public,
    created_at: g.created_at,
  };
}
