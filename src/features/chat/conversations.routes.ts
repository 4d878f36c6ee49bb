import { pagePagination } from '../../http/pagination.js';
import { principalOf } from '../../http/principal.js';
import { EmptyBody, errorResponses } from '../../http/schemas.js';
import type { TypedApp } from '../../http/typebox.js';
import type { ChatMembersService } from './chat-members.service.js';
import { toConversationJson } from './chat.json.js';
import {
  AddParticipantsBody,
  Conversation,
  ConversationList,
  ConversationParams,
  ConversationsQuery,
  CreateConversationBody,
  ParticipantParams,
  UpdateConversationBody,
} from './chat.schemas.js';
import type { ConversationPatch, ConversationsService } from './conversations.service.js';

const tags = ['chat'];

/** Plan 4.7: conversations and their participants. */
export function registerConversationsRoutes(app: TypedApp, conversations: ConversationsService, members: ChatMembersService): void {
  app.post(
    '/api/v1/conversations',
    {
      schema: {
        operationId: 'createConversation',
        tags,
        summary: 'Start a direct or group conversation',
        description:
          'Direct: `participant_ids` names the other user; a pair has one direct conversation, so asking again returns it ' +
          'with 200 (201 when created). The other user’s `who_can_send_messages` (everyone / friends_only) and blocks apply ' +
          '(403 messages_not_allowed). Group: every participant must be a friend of the caller (422 participants_not_friends), ' +
          'the caller becomes its admin. A group’s `image_url` may only be one of the caller’s own public images (their ' +
          'profile picture, say; else 422 invalid_media_url): an image attached to the group is set with PUT once it exists.',
        body: CreateConversationBody,
        response: { 200: Conversation, 201: Conversation, ...errorResponses(401, 403, 404, 422, 429) },
      },
    },
    async (request, reply) => {
      const b = request.body;
      const { conversation, created } = await conversations.create(principalOf(request).userId, {
        conversationType: b.conversation_type,
        participantIds: b.participant_ids,
        ...(b.name !== undefined ? { name: b.name } : {}),
        ...(b.image_url !== undefined ? { imageUrl: b.image_url } : {}),
      });
      return reply.status(created ? 201 : 200).send(toConversationJson(conversation));
    },
  );

  app.get(
    '/api/v1/conversations',
    {
      schema: {
        operationId: 'listConversations',
        tags,
        summary: 'The caller’s conversations, newest activity first',
        description:
          'With the last message, the caller’s unread count and settings, and the participants. Archived conversations ' +
          'only with `archived=true`; conversations the caller hid come back when a newer message arrives. Includes the AI coach conversation.',
        querystring: ConversationsQuery,
        response: { 200: ConversationList, ...errorResponses(401, 422, 429) },
      },
    },
    async (request) => {
      const { page, limit } = request.query;
      const result = await conversations.list(principalOf(request).userId, request.query.archived ?? false, page, limit);
      return {
        conversations: result.items.map(toConversationJson),
        pagination: pagePagination(page, limit, result.total),
      };
    },
  );

  app.get(
    '/api/v1/conversations/:conversationId',
    {
      schema: {
        operationId: 'getConversation',
        tags,
        summary: 'One conversation of the caller',
        params: ConversationParams,
        response: { 200: Conversation, ...errorResponses(401, 404, 422, 429) },
      },
    },
    async (request) => toConversationJson(await conversations.get(principalOf(request).userId, request.params.conversationId)),
  );

  app.put(
    '/api/v1/conversations/:conversationId',
    {
      schema: {
        operationId: 'updateConversation',
        tags,
        summary: 'Rename a group or change its image (admins); mute or archive it for yourself',
        description:
          '`image_url` must be an image the admin attached to this conversation (POST /conversations/{id}/attachments; ' +
          'members then get a signed, short-lived URL) or one of their own public images; anything else is 422 invalid_media_url.',
        params: ConversationParams,
        body: UpdateConversationBody,
        response: { 200: Conversation, ...errorResponses(401, 403, 404, 409, 422, 429) },
      },
    },
    async (request) => {
      const b = request.body;
      const patch: ConversationPatch = {};
      if (b.name !== undefined) patch.name = b.name;
      if (b.image_url !== undefined) patch.imageUrl = b.image_url;
      if (b.is_muted !== undefined) patch.isMuted = b.is_muted;
      if (b.is_archived !== undefined) patch.isArchived = b.is_archived;
      return toConversationJson(await conversations.update(principalOf(request).userId, request.params.conversationId, patch));
    },
  );

  app.delete(
    '/api/v1/conversations/:conversationId',
    {
      schema: {
        operationId: 'leaveConversation',
        tags,
        summary: 'Leave a group, or hide a direct conversation until a new message arrives',
        params: ConversationParams,
        response: { 204: EmptyBody, ...errorResponses(401, 404, 422, 429) },
      },
    },
    async (request, reply) => {
      await conversations.removeForCaller(principalOf(request).userId, request.params.conversationId);
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/api/v1/conversations/:conversationId/participants',
    {
      schema: {
        operationId: 'addConversationParticipants',
        tags,
        summary: 'Add friends of yours to a group (admins)',
        description: 'Users who left come back; current participants are skipped (409 already_participants when nobody is new). Direct conversations: 409 direct_conversation_fixed.',
        params: ConversationParams,
        body: AddParticipantsBody,
        response: { 200: Conversation, ...errorResponses(401, 403, 404, 409, 422, 429) },
      },
    },
    async (request) =>
      toConversationJson(await members.add(principalOf(request).userId, request.params.conversationId, request.body.user_ids)),
  );

  app.delete(
    '/api/v1/conversations/:conversationId/participants/:userId',
    {
      schema: {
        operationId: 'removeConversationParticipant',
        tags,
        summary: 'Remove a participant from a group (admins), or leave it (anyone, with their own id)',
        params: ParticipantParams,
        response: { 204: EmptyBody, ...errorResponses(401, 403, 404, 409, 422, 429) },
      },
    },
    async (request, reply) => {
      await members.remove(principalOf(request).userId, request.params.conversationId, request.params.userId);
      return reply.status(204).send(null);
    },
  );
}
