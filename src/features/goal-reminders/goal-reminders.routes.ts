import { principalOf } from '../../http/principal.js';
import { EmptyBody, errorResponses } from '../../http/schemas.js';
import type { TypedApp } from '../../http/typebox.js';
import {
  CreateReminderBody,
  GoalIdParams,
  Reminder,
  ReminderList,
  ReminderParams,
  UpdateReminderBody,
  toReminder,
} from './goal-reminders.schemas.js';
import type { GoalRemindersService } from './goal-reminders.service.js';

const tags = ['goals'];

/** /api/v1/goals/:goalId/reminders: a participant's own reminders on a goal. */
export function registerGoalReminderRoutes(app: TypedApp, reminders: GoalRemindersService): void {
  app.post(
    '/api/v1/goals/:goalId/reminders',
    {
      schema: {
        operationId: 'createGoalReminder',
        tags,
        summary: 'Add a reminder on a goal the caller actively participates in (at most 10 per goal)',
        params: GoalIdParams,
        body: CreateReminderBody,
        response: { 201: Reminder, ...errorResponses(400, 401, 404, 409, 422, 429) },
      },
    },
    async (request, reply) => {
      const b = request.body;
      const row = await reminders.create(principalOf(request).userId, request.params.goalId, {
        type: b.reminder_type,
        time: b.reminder_time,
        ...(b.reminder_days !== undefined ? { days: b.reminder_days } : {}),
        ...(b.timezone !== undefined ? { timezone: b.timezone } : {}),
      });
      return reply.status(201).send(toReminder(row));
    },
  );

  app.get(
    '/api/v1/goals/:goalId/reminders',
    {
      schema: {
        operationId: 'listGoalReminders',
        tags,
        summary: 'The caller’s reminders on a goal',
        params: GoalIdParams,
        response: { 200: ReminderList, ...errorResponses(401, 404, 422, 429) },
      },
    },
    async (request) => {
      const rows = await reminders.list(principalOf(request).userId, request.params.goalId);
      return { reminders: rows.map(toReminder) };
    },
  );

  app.put(
    '/api/v1/goals/:goalId/reminders/:reminderId',
    {
      schema: {
        operationId: 'updateGoalReminder',
        tags,
        summary: 'Update one of the caller’s reminders (partial; is_active false pauses it)',
        params: ReminderParams,
        body: UpdateReminderBody,
        response: { 200: Reminder, ...errorResponses(400, 401, 404, 422, 429) },
      },
    },
    async (request) => {
      const b = request.body;
      const { goalId, reminderId } = request.params;
      const row = await reminders.update(principalOf(request).userId, goalId, reminderId, {
        ...(b.reminder_type !== undefined ? { type: b.reminder_type } : {}),
        ...(b.reminder_time !== undefined ? { time: b.reminder_time } : {}),
        ...(b.reminder_days !== undefined ? { days: b.reminder_days } : {}),
        ...(b.timezone !== undefined ? { timezone: b.timezone } : {}),
        ...(b.is_active !== undefined ? { isActive: b.is_active } : {}),
      });
      return toReminder(row);
    },
  );

  app.delete(
    '/api/v1/goals/:goalId/reminders/:reminderId',
    {
      schema: {
        operationId: 'deleteGoalReminder',
        tags,
        summary: 'Delete one of the caller’s reminders',
        params: ReminderParams,
        response: { 204: EmptyBody, ...errorResponses(401, 404, 422, 429) },
      },
    },
    async (request, reply) => {
      const { goalId, reminderId } = request.params;
      await reminders.remove(principalOf(request).userId, goalId, reminderId);
      return reply.status(204).send(null);
    },
  );
}
