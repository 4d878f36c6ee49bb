import { Type } from 'typebox';
import { FeedPagination, PageQuery } from '../../http/pagination.js';
import { NullableString, stringEnum, Timestamp, Uuid } from '../../http/schemas.js';
import { moneyToNumber } from '../../lib/money.js';
import { toUserCardJson, USER_CARD_FIELDS } from '../users/user-card.js';
import { GOAL_ENTRY_TYPES, type GoalFeedItem } from './goal-activity.repo.js';

export const GoalFeedQuery = Type.Object(PageQuery, { additionalProperties: false });

/** What an entry shows besides the actor and the goal; which fields are present depends on entry_type. */
const EntryData = Type.Object({
  participants_count: Type.Optional(Type.Integer()),
  contribution_id: Type.Optional(Uuid),
  contribution_type: Type.Optional(Type.String()),
  amount: Type.Optional(Type.Number({ description: 'the contribution, at most two decimals' })),
  currency: Type.Optional(Type.String()),
  current_amount: Type.Optional(Type.Number({ description: 'the goal’s amount right after the contribution' })),
  progress_percentage: Type.Optional(Type.Number({ description: 'the goal’s progress right after the contribution' })),
  milestone_id: Type.Optional(Uuid),
  milestone_title: Type.Optional(Type.String()),
});

const FeedEntry = Type.Object({
  id: Uuid,
  entry_type: stringEnum(GOAL_ENTRY_TYPES),
  actor: Type.Object(USER_CARD_FIELDS),
  goal: Type.Object({
    id: Uuid,
    title: Type.String(),
    category: NullableString,
    goal_type: Type.String(),
    progress_percentage: Type.Number(),
    image_url: NullableString,
  }),
  data: EntryData,
  time_ago: Type.String(),
  created_at: Timestamp,
}, { title: 'GoalFeedEntry' });

export const GoalFeed = Type.Object({
  entries: Type.Array(FeedEntry),
  pagination: FeedPagination,
});

const MONEY_FIELDS = new Set(['amount', 'current_amount']);

/** Metadata as stored (money as exact decimal strings) → the wire (money as two-decimal numbers). */
function toEntryData(metadata: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(metadata).map(([k, v]) => [k, MONEY_FIELDS.has(k) && (typeof v === 'string' || typeof v === 'number') ? moneyToNumber(v) : v]),
  );
}

export function toFeedEntry(item: GoalFeedItem & { timeAgo: string }) {
  return {
    id: item.id,
    entry_type: item.entryType,
    actor: toUserCardJson(item.actor),
    goal: {
      id: item.goal.id,
      title: item.goal.title,
      category: item.goal.category,
      goal_type: item.goal.goalType,
      progress_percentage: item.goal.progressPercentage,
      image_url: item.goal.imageUrl,
    },
    data: toEntryData(item.metadata),
    time_ago: item.timeAgo,
    created_at: item.createdAt.toISOString(),
  };
}
