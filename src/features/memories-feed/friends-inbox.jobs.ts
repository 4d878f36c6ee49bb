import type { CronJob } from '../../infra/jobs/job-engine.js';
import type { FriendsInboxService } from './friends-inbox.service.js';

/** Daily (03:30 UTC): drops friends-inbox rows past the window (older pages are read from posts directly). */
export function friendsInboxTrimJob(inbox: FriendsInboxService): CronJob {
  return {
    name: 'friends-inbox-trim',
    cron: '30 3 * * *',
    run: async (now) => {
      await inbox.trim(now);
    },
  };
}
