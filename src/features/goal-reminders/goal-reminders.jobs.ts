import type { PeriodicJob } from '../../infra/jobs/scheduler.js';
import type { GoalRemindersService } from './goal-reminders.service.js';

/**
 * Every minute: fires the goal reminders that are due. The scheduler's period lock normally lets
 * one process run each minute; the service's compare-and-set claims keep each occurrence firing
 * once even when runs overlap (a slow run, `runNow`, a lock that expired).
 */
export function goalRemindersJob(reminders: GoalRemindersService): PeriodicJob {
  return {
    name: 'goal-reminders',
    everyMs: 60_000,
    run: async (now) => {
      await reminders.fireDueReminders(now);
    },
  };
}
