import { feedPagination } from '../../http/pagination.js';
import { principalOf } from '../../http/principal.js';
import { errorResponses } from '../../http/schemas.js';
import type { TypedApp } from '../../http/typebox.js';
import { GoalFeed, GoalFeedQuery, toFeedEntry } from './goal-activity.schemas.js';
import type { GoalActivityService } from './goal-activity.service.js';

const tags = ['feed'];

/** The goal activity feed. A static path: Fastify matches it before /api/v1/goals/:goalId. */
export function registerGoalActivityRoutes(app: TypedApp, feed: GoalActivityService): void {
  app.get(
    '/api/v1/goals/feed',
    {
      schema: {
        operationId: 'getGoalFeed',
        tags,
        summary: 'Goal activity of the caller and their friends, newest first',
        description:
          'Goals created, contributions, milestones and completions by the caller and by friends who share their ' +
          'activity, limited to goals the caller may see now (a goal made private, a block or an unfriending since ' +
          'hides its entries).',
        querystring: GoalFeedQuery,
        response: { 200: GoalFeed, ...errorResponses(401, 422, 429) },
      },
    },
    async (request) => {
      const { page, limit } = request.query;
      const result = await feed.listGoalFeed(principalOf(request).userId, page, limit);
      return { entries: result.items.map(toFeedEntry), pagination: feedPagination(page, limit, result.hasMore) };
    },
  );
}
