import { principalOf } from '../../http/principal.js';
import { EmptyBody, errorResponses } from '../../http/schemas.js';
import type { TypedApp } from '../../http/typebox.js';
import { AddParticipantBody, GoalIdParams, GoalParticipantParams, Participant, toParticipant } from './goals.schemas.js';
import type { ParticipantsService } from './participants.service.js';

const tags = ['goals'];

/** Plan 4.4: POST/DELETE /api/v1/goals/:goalId/participants. */
export function registerParticipantsRoutes(app: TypedApp, participants: ParticipantsService): void {
  app.post(
    '/api/v1/goals/:goalId/participants',
    {
      schema: {
        operationId: 'addGoalParticipant',
        tags,
        summary: 'Add a friend to a group goal (creator only)',
        description:
          'The user must be a friend of the creator and not blocked (422 participants_not_friends); individual goals ' +
          'take no participants (422 not_a_group_goal); an active participant is 409 already_participant; someone ' +
          'who left rejoins with their earlier contributions.',
        params: GoalIdParams,
        body: AddParticipantBody,
        response: { 201: Participant, ...errorResponses(400, 401, 403, 404, 409, 422, 429) },
      },
    },
    async (request, reply) => {
      const card = await participants.add(
        principalOf(request).userId,
        request.params.goalId,
        request.body.user_id,
        request.body.role ?? 'member',
      );
      return reply.status(201).send(toParticipant(card));
    },
  );

  app.delete(
    '/api/v1/goals/:goalId/participants/:userId',
    {
      schema: {
        operationId: 'removeGoalParticipant',
        tags,
        summary: 'Remove a participant (creator) or leave a goal (the participant themself)',
        description: 'Their contributions stay. The creator cannot leave their own goal (422 creator_cannot_leave).',
        params: GoalParticipantParams,
        response: { 204: EmptyBody, ...errorResponses(401, 403, 404, 422, 429) },
      },
    },
    async (request, reply) => {
      await participants.remove(principalOf(request).userId, request.params.goalId, request.params.userId);
      return reply.status(204).send(null);
    },
  );
}
