import { Type } from 'typebox';
import { pagePagination, PageQuery } from '../../http/pagination.js';
import { principalOf } from '../../http/principal.js';
import { errorResponses } from '../../http/schemas.js';
import type { TypedApp } from '../../http/typebox.js';
import type { BlocksService } from './blocks.service.js';
import { BlockBody, BlockedUserParams, BlockedUserResponse, BlockedUsersList, toBlockedUser } from './settings.schemas.js';

const tags = ['settings'];

/** Plan 4.10: /api/v1/settings/blocked-users. */
export function registerBlocksRoutes(app: TypedApp, blocks: BlocksService): void {
  app.post(
    '/api/v1/settings/blocked-users',
    {
      schema: {
        operationId: 'blockUser',
        tags,
        summary: 'Block a user: ends any friendship, request and partnership; each disappears for the other',
        body: BlockBody,
        response: { 201: BlockedUserResponse, ...errorResponses(400, 401, 404, 409, 422, 429) },
      },
    },
    async (request, reply) => {
      const block = await blocks.block(principalOf(request).userId, request.body.user_id, request.body.reason?.trim() || null);
      return reply.status(201).send(toBlockedUser(block));
    },
  );

  app.get(
    '/api/v1/settings/blocked-users',
    {
      schema: {
        operationId: 'listBlockedUsers',
        tags,
        summary: 'The users the caller blocked, newest first',
        querystring: Type.Object(PageQuery, { additionalProperties: false }),
        response: { 200: BlockedUsersList, ...errorResponses(401, 422, 429) },
      },
    },
    async (request) => {
      const { page, limit } = request.query;
      const { items, total } = await blocks.list(principalOf(request).userId, page, limit);
      return {
        blocked_users: items.map(toBlockedUser),
        pagination: pagePagination(page, limit, total),
      };
    },
  );

  app.delete(
    '/api/v1/settings/blocked-users/:userId',
    {
      schema: {
        operationId: 'unblockUser',
        tags,
        summary: 'Unblock a user',
        params: BlockedUserParams,
        response: { 204: Type.Null(), ...errorResponses(401, 404, 422, 429) },
      },
    },
    async (request, reply) => {
      await blocks.unblock(principalOf(request).userId, request.params.userId);
      return reply.status(204).send(null);
    },
  );
}
