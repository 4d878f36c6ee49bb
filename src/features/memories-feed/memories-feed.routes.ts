import { principalOf } from '../../http/principal.js';
import { errorResponses } from '../../http/schemas.js';
import type { TypedApp } from '../../http/typebox.js';
import { MemoriesFeed, MemoriesFeedQuery, toMemoriesFeed } from './memories-feed.schemas.js';
import type { MemoriesFeedService } from './memories-feed.service.js';

/** GET /api/v1/feed: the memories feed (plan 4.5). */
export function registerMemoriesFeedRoutes(app: TypedApp, feed: MemoriesFeedService): void {
  app.get(
    '/api/v1/feed',
    {
      schema: {
        operationId: 'getMemoriesFeed',
        tags: ['feed'],
        summary: 'Memories feed: friends (default), discover or following',
        description:
          'friends: the caller’s and friends’ posts, newest first. following: posts of accountability partners and of ' +
          'co-participants of the caller’s goals, newest first. discover: public posts of non-friends from the last 7 ' +
          'days ranked by engagement (at most 1,000). Page with `next_cursor` (stable while new posts arrive) or `page`.',
        querystring: MemoriesFeedQuery,
        response: { 200: MemoriesFeed, ...errorResponses(401, 422, 429) },
      },
    },
    async (request) => {
      const { feed_type: feedType, limit, cursor, page } = request.query;
      const result = await feed.listFeed(principalOf(request).userId, {
        feedType,
        limit,
        ...(cursor !== undefined ? { cursor } : {}),
        ...(page !== undefined ? { page } : {}),
      });
      return toMemoriesFeed(result, limit, page);
    },
  );
}
