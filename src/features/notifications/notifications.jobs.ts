import type { CronJob } from '../../infra/jobs/job-engine.js';
import type { NotifierService } from './notifier.service.js';
import type { PushDeliveryService } from './push-delivery.service.js';

/**
 * Every minute: delivers the pushes that are due — new ones
 * the in-process kick has not taken yet, retries whose backoff has passed, rows whose sender died.
 */
export function pushDeliveryJob(delivery: PushDeliveryService): CronJob {
  return {
    name: 'push-delivery',
    cron: '* * * * *',
    run: async () => {
      await delivery.deliverDue();
    },
  };
}

/** Every 15 minutes: partner check-in notifications whose period began (once per partnership and period). */
export function partnerCheckinsJob(notifier: NotifierService): CronJob {
  return {
    name: 'partner-checkins',
    cron: '*/15 * * * *',
    run: async (now) => {
      await notifier.firePartnerCheckins(now);
    },
  };
}
