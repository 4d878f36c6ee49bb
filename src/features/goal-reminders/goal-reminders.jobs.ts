import type { CronJob } from '../../infra/jobs/job-engine.js';
import type { GoalRemindersService } from './goal-reminders.service.js';

/**
 * Every minute: fires the goal reminders that are due. The job engine fires each minute's run in one
 * process; the service's compare-and-set claims keep each occurrence firing once even when runs
 * overlap (a slow run, `runCronNow`, a retried run).
 */
export function goalRemindersJob(reminders: GoalRemindersService): CronJob {
  return {
    name: 'goal-reminders',
    cron: '* * * * *',
    run: async (now) => {
      await reminders.fireDueReminders(now);
    },
  };
}
