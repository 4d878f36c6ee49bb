import type { CronJob } from '../../infra/jobs/job-engine.js';
import type { StoriesService } from './stories.service.js';

/**
 * Plan 9.3, every 15 minutes: removes expired stories with their views and media, in batches. Media
 * goes first and a row only after its media, so a failed media delete is retried on the next run.
 */
export function storyCleanupJob(stories: StoriesService): CronJob {
  return {
    name: 'story-cleanup',
    cron: '*/15 * * * *',
    run: async (now) => {
      await stories.removeExpired(now);
    },
  };
}
