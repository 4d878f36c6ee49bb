import { Type } from 'typebox';
import { NullableString, NullableTimestamp, Timestamp, UserText, Uuid } from '../../http/schemas.js';
import { moneyToNumber } from '../../lib/money.js';
import { DESCRIPTION_MAX, TITLE_MAX } from './goals.rules.js';
import type { GoalMilestoneRow } from './goals.tables.js';

const TargetValue = Type.Union([Type.Number({ description: '> 0, at most two decimals: reached when current_amount gets there' }), Type.Null()]);
const OrderIndex = Type.Union([Type.Integer({ minimum: 0, maximum: 1_000_000 }), Type.Null()]);

const editable = {
  title: UserText({ minLength: 1, maxLength: TITLE_MAX }),
  description: Type.Optional(Type.Union([UserText({ maxLength: DESCRIPTION_MAX, multiline: true }), Type.Null()])),
  target_value: Type.Optional(TargetValue),
  order_index: Type.Optional(OrderIndex),
};

export const CreateMilestoneBody = Type.Object(editable, { additionalProperties: false });

export const UpdateMilestoneBody = Type.Object(
  {
    ...editable,
    title: Type.Optional(editable.title),
    achieved: Type.Optional(
      Type.Literal(true, { description: 'Ticks a milestone without target_value (any active participant); never undone' }),
    ),
  },
  { additionalProperties: false },
);

export const MilestoneParams = Type.Object({ goalId: Uuid, milestoneId: Uuid }, { additionalProperties: false });

export const Milestone = Type.Object(
  {
    id: Uuid,
    goal_id: Uuid,
    title: Type.String(),
    description: NullableString,
    target_value: Type.Union([Type.Number(), Type.Null()]),
    achieved: Type.Boolean(),
    achieved_at: NullableTimestamp,
    achieved_by: Type.Union([Uuid, Type.Null()], {
      description: 'Who crossed or ticked it; null when it was reached before it existed, or when that user and the caller are blocked either way',
    }),
    order_index: Type.Union([Type.Integer(), Type.Null()]),
    created_at: Timestamp,
  },
  { title: 'GoalMilestone' },
);

export function toMilestone(m: GoalMilestoneRow) {
  return {
    id: m.id,
    goal_id: m.goalId,
    title: m.title,
    description: m.description,
    target_value: m.targetValue === null ? null : moneyToNumber(m.targetValue),
    achieved: m.achieved,
    achieved_at: m.achievedAt ? m.achievedAt.toISOString() : null,
    achieved_by: m.achievedBy,
    order_index: m.orderIndex,
    created_at: m.createdAt.toISOString(),
  };
}
