import { Type } from 'typebox';
import { NullableTimestamp, PATTERN_MESSAGE, stringEnum, Timestamp, UserText, Uuid } from '../../http/schemas.js';
import type { GoalReminderRow } from '../goals/goals.tables.js';
import { REMINDER_TYPES } from './goal-reminders.vocabulary.js';

const ReminderType = stringEnum(REMINDER_TYPES, {
  description: 'daily: every day; weekly and custom: on reminder_days',
});
const ReminderTime = Type.String({
  pattern: '^([01][0-9]|2[0-3]):[0-5][0-9]$',
  [PATTERN_MESSAGE]: 'must be a 24-hour time as HH:MM, e.g. 08:00',
  description: 'Local wall-clock time in `timezone`, 24-hour "HH:MM" (two digits each)',
  examples: ['08:00'],
});
const ReminderDays = Type.Array(Type.Integer({ minimum: 0, maximum: 6 }), {
  minItems: 1,
  maxItems: 7,
  uniqueItems: true,
  description: 'Weekdays in the reminder’s time zone, 0 = Sunday … 6 = Saturday; required for weekly and custom, refused for daily',
});
const Timezone = UserText({
  minLength: 1,
  maxLength: 64,
  description: 'IANA time zone, e.g. "Europe/Berlin"; defaults to the caller’s profile time zone',
});

export const GoalIdParams = Type.Object({ goalId: Uuid }, { additionalProperties: false });
export const ReminderParams = Type.Object({ goalId: Uuid, reminderId: Uuid }, { additionalProperties: false });

export const CreateReminderBody = Type.Object(
  {
    reminder_type: ReminderType,
    reminder_time: ReminderTime,
    reminder_days: Type.Optional(ReminderDays),
    timezone: Type.Optional(Timezone),
  },
  { additionalProperties: false },
);

export const UpdateReminderBody = Type.Object(
  {
    reminder_type: Type.Optional(ReminderType),
    reminder_time: Type.Optional(ReminderTime),
    reminder_days: Type.Optional(ReminderDays),
    timezone: Type.Optional(Timezone),
    is_active: Type.Optional(Type.Boolean({ description: 'false pauses the reminder' })),
  },
  { additionalProperties: false },
);

export const Reminder = Type.Object({
  id: Uuid,
  goal_id: Uuid,
  reminder_type: ReminderType,
  reminder_time: Type.String({ description: '"HH:MM", local to `timezone`' }),
  reminder_days: Type.Union([Type.Array(Type.Integer()), Type.Null()], { description: 'null for daily reminders' }),
  timezone: Type.String(),
  is_active: Type.Boolean(),
  next_fire_at: Type.Union([Timestamp, Type.Null()], { description: 'The next firing instant (UTC); null while paused' }),
  last_fired_at: NullableTimestamp,
  created_at: Timestamp,
}, { title: 'GoalReminder' });

export const ReminderList = Type.Object({ reminders: Type.Array(Reminder) });

export function toReminder(row: GoalReminderRow) {
  return {
    id: row.id,
    goal_id: row.goalId,
    reminder_type: row.reminderType ?? 'daily',
    reminder_time: (row.reminderTime ?? '').slice(0, 5),
    reminder_days: row.reminderType === 'daily' ? null : (row.reminderDays ?? []),
    timezone: row.timezone,
    is_active: row.isActive,
    next_fire_at: row.nextFireAt?.toISOString() ?? null,
    last_fired_at: row.lastFiredAt?.toISOString() ?? null,
    created_at: row.createdAt.toISOString(),
  };
}
