import type { PeriodicJob } from '../../infra/jobs/scheduler.js';
import type { NotifierService } from './notifier.service.js';
import type { PushDeliveryService } from './push-delivery.service.js';

/**
 * Every 15 seconds (in practice every scheduler tick): delivers the pushes that are due — new ones
 * the in-process kick has not taken yet, retries whose backoff has passed, rows whose sender died.
 */
export function pushDeliveryJob(delivery: PushDeliveryService): PeriodicJob {
  return {
    name: 'push-delivery',
    everyMs: 15_000,
    timeoutMs: 5 * 60_000,
    run: async () => {
      await delivery.deliverDue();
    },
  };
}

/** Every 15 minutes: partner check-in notifications whose period began (once per partnership and period). */
export function partnerCheckinsJob(notifier: NotifierService): PeriodicJob {
  return {
    name: 'partner-checkins',
    everyMs: 15 * 60_000,
    run: async (now) => {
      await notifier.firePartnerCheckins(now);
    },
  };
}
