import { cursorPagination } from '../../http/pagination.js';
import { principalOf } from '../../http/principal.js';
import { EmptyBody, errorResponses } from '../../http/schemas.js';
import type { TypedApp } from '../../http/typebox.js';
import { toMessageJson } from './chat.json.js';
import {
  ConversationParams,
  EditMessageBody,
  Message,
  MessageList,
  MessageParams,
  MessagesQuery,
  ReadBody,
  ReadResponse,
  SendMessageBody,
} from './chat.schemas.js';
import type { MessagesService } from './messages.service.js';

const tags = ['chat'];

/** Plan 4.7: messages, edits, deletions and read receipts. */
export function registerMessagesRoutes(app: TypedApp, messages: MessagesService): void {
  app.get(
    '/api/v1/conversations/:conversationId/messages',
    {
      schema: {
        operationId: 'listMessages',
        tags,
        summary: 'Messages, newest first (cursor: `before` = the oldest message id you have)',
        params: ConversationParams,
        querystring: MessagesQuery,
        response: { 200: MessageList, ...errorResponses(401, 404, 422, 429) },
      },
    },
    async (request) => {
      const { limit } = request.query;
      const page = await messages.list(principalOf(request).userId, request.params.conversationId, limit, request.query.before);
      const last = page.items[page.items.length - 1];
      return {
        messages: page.items.map(toMessageJson),
        pagination: cursorPagination(page.hasMore, last?.id ?? null),
      };
    },
  );

  app.post(
    '/api/v1/conversations/:conversationId/messages',
    {
      schema: {
        operationId: 'sendMessage',
        tags,
        summary: 'Send a message',
        description:
          'Content ≤ 4,000 characters (text messages need some); image, video, audio and file messages need `media_url`, ' +
          'which must be the sender’s own upload: an attachment they uploaded to this conversation (POST ' +
          '/conversations/{id}/attachments) or one of their own public images (profile picture, cover, a public post’s ' +
          'media); any other URL is 422 invalid_media_url. ' +
          '`reply_to_message_id` must be a message of the same conversation. A retry with the same `client_message_id` ' +
          'returns the first message with 200 (201 when created) and never duplicates it. Direct messages: 403 ' +
          'messages_not_allowed when the recipient’s who_can_send_messages or a block forbids them.',
        params: ConversationParams,
        body: SendMessageBody,
        response: { 200: Message, 201: Message, ...errorResponses(401, 403, 404, 422, 429) },
      },
    },
    async (request, reply) => {
      const b = request.body;
      const { message, created } = await messages.send(principalOf(request).userId, request.params.conversationId, {
        content: b.content ?? '',
        messageType: b.message_type ?? 'text',
        mediaUrl: b.media_url ?? null,
        replyToMessageId: b.reply_to_message_id?.toLowerCase() ?? null,
        clientMessageId: b.client_message_id ?? null,
      });
      return reply.status(created ? 201 : 200).send(toMessageJson(message));
    },
  );

  app.put(
    '/api/v1/conversations/:conversationId/messages/:messageId',
    {
      schema: {
        operationId: 'editMessage',
        tags,
        summary: 'Edit your message (marks it edited)',
        params: MessageParams,
        body: EditMessageBody,
        response: { 200: Message, ...errorResponses(401, 403, 404, 409, 422, 429) },
      },
    },
    async (request) =>
      toMessageJson(
        await messages.edit(principalOf(request).userId, request.params.conversationId, request.params.messageId, request.body.content),
      ),
  );

  app.delete(
    '/api/v1/conversations/:conversationId/messages/:messageId',
    {
      schema: {
        operationId: 'deleteMessage',
        tags,
        summary: 'Delete your message (it stays in place, shown as deleted without content)',
        params: MessageParams,
        response: { 204: EmptyBody, ...errorResponses(401, 403, 404, 422, 429) },
      },
    },
    async (request, reply) => {
      await messages.delete(principalOf(request).userId, request.params.conversationId, request.params.messageId);
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/api/v1/conversations/:conversationId/read',
    {
      // The body is optional: a bare POST reads up to the newest message.
      preValidation: async (request) => {
        request.body ??= {};
      },
      schema: {
        operationId: 'markConversationRead',
        tags,
        summary: 'Mark the conversation read up to a message (default: the newest)',
        description: 'Writes read receipts for the messages of others up to it; unread_count becomes the number of later messages (0 for the newest).',
        params: ConversationParams,
        body: ReadBody,
        response: { 200: ReadResponse, ...errorResponses(401, 404, 422, 429) },
      },
    },
    async (request) => {
      const result = await messages.markRead(principalOf(request).userId, request.params.conversationId, request.body.message_id?.toLowerCase());
      return {
        conversation_id: request.params.conversationId,
        message_id: result.messageId,
        unread_count: result.unreadCount,
        read_at: result.readAt.toISOString(),
      };
    },
  );
}
