import type { PeriodicJob } from '../../infra/jobs/scheduler.js';
import type { FriendsService } from './friends.service.js';

const HOUR_MS = 3_600_000;

/** Nightly (02:00 UTC): recomputes every active user's friend suggestions, in batches. */
export function friendSuggestionsJob(friends: FriendsService): PeriodicJob {
  return {
    name: 'friend-suggestions',
    everyMs: 24 * HOUR_MS,
    offsetMs: 2 * HOUR_MS,
    timeoutMs: 4 * HOUR_MS,
    run: async () => {
      await friends.suggestions.recomputeAll();
    },
  };
}
