import type { Static } from 'typebox';
import { pagePagination } from '../../http/pagination.js';
import { principalOf } from '../../http/principal.js';
import { EmptyBody, errorResponses } from '../../http/schemas.js';
import type { TypedApp } from '../../http/typebox.js';
import type { Page } from '../../lib/page.js';
import {
  CreateGoalBody,
  Goal,
  GoalIdParams,
  GoalList,
  ListGoalsQuery,
  OwnerParams,
  UpdateGoalBody,
  UserGoalsQuery,
  toGoal,
  toGoalListEntry,
} from './goals.schemas.js';
import type { GoalListFilter } from './goals.reads.repo.js';
import type { GoalReadsService, GoalListItem } from './goals.reads.service.js';
import type { GoalsService } from './goals.service.js';
import { categoryKey } from './goals.rules.js';
import type { GoalPatch } from './goals.update.js';

const tags = ['goals'];
const IMAGE_NOTE =
  'There is no image_url field: a goal image is only ever one this server stored, uploaded through ' +
  'PUT /api/v1/goals/{goalId}/image (so clients cannot point goals at arbitrary URLs).';

function toList(result: Page<GoalListItem>, page: number, limit: number) {
  return {
    goals: result.items.map(toGoalListEntry),
    pagination: pagePagination(page, limit, result.total),
  };
}

function toPatch(b: Static<typeof UpdateGoalBody>): GoalPatch {
  const patch: GoalPatch = {
    title: b.title,
    description: b.description,
    category: b.category,
    targetType: b.target_type,
    targetAmount: b.target_amount,
    targetCurrency: b.target_currency,
    targetDate: b.target_date,
    isPublic: b.is_public,
    status: b.status,
  };
  return Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)) as GoalPatch;
}

/** Plan 4.4: goals themselves (the caller's list, one goal, create, edit, complete, delete) and a user's goals. */
export function registerGoalsRoutes(app: TypedApp, goals: GoalsService, reads: GoalReadsService): void {
  app.post(
    '/api/v1/goals',
    {
      schema: {
        operationId: 'createGoal',
        tags,
        summary: 'Create a goal; the caller becomes its creator, listed friends its members',
        description:
          'target_type amount needs target_amount; date needs target_date (today or later in the caller’s time zone); ' +
          'participant_ids (group goals only) must all be friends of the caller, else 422 participants_not_friends ' +
          `naming each. ${IMAGE_NOTE}`,
        body: CreateGoalBody,
        response: { 201: Goal, ...errorResponses(400, 401, 422, 429) },
      },
    },
    async (request, reply) => {
      const b = request.body;
      const details = await goals.create(principalOf(request).userId, {
        title: b.title,
        description: b.description,
        category: b.category,
        goalType: b.goal_type,
        targetType: b.target_type,
        targetAmount: b.target_amount,
        targetCurrency: b.target_currency,
        targetDate: b.target_date,
        isPublic: b.is_public,
        participantIds: b.participant_ids,
      });
      return reply.status(201).send(toGoal(details));
    },
  );

  app.get(
    '/api/v1/goals',
    {
      schema: {
        operationId: 'listGoals',
        tags,
        summary: 'The caller’s goals (created or taking part), newest first',
        querystring: ListGoalsQuery,
        response: { 200: GoalList, ...errorResponses(401, 422, 429) },
      },
    },
    async (request) => {
      const { page, limit, status = 'active', type = 'all', category } = request.query;
      const filter: GoalListFilter = { status, type, ...(category ? { category: categoryKey(category) } : {}) };
      return toList(await reads.listMine(principalOf(request).userId, filter, page, limit), page, limit);
    },
  );

  app.get(
    '/api/v1/users/:userId/goals',
    {
      schema: {
        operationId: 'listUserGoals',
        tags,
        summary: 'A user’s goals that the caller may see, newest first',
        description: 'Unknown users and users blocked either way are 404.',
        params: OwnerParams,
        querystring: UserGoalsQuery,
        response: { 200: GoalList, ...errorResponses(401, 404, 422, 429) },
      },
    },
    async (request) => {
      const { page, limit, status = 'all' } = request.query;
      const result = await reads.listOfUser(principalOf(request).userId, request.params.userId, { status, type: 'all' }, page, limit);
      return toList(result, page, limit);
    },
  );

  app.get(
    '/api/v1/goals/:goalId',
    {
      schema: {
        operationId: 'getGoal',
        tags,
        summary: 'One goal in full: participants, milestones, recent contributions',
        description:
          'Visible to its participants, accountability partners of a participant, and — for a public goal — the ' +
          'creator’s friends, or everyone when the creator’s profile is public; never to users blocked with the ' +
          'creator. Anything else is 404 goal_not_found.',
        params: GoalIdParams,
        response: { 200: Goal, ...errorResponses(401, 404, 422, 429) },
      },
    },
    async (request) => toGoal(await reads.details(principalOf(request).userId, request.params.goalId)),
  );

  app.put(
    '/api/v1/goals/:goalId',
    {
      schema: {
        operationId: 'updateGoal',
        tags,
        summary: 'Edit a goal (creator only; partial)',
        description:
          'status may be active, paused or cancelled (completed only through POST /complete); a completed goal’s ' +
          'status and target are final (409). An active amount goal whose new target_amount is already reached ' +
          `completes. ${IMAGE_NOTE}`,
        params: GoalIdParams,
        body: UpdateGoalBody,
        response: { 200: Goal, ...errorResponses(400, 401, 403, 404, 409, 422, 429) },
      },
    },
    async (request) => toGoal(await goals.update(principalOf(request).userId, request.params.goalId, toPatch(request.body))),
  );

  app.delete(
    '/api/v1/goals/:goalId',
    {
      schema: {
        operationId: 'deleteGoal',
        tags,
        summary: 'Delete a goal with its participants, contributions, milestones and images (creator only)',
        params: GoalIdParams,
        response: { 204: EmptyBody, ...errorResponses(401, 403, 404, 422, 429) },
      },
    },
    async (request, reply) => {
      await goals.delete(principalOf(request).userId, request.params.goalId);
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/api/v1/goals/:goalId/complete',
    {
      schema: {
        operationId: 'completeGoal',
        tags,
        summary: 'Mark an active or paused goal completed (creator only)',
        description: 'Sets completed_at and progress 100, and adds one to goals_achieved of every active participant.',
        params: GoalIdParams,
        response: { 200: Goal, ...errorResponses(401, 403, 404, 409, 422, 429) },
      },
    },
    async (request) => toGoal(await goals.complete(principalOf(request).userId, request.params.goalId)),
  );
}
