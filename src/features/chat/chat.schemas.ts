import { Type } from 'typebox';
import { CursorPagination, Defaulted, PagePagination, PageQuery } from '../../http/pagination.js';
import { NullableString, NullableTimestamp, stringEnum, Timestamp, UserText, Uuid } from '../../http/schemas.js';
import { MEDIA_TYPES } from '../media/media.vocabulary.js';
import { UserSummary } from '../users/user-card.js';
import { CONVERSATION_ROLES, CONVERSATION_TYPES, MESSAGE_TYPES, USER_CONVERSATION_TYPES, USER_MESSAGE_TYPES } from './chat.vocabulary.js';

/** TypeBox schemas of the chat endpoints (plan 4.7): the public contract. Mappers live in chat.json.ts. */

export const MESSAGE_CONTENT_MAX = 4000;
export const GROUP_MEMBERS_MAX = 100;

const OpenObject = Type.Object({}, { additionalProperties: true });
const MediaUrl = UserText({
  maxLength: 2048,
  pattern: '^https?://\\S+$',
  patternMessage: 'must be an http:// or https:// URL without spaces',
  description: 'http(s) URL of the uploaded media',
});

export const Participant = Type.Object({
  user_id: Uuid,
  username: Type.String(),
  full_name: Type.String(),
  profile_image_url: NullableString,
  role: stringEnum(CONVERSATION_ROLES),
}, { title: 'ConversationParticipant' });

export const Conversation = Type.Object({
  id: Uuid,
  conversation_type: stringEnum(CONVERSATION_TYPES),
  name: NullableString,
  image_url: NullableString,
  is_group: Type.Boolean(),
  goal_id: Type.Union([Uuid, Type.Null()], { description: 'the group goal this chat belongs to' }),
  participants: Type.Array(Participant, { description: 'current participants, the caller included' }),
  participants_count: Type.Integer(),
  last_message: Type.Union([
    Type.Object({
      id: Uuid,
      sender: Type.Union([UserSummary, Type.Null()]),
      content: Type.Union([Type.String(), Type.Null()], { description: 'null for a deleted message' }),
      message_type: Type.String(),
      is_deleted: Type.Boolean(),
      created_at: Timestamp,
    }),
    Type.Null(),
  ]),
  unread_count: Type.Integer(),
  is_muted: Type.Boolean(),
  is_archived: Type.Boolean(),
  role: stringEnum(CONVERSATION_ROLES, { description: 'the caller’s role' }),
  last_message_at: NullableTimestamp,
  created_at: Timestamp,
}, { title: 'Conversation' });

export const ConversationList = Type.Object({ conversations: Type.Array(Conversation), pagination: PagePagination }, { title: 'ConversationList' });

export const ConversationsQuery = Type.Object(
  { ...PageQuery, archived: Type.Optional(Type.Boolean({ default: false, description: 'true: only archived conversations' })) },
  { additionalProperties: false },
);

export const CreateConversationBody = Type.Object(
  {
    conversation_type: stringEnum(USER_CONVERSATION_TYPES),
    participant_ids: Type.Array(Uuid, { minItems: 1, maxItems: GROUP_MEMBERS_MAX }),
    name: Type.Optional(Type.Union([UserText({ maxLength: 255 }), Type.Null()])),
    image_url: Type.Optional(Type.Union([MediaUrl, Type.Null()])),
  },
  { additionalProperties: false },
);

export const UpdateConversationBody = Type.Object(
  {
    name: Type.Optional(Type.Union([UserText({ maxLength: 255 }), Type.Null()])),
    image_url: Type.Optional(Type.Union([MediaUrl, Type.Null()])),
    is_muted: Type.Optional(Type.Boolean()),
    is_archived: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false, minProperties: 1 },
);

export const AddParticipantsBody = Type.Object(
  { user_ids: Type.Array(Uuid, { minItems: 1, maxItems: GROUP_MEMBERS_MAX }) },
  { additionalProperties: false },
);

export const ConversationParams = Type.Object({ conversationId: Uuid });
export const ParticipantParams = Type.Object({ conversationId: Uuid, userId: Uuid });
export const MessageParams = Type.Object({ conversationId: Uuid, messageId: Uuid });

export const Message = Type.Object({
  id: Uuid,
  conversation_id: Uuid,
  sender: Type.Union([UserSummary, Type.Null()], { description: 'null for system and goal messages' }),
  content: Type.Union([Type.String(), Type.Null()], { description: 'null for a deleted message' }),
  message_type: stringEnum(MESSAGE_TYPES),
  media_url: NullableString,
  media_thumbnail_url: NullableString,
  metadata: Type.Union([OpenObject, Type.Null()], { description: 'system and goal messages: goal_id, goal_title, event, ...' }),
  reply_to_message: Type.Union([
    Type.Object({
      id: Uuid,
      sender: Type.Union([UserSummary, Type.Null()]),
      content: Type.Union([Type.String(), Type.Null()], { description: 'the first 100 characters; null when deleted' }),
      message_type: Type.String(),
      is_deleted: Type.Boolean(),
    }),
    Type.Null(),
  ]),
  client_message_id: NullableString,
  is_edited: Type.Boolean(),
  is_deleted: Type.Boolean(),
  created_at: Timestamp,
  updated_at: Timestamp,
  read_by: Type.Array(Type.Object({ user_id: Uuid, read_at: Timestamp })),
}, { title: 'Message' });

export const MessageList = Type.Object({
  messages: Type.Array(Message),
  pagination: CursorPagination(Type.Union([Uuid, Type.Null()], { description: 'pass as `before` for the next (older) page' })),
}, { title: 'MessageList' });

export const MessagesQuery = Type.Object(
  {
    limit: Defaulted(Type.Integer({ minimum: 1, maximum: 100, default: 50 })),
    before: Type.Optional(Uuid),
  },
  { additionalProperties: false },
);

export const SendMessageBody = Type.Object(
  {
    content: Type.Optional(UserText({ maxLength: MESSAGE_CONTENT_MAX, multiline: true, default: '' })),
    message_type: Type.Optional(
      stringEnum(USER_MESSAGE_TYPES, { default: 'text' }),
    ),
    media_url: Type.Optional(Type.Union([MediaUrl, Type.Null()])),
    reply_to_message_id: Type.Optional(Type.Union([Uuid, Type.Null()])),
    client_message_id: Type.Optional(Type.Union([UserText({ minLength: 1, maxLength: 100 }), Type.Null()])),
  },
  { additionalProperties: false },
);

export const EditMessageBody = Type.Object(
  { content: UserText({ minLength: 1, maxLength: MESSAGE_CONTENT_MAX, multiline: true }) },
  { additionalProperties: false },
);

export const ReadBody = Type.Object({ message_id: Type.Optional(Type.Union([Uuid, Type.Null()])) }, { additionalProperties: false });

export const ReadResponse = Type.Object({
  conversation_id: Uuid,
  message_id: Type.Union([Uuid, Type.Null()], { description: 'the newest message now read' }),
  unread_count: Type.Integer(),
  read_at: Timestamp,
});

/** POST /conversations/:id/attachments: the stored attachment, to send as a message's `media_url`. */
export const ChatAttachment = Type.Object({
  media_url: Type.String({ description: 'signed, short-lived URL; send it as `media_url` of an image or video message' }),
  media_thumbnail_url: Type.String({ description: 'signed, short-lived URL of the thumbnail (a video’s first frame)' }),
  media_type: stringEnum(MEDIA_TYPES),
  width: Type.Union([Type.Integer(), Type.Null()]),
  height: Type.Union([Type.Integer(), Type.Null()]),
}, { title: 'ChatAttachment' });
