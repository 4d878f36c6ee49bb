import { AppError, notFound, validationError } from '../../lib/app-error.js';

/** The caller is not an active participant (or the goal does not exist): the same answer for both. */
export const goalNotFound = () => notFound('goal_not_found', 'Goal not found');
export const reminderNotFound = () => notFound('reminder_not_found', 'Reminder not found');
export const goalNotActive = () =>
  new AppError('conflict', 'goal_not_active', 'Reminders cannot be added to a completed or cancelled goal');
export const tooManyReminders = (max: number) =>
  validationError('too_many_reminders', [{ message: `at most ${max} reminders per goal` }]);
export const invalidTimezone = () =>
  validationError('invalid_timezone', [{ field: 'timezone', message: 'is not an IANA time zone' }]);
export const daysNotAllowed = () =>
  validationError('invalid_reminder_days', [
    { field: 'reminder_days', message: 'must not be set for a daily reminder' },
  ]);
export const daysRequired = () =>
  validationError('invalid_reminder_days', [
    { field: 'reminder_days', message: 'is required (at least one day 0–6) for weekly and custom reminders' },
  ]);
