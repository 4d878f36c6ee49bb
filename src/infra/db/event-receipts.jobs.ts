import type { CronJob } from '../jobs/job-engine.js';
import type { Database } from './database.js';
import { EVENT_RECEIPT_KEEP_DAYS, trimReceipts } from './event-receipts.js';

/** Daily (03:45 UTC): deletes the event receipts older than EVENT_RECEIPT_KEEP_DAYS (no retry comes that late). */
export function eventReceiptsTrimJob(database: Database): CronJob {
  return {
    name: 'event-receipts-trim',
    cron: '45 3 * * *',
    run: async (now) => {
      await trimReceipts(database, new Date(now.getTime() - EVENT_RECEIPT_KEEP_DAYS * 86_400_000));
    },
  };
}
