import type { PeriodicJob } from '../../infra/jobs/scheduler.js';
import type { FriendsInboxService } from './friends-inbox.service.js';

/** Daily: drops friends-inbox rows past the window (older pages are read from posts directly). */
export function friendsInboxTrimJob(inbox: FriendsInboxService): PeriodicJob {
  return {
    name: 'friends-inbox-trim',
    everyMs: 24 * 60 * 60_000,
    timeoutMs: 60 * 60_000,
    run: async (now) => {
      await inbox.trim(now);
    },
  };
}
