import { pagePagination } from '../../http/pagination.js';
import { principalOf } from '../../http/principal.js';
import { byCaller, type RateLimitSettings, type RouteRateLimit } from '../../http/rate-limit.js';
import type { RateLimiter } from '../../infra/ratelimit/rate-limiter.js';
import { EmptyBody, errorResponses } from '../../http/schemas.js';
import type { TypedApp } from '../../http/typebox.js';
import {
  AcceptedFriendship,
  FriendIdParams,
  FriendInvite,
  FriendList,
  FriendRequestList,
  FriendRequest,
  FriendsQuery,
  InviteCodeParams,
  OnlineFriendList,
  OnlineQuery,
  RequestIdParams,
  RequestsQuery,
  SearchQuery,
  SearchResults,
  SendFriendRequestBody,
  SuggestionList,
  SuggestionsQuery,
  UserIdParams,
  toAcceptedFriendship,
  toFriendInvite,
  toFriendItem,
  toFriendRequest,
  toSearchResultItem,
  toSuggestionItem,
} from './friends.schemas.js';
import { InviteRedeemLimits } from './friends.invite-limits.js';
import type { FriendsService } from './friends.service.js';

const tags = ['friends'];

// Not in the plan: a cap on new requests per caller, so nobody can spam the whole user base.
const sendLimits: RouteRateLimit[] = [{ name: 'friend_request_send', limit: 50, windowSeconds: 3600, key: byCaller }];

export interface FriendsRouteOptions {
  rateLimiter: RateLimiter;
  rateLimit: RateLimitSettings;
  /** Where invite links point (APP_URL): `{appUrl}/invite/{code}`. */
  appUrl: string;
}

/**
 * Plan 4.3: friends, friend requests, search and suggestions; plus GET /users/:userId/friends and
 * the personal invite codes (issue 15 item 8).
 */
export function registerFriendsRoutes(app: TypedApp, friends: FriendsService, options: FriendsRouteOptions): void {
  const { requests, queries, suggestions, invites } = friends;
  const redeemLimits = new InviteRedeemLimits(options.rateLimiter, options.rateLimit);

  app.get(
    '/api/v1/friends/invite',
    {
      schema: {
        operationId: 'getFriendInvite',
        tags,
        summary: 'The caller’s personal invite code and link (created on first ask); whoever redeems it sends the caller a friend request',
        response: { 200: FriendInvite, ...errorResponses(401, 429) },
      },
    },
    async (request) => toFriendInvite(await invites.current(principalOf(request).userId), options.appUrl),
  );

  app.post(
    '/api/v1/friends/invite/rotate',
    {
      schema: {
        operationId: 'rotateFriendInvite',
        tags,
        summary: 'Replace the caller’s invite code with a new one; the old code and link stop working at once',
        response: { 200: FriendInvite, ...errorResponses(401, 429) },
      },
    },
    async (request) => toFriendInvite(await invites.rotate(principalOf(request).userId), options.appUrl),
  );

  app.post(
    '/api/v1/friends/invite/:code',
    {
      config: { rateLimits: sendLimits },
      schema: {
        operationId: 'redeemFriendInvite',
        tags,
        summary:
          'Redeem an invite code: sends its owner a friend request whatever their who_can_send_friend_requests ' +
          '(they shared the code), or accepts their pending request to the caller. Unknown, rotated and blocked: 404 ' +
          'invite_not_found; misses are limited (429)',
        params: InviteCodeParams,
        response: { 201: FriendRequest, ...errorResponses(401, 404, 409, 422, 429) },
      },
    },
    async (request, reply) => {
      const { userId } = principalOf(request);
      const row = await redeemLimits.guard(request, () => invites.redeem(userId, request.params.code));
      return reply.status(201).send(toFriendRequest(await queries.sentRequest(userId, row)));
    },
  );

  app.post(
    '/api/v1/friends/requests',
    {
      config: { rateLimits: sendLimits },
      schema: {
        operationId: 'sendFriendRequest',
        tags,
        summary: 'Send a friend request (accepts theirs instead when they already asked the caller)',
        body: SendFriendRequestBody,
        response: { 201: FriendRequest, ...errorResponses(400, 401, 403, 404, 409, 422, 429) },
      },
    },
    async (request, reply) => {
      const { userId } = principalOf(request);
      const row = await requests.send(userId, request.body.user_id);
      return reply.status(201).send(toFriendRequest(await queries.sentRequest(userId, row)));
    },
  );

  app.get(
    '/api/v1/friends/requests',
    {
      schema: {
        operationId: 'listFriendRequests',
        tags,
        summary: 'Pending friend requests the caller received (default) or sent',
        querystring: RequestsQuery,
        response: { 200: FriendRequestList, ...errorResponses(401, 422, 429) },
      },
    },
    async (request) => {
      const page = { page: request.query.page, limit: request.query.limit };
      const result = await queries.listRequests(principalOf(request).userId, request.query.direction, page);
      return { requests: result.items.map(toFriendRequest), pagination: pagePagination(page.page, page.limit, result.total) };
    },
  );

  app.put(
    '/api/v1/friends/requests/:requestId/accept',
    {
      schema: {
        operationId: 'acceptFriendRequest',
        tags,
        summary: 'Accept a friend request addressed to the caller',
        params: RequestIdParams,
        response: { 200: AcceptedFriendship, ...errorResponses(401, 404, 422, 429) },
      },
    },
    async (request) =>
      toAcceptedFriendship(await requests.accept(request.params.requestId, principalOf(request).userId)),
  );

  app.put(
    '/api/v1/friends/requests/:requestId/decline',
    {
      schema: {
        operationId: 'declineFriendRequest',
        tags,
        summary: 'Decline (delete) a friend request addressed to the caller',
        params: RequestIdParams,
        response: { 204: EmptyBody, ...errorResponses(401, 404, 422, 429) },
      },
    },
    async (request, reply) => {
      await requests.decline(request.params.requestId, principalOf(request).userId);
      return reply.status(204).send(null);
    },
  );

  app.delete(
    '/api/v1/friends/requests/:requestId',
    {
      schema: {
        operationId: 'cancelFriendRequest',
        tags,
        summary: 'Cancel a friend request the caller sent',
        params: RequestIdParams,
        response: { 204: EmptyBody, ...errorResponses(401, 404, 422, 429) },
      },
    },
    async (request, reply) => {
      await requests.cancel(request.params.requestId, principalOf(request).userId);
      return reply.status(204).send(null);
    },
  );

  app.delete(
    '/api/v1/friends/:friendId',
    {
      schema: {
        operationId: 'removeFriend',
        tags,
        summary: 'Unfriend a user (either friend may)',
        params: FriendIdParams,
        response: { 204: EmptyBody, ...errorResponses(401, 404, 422, 429) },
      },
    },
    async (request, reply) => {
      await requests.unfriend(principalOf(request).userId, request.params.friendId);
      return reply.status(204).send(null);
    },
  );

  app.get(
    '/api/v1/friends',
    {
      schema: {
        operationId: 'listFriends',
        tags,
        summary: 'The caller’s friends',
        querystring: FriendsQuery,
        response: { 200: FriendList, ...errorResponses(401, 422, 429) },
      },
    },
    async (request) => {
      const page = { page: request.query.page, limit: request.query.limit };
      const result = await queries.listFriends(principalOf(request).userId, request.query.sort, page);
      return { friends: result.items.map(toFriendItem), pagination: pagePagination(page.page, page.limit, result.total) };
    },
  );

  app.get(
    '/api/v1/friends/online',
    {
      schema: {
        operationId: 'listOnlineFriends',
        tags,
        summary: 'Friends online now (seen in the last 5 minutes) who show their online status',
        querystring: OnlineQuery,
        response: { 200: OnlineFriendList, ...errorResponses(401, 422, 429) },
      },
    },
    async (request) => {
      const rows = await queries.onlineFriends(principalOf(request).userId, request.query.limit);
      return { friends: rows.map(toFriendItem) };
    },
  );

  app.get(
    '/api/v1/friends/search',
    {
      schema: {
        operationId: 'searchUsers',
        tags,
        summary: 'Find users by username or full name, with the caller’s friendship status to each',
        querystring: SearchQuery,
        response: { 200: SearchResults, ...errorResponses(401, 422, 429) },
      },
    },
    async (request) => {
      const page = { page: request.query.page, limit: request.query.limit };
      const result = await queries.search(principalOf(request).userId, request.query.q, page);
      return { users: result.items.map(toSearchResultItem), pagination: pagePagination(page.page, page.limit, result.total) };
    },
  );

  app.get(
    '/api/v1/friends/suggestions',
    {
      schema: {
        operationId: 'listFriendSuggestions',
        tags,
        summary: 'People the caller may know: mutual friends first, then shared goal categories',
        querystring: SuggestionsQuery,
        response: { 200: SuggestionList, ...errorResponses(401, 422, 429) },
      },
    },
    async (request) => {
      const rows = await suggestions.list(principalOf(request).userId, request.query.limit);
      return { suggestions: rows.map(toSuggestionItem) };
    },
  );

  app.post(
    '/api/v1/friends/suggestions/:userId/dismiss',
    {
      schema: {
        operationId: 'dismissFriendSuggestion',
        tags,
        summary: 'Stop suggesting a user to the caller',
        params: UserIdParams,
        response: { 204: EmptyBody, ...errorResponses(401, 404, 422, 429) },
      },
    },
    async (request, reply) => {
      await suggestions.dismiss(principalOf(request).userId, request.params.userId);
      return reply.status(204).send(null);
    },
  );

  app.get(
    '/api/v1/users/:userId/friends',
    {
      schema: {
        operationId: 'listUserFriends',
        tags,
        summary: 'A user’s friends, visible to whoever may see their full profile',
        params: UserIdParams,
        querystring: FriendsQuery,
        response: { 200: FriendList, ...errorResponses(401, 404, 422, 429) },
      },
    },
    async (request) => {
      const page = { page: request.query.page, limit: request.query.limit };
      const result = await queries.listFriendsOf(
        principalOf(request).userId,
        request.params.userId,
        request.query.sort,
        page,
      );
      return { friends: result.items.map(toFriendItem), pagination: pagePagination(page.page, page.limit, result.total) };
    },
  );
}
