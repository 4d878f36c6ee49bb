import { principalOf } from '../../http/principal.js';
import { errorResponses } from '../../http/schemas.js';
import type { TypedApp } from '../../http/typebox.js';
import { UserIdParams } from '../users/users.schemas.js';
import { AchievementList, toAchievement } from './achievements.schemas.js';
import type { AchievementsService } from './achievements.service.js';

const tags = ['achievements'];

/** Plan 3.8: the achievements catalogue with the caller's progress, and a user's earned badges. */
export function registerAchievementsRoutes(app: TypedApp, achievements: AchievementsService): void {
  app.get(
    '/api/v1/achievements',
    {
      schema: {
        operationId: 'listAchievements',
        tags,
        summary: 'The achievements catalogue (active badges) with whether and when the caller earned each',
        response: { 200: AchievementList, ...errorResponses(401, 429) },
      },
    },
    async (request) => {
      const items = await achievements.catalogFor(principalOf(request).userId);
      return { achievements: items.map(toAchievement) };
    },
  );

  app.get(
    '/api/v1/users/:userId/achievements',
    {
      schema: {
        operationId: 'listUserAchievements',
        tags,
        summary: 'The badges a user earned, newest first (same visibility as the full profile)',
        description: 'Visible when the caller may see the user’s full profile; otherwise, and when blocked either way, 404 user_not_found.',
        params: UserIdParams,
        response: { 200: AchievementList, ...errorResponses(401, 404, 422, 429) },
      },
    },
    async (request) => {
      const items = await achievements.earnedBy(principalOf(request).userId, request.params.userId);
      return { achievements: items.map(toAchievement) };
    },
  );
}
