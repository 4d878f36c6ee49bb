import { Type } from 'typebox';
import { pagePagination } from '../../http/pagination.js';
import { principalOf } from '../../http/principal.js';
import { errorResponses } from '../../http/schemas.js';
import type { TypedApp } from '../../http/typebox.js';
import type { LifecycleAction } from './partners.policy.js';
import {
  ListPartnershipsQuery,
  Partnership,
  PartnershipIdParams,
  PartnershipList,
  ProposePartnershipBody,
  UpdatePartnershipBody,
  toPartnership,
} from './partners.schemas.js';
import type { PartnersService } from './partners.service.js';

const tags = ['partners'];
const BASE = '/api/v1/partners';

const LIFECYCLE: Array<{ action: LifecycleAction; operationId: string; summary: string }> = [
  { action: 'pause', operationId: 'pausePartnership', summary: 'Pause an active partnership (either partner)' },
  { action: 'resume', operationId: 'resumePartnership', summary: 'Resume a paused partnership (either partner)' },
  { action: 'end', operationId: 'endPartnership', summary: 'End an active or paused partnership (either partner)' },
];

/** Accountability partners: friends who agreed to hold each other to their goals (plan 3.2). */
export function registerPartnersRoutes(app: TypedApp, partners: PartnersService): void {
  app.post(
    BASE,
    {
      schema: {
        operationId: 'proposePartnership',
        tags,
        summary: 'Propose a partnership to a friend (accepts theirs if they already proposed to you)',
        description:
          'Creates a pending proposal the friend accepts or declines. If that friend already proposed to the ' +
          'caller, their proposal is accepted instead (status active, its check-in frequency kept). An ended ' +
          'partnership between the two is restarted as a new proposal.',
        body: ProposePartnershipBody,
        response: { 201: Partnership, ...errorResponses(400, 401, 403, 404, 409, 422, 429) },
      },
    },
    async (request, reply) => {
      const callerId = principalOf(request).userId;
      const result = await partners.propose(callerId, request.body.user_id, request.body.check_in_frequency);
      return reply.status(201).send(toPartnership(result, callerId));
    },
  );

  app.get(
    BASE,
    {
      schema: {
        operationId: 'listPartnerships',
        tags,
        summary: 'The caller’s partnerships and proposals, sent and received',
        description: 'Pending first, then active, paused and ended; newest first within each status.',
        querystring: ListPartnershipsQuery,
        response: { 200: PartnershipList, ...errorResponses(401, 422, 429) },
      },
    },
    async (request) => {
      const callerId = principalOf(request).userId;
      const { page, limit } = request.query;
      const { items, total } = await partners.list(callerId, request.query.status ?? 'current', page, limit);
      return {
        partners: items.map((view) => toPartnership(view, callerId)),
        pagination: pagePagination(page, limit, total),
      };
    },
  );

  app.get(
    `${BASE}/:partnershipId`,
    {
      schema: {
        operationId: 'getPartnership',
        tags,
        summary: 'One partnership (its participants only)',
        params: PartnershipIdParams,
        response: { 200: Partnership, ...errorResponses(401, 404, 422, 429) },
      },
    },
    async (request) => {
      const callerId = principalOf(request).userId;
      return toPartnership(await partners.get(callerId, request.params.partnershipId), callerId);
    },
  );

  app.patch(
    `${BASE}/:partnershipId`,
    {
      schema: {
        operationId: 'updatePartnership',
        tags,
        summary: 'Change the check-in frequency (either partner; not once ended)',
        params: PartnershipIdParams,
        body: UpdatePartnershipBody,
        response: { 200: Partnership, ...errorResponses(400, 401, 404, 409, 422, 429) },
      },
    },
    async (request) => {
      const callerId = principalOf(request).userId;
      const view = await partners.changeCheckInFrequency(
        callerId,
        request.params.partnershipId,
        request.body.check_in_frequency,
      );
      return toPartnership(view, callerId);
    },
  );

  app.delete(
    `${BASE}/:partnershipId`,
    {
      schema: {
        operationId: 'withdrawPartnershipProposal',
        tags,
        summary: 'Withdraw a pending proposal (its proposer only)',
        params: PartnershipIdParams,
        response: { 204: Type.Null(), ...errorResponses(401, 404, 422, 429) },
      },
    },
    async (request, reply) => {
      await partners.cancel(principalOf(request).userId, request.params.partnershipId);
      return reply.status(204).send(null);
    },
  );

  app.put(
    `${BASE}/:partnershipId/accept`,
    {
      schema: {
        operationId: 'acceptPartnership',
        tags,
        summary: 'Accept a pending proposal (its addressee only)',
        params: PartnershipIdParams,
        response: { 200: Partnership, ...errorResponses(401, 403, 404, 422, 429) },
      },
    },
    async (request) => {
      const callerId = principalOf(request).userId;
      return toPartnership(await partners.accept(callerId, request.params.partnershipId), callerId);
    },
  );

  app.put(
    `${BASE}/:partnershipId/decline`,
    {
      schema: {
        operationId: 'declinePartnership',
        tags,
        summary: 'Decline a pending proposal (its addressee only); the proposal is removed',
        params: PartnershipIdParams,
        response: { 204: Type.Null(), ...errorResponses(401, 404, 422, 429) },
      },
    },
    async (request, reply) => {
      await partners.decline(principalOf(request).userId, request.params.partnershipId);
      return reply.status(204).send(null);
    },
  );

  for (const { action, operationId, summary } of LIFECYCLE) {
    app.put(
      `${BASE}/:partnershipId/${action}`,
      {
        schema: {
          operationId,
          tags,
          summary,
          params: PartnershipIdParams,
          response: { 200: Partnership, ...errorResponses(401, 404, 409, 422, 429) },
        },
      },
      async (request) => {
        const callerId = principalOf(request).userId;
        return toPartnership(await partners.changeStatus(callerId, request.params.partnershipId, action), callerId);
      },
    );
  }
}
