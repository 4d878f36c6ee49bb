import { Type } from 'typebox';
import { pagePagination, PageQuery } from '../../http/pagination.js';
import { principalOf } from '../../http/principal.js';
import { errorResponses } from '../../http/schemas.js';
import type { TypedApp } from '../../http/typebox.js';
import { ContributionCreated, ContributionList, CreateContributionBody, toContributionCreated, toContributionItem } from './contributions.schemas.js';
import type { ContributionsService } from './contributions.service.js';
import { GoalIdParams } from './goals.schemas.js';

const tags = ['goals'];

/** Plan 4.4: POST/GET /api/v1/goals/:goalId/contributions. */
export function registerContributionsRoutes(app: TypedApp, contributions: ContributionsService): void {
  app.post(
    '/api/v1/goals/:goalId/contributions',
    {
      schema: {
        operationId: 'addGoalContribution',
        tags,
        summary: 'Contribute to a goal (active participants of an active goal)',
        description:
          'Adds the amount to current_amount and the caller’s contribution_amount in one transaction with exact decimal ' +
          'arithmetic; achieves the milestones whose target_value it reaches (achieved_by = the caller); completes an ' +
          'amount goal that reaches its target. Non-participants 403 not_a_participant; goals that are not active 409 ' +
          'goal_not_active.',
        params: GoalIdParams,
        body: CreateContributionBody,
        response: { 201: ContributionCreated, ...errorResponses(400, 401, 403, 404, 409, 422, 429) },
      },
    },
    async (request, reply) => {
      const b = request.body;
      const result = await contributions.contribute(principalOf(request).userId, request.params.goalId, {
        amount: b.amount,
        note: b.note,
        contributionType: b.contribution_type ?? 'monetary',
      });
      return reply.status(201).send(toContributionCreated(result));
    },
  );

  app.get(
    '/api/v1/goals/:goalId/contributions',
    {
      schema: {
        operationId: 'listGoalContributions',
        tags,
        summary: 'A goal’s contributions, newest first, with each contributor’s card (same visibility as the goal)',
        params: GoalIdParams,
        querystring: Type.Object(PageQuery, { additionalProperties: false }),
        response: { 200: ContributionList, ...errorResponses(401, 404, 422, 429) },
      },
    },
    async (request) => {
      const { page, limit } = request.query;
      const { items, total } = await contributions.list(principalOf(request).userId, request.params.goalId, page, limit);
      return {
        contributions: items.map(toContributionItem),
        pagination: pagePagination(page, limit, total),
      };
    },
  );
}
