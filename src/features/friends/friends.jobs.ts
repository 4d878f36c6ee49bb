import type { CronJob } from '../../infra/jobs/job-engine.js';
import type { FriendsService } from './friends.service.js';

/** Nightly (02:00 UTC): recomputes every active user's friend suggestions, in batches. */
export function friendSuggestionsJob(friends: FriendsService): CronJob {
  return {
    name: 'friend-suggestions',
    cron: '0 2 * * *',
    run: async () => {
      await friends.suggestions.recomputeAll();
    },
  };
}
