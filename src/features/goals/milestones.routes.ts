import type { Static } from 'typebox';
import { principalOf } from '../../http/principal.js';
import { EmptyBody, errorResponses } from '../../http/schemas.js';
import type { TypedApp } from '../../http/typebox.js';
import { GoalIdParams } from './goals.schemas.js';
import { CreateMilestoneBody, Milestone, MilestoneParams, UpdateMilestoneBody, toMilestone } from './milestones.schemas.js';
import type { MilestonePatch, MilestonesService } from './milestones.service.js';

const tags = ['goals'];

function toPatch(b: Static<typeof UpdateMilestoneBody>): MilestonePatch {
  const patch: MilestonePatch = {
    title: b.title,
    description: b.description,
    targetValue: b.target_value,
    orderIndex: b.order_index,
    achieved: b.achieved,
  };
  return Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)) as MilestonePatch;
}

/** Plan 4.4: POST/PUT/DELETE /api/v1/goals/:goalId/milestones[/:milestoneId]. */
export function registerMilestonesRoutes(app: TypedApp, milestones: MilestonesService): void {
  app.post(
    '/api/v1/goals/:goalId/milestones',
    {
      schema: {
        operationId: 'createGoalMilestone',
        tags,
        summary: 'Add a milestone (creator only)',
        description:
          'Without order_index it goes last. A target_value the goal has already reached makes it achieved at once ' +
          '(achieved_by null).',
        params: GoalIdParams,
        body: CreateMilestoneBody,
        response: { 201: Milestone, ...errorResponses(400, 401, 403, 404, 422, 429) },
      },
    },
    async (request, reply) => {
      const b = request.body;
      const created = await milestones.create(principalOf(request).userId, request.params.goalId, {
        title: b.title,
        description: b.description,
        targetValue: b.target_value,
        orderIndex: b.order_index,
      });
      return reply.status(201).send(toMilestone(created));
    },
  );

  app.put(
    '/api/v1/goals/:goalId/milestones/:milestoneId',
    {
      schema: {
        operationId: 'updateGoalMilestone',
        tags,
        summary: 'Edit a milestone (creator), or tick it achieved (any active participant)',
        description:
          'title, description, target_value and order_index: creator only (403 not_goal_creator). achieved: true, from ' +
          'any active participant of an active goal, ticks a milestone WITHOUT target_value (achieved_by = caller); ' +
          'milestones with a target_value are achieved only by contributions (422 milestone_has_target).',
        params: MilestoneParams,
        body: UpdateMilestoneBody,
        response: { 200: Milestone, ...errorResponses(400, 401, 403, 404, 409, 422, 429) },
      },
    },
    async (request) => {
      const { goalId, milestoneId } = request.params;
      return toMilestone(await milestones.update(principalOf(request).userId, goalId, milestoneId, toPatch(request.body)));
    },
  );

  app.delete(
    '/api/v1/goals/:goalId/milestones/:milestoneId',
    {
      schema: {
        operationId: 'deleteGoalMilestone',
        tags,
        summary: 'Delete a milestone (creator only)',
        params: MilestoneParams,
        response: { 204: EmptyBody, ...errorResponses(401, 403, 404, 422, 429) },
      },
    },
    async (request, reply) => {
      const { goalId, milestoneId } = request.params;
      await milestones.delete(principalOf(request).userId, goalId, milestoneId);
      return reply.status(204).send(null);
    },
  );
}
