import { Type, type TSchema } from 'typebox';
import { stringEnum, Timestamp, Uuid } from '../../http/schemas.js';
import { Message } from '../chat/chat.schemas.js';
import { CONTRIBUTION_TYPES } from '../goals/goals.vocabulary.js';
import { NotificationJson } from '../notifications/notifications.schemas.js';
import { PRESENCE_STATUSES } from './realtime.vocabulary.js';

/**
 * The WebSocket protocol of `GET /ws` as JSON schemas: every client event, reply and server event
 * (README "Realtime (WebSocket)" explains the rules). `buildAsyncApi` turns them into the AsyncAPI 3
 * document `asyncapi.json` (written by `npm run openapi`, served at /asyncapi.json beside
 * /openapi.json); test/contract.test.ts checks real frames from a live gateway against these schemas.
 */

const ConversationId = Type.String({ format: 'uuid', description: 'a conversation of the caller' });
const Seq = Type.Integer({
  minimum: 1,
  description: 'this user’s event number: one more per stored event, no holes (catch-up: ?since=<last seq>)',
});
const TypistCard = Type.Object({ id: Uuid, username: Type.String(), full_name: Type.String() });
const ActorCard = Type.Object({ id: Uuid, username: Type.String(), full_name: Type.String() }, { description: 'who did it' });

interface EventDoc {
  /** `event` field value. */
  event: string;
  summary: string;
  /** The other fields (besides `event`). */
  fields: Record<string, TSchema>;
}

const event = (name: string, summary: string, fields: Record<string, TSchema> = {}): EventDoc => ({ event: name, summary, fields });

/** What a client sends. */
export const CLIENT_EVENTS: EventDoc[] = [
  event('auth', 'Authenticate a socket opened without ?token= (within WS_AUTH_TIMEOUT_MS, else close 4401)', {
    token: Type.String({ description: 'an access token (JWT)' }),
  }),
  event('ping', 'Keep-alive; answered with pong'),
  event('subscribe', 'Receive typing events of a conversation (participants only); answered with subscribed', {
    channel: Type.Literal('conversation'),
    conversation_id: ConversationId,
  }),
  event('unsubscribe', 'Stop receiving typing events of a conversation; answered with unsubscribed', {
    channel: Type.Literal('conversation'),
    conversation_id: ConversationId,
  }),
  event('typing', 'Tell the conversation’s other subscribers the caller is (not) typing; renew within 5 s', {
    conversation_id: ConversationId,
    is_typing: Type.Boolean(),
  }),
  event('presence', 'offline: this socket stops counting as online (app in background); online: counts again', {
    status: stringEnum(PRESENCE_STATUSES),
  }),
];

/** Answers to the client and stream control: not stored, no `seq`. */
export const SERVER_REPLIES: EventDoc[] = [
  event('connected', 'The socket is authenticated; keep `seq` as the next catch-up’s since', {
    user_id: Uuid,
    seq: Type.Integer({ minimum: 0, description: 'the user’s newest seq (0 before their first event)' }),
  }),
  event('pong', 'Answer to ping'),
  event('subscribed', 'Answer to subscribe', { channel: Type.Literal('conversation'), conversation_id: ConversationId }),
  event('unsubscribed', 'Answer to unsubscribe', { channel: Type.Literal('conversation'), conversation_id: ConversationId }),
  event('error', 'A client event was refused; the socket stays open', {
    code: Type.Union(
      [
        Type.Literal('invalid_message'),
        Type.Literal('invalid_event'),
        Type.Literal('unknown_event'),
        Type.Literal('conversation_not_found'),
        Type.Literal('already_authenticated'),
        Type.Literal('rate_limited'),
        Type.Literal('internal_error'),
      ],
      { description: 'stable code' },
    ),
    message: Type.String(),
    request_event: Type.Optional(Type.String({ description: 'the client event this answers' })),
  }),
  event('resync_required', 'The catch-up since `since` is no longer complete: reload over REST', {
    since: Type.Integer({ minimum: 0 }),
    latest_seq: Type.Integer({ minimum: 0 }),
  }),
];

const stored = (name: string, summary: string, fields: Record<string, TSchema>) => event(name, summary, { ...fields, seq: Seq });

/** Server events: stored ones carry `seq` and are replayed by the catch-up; typing and presence are ephemeral. */
export const SERVER_EVENTS: EventDoc[] = [
  stored('message.new', 'A message in one of the caller’s conversations (their own other devices included)', {
    conversation_id: ConversationId,
    message: Message,
  }),
  stored('message.updated', 'A message was edited', { conversation_id: ConversationId, message: Message }),
  stored('message.deleted', 'A message was deleted (it stays in place, shown as deleted)', {
    conversation_id: ConversationId,
    message_id: Uuid,
    deleted_at: Timestamp,
  }),
  stored('message.read', 'A participant read the conversation up to a message', {
    conversation_id: ConversationId,
    message_id: Uuid,
    user_id: Uuid,
    read_at: Timestamp,
  }),
  stored('conversation.members_changed', 'People joined or left a conversation (removed people get it too)', {
    conversation_id: ConversationId,
    added_user_ids: Type.Array(Uuid),
    removed_user_ids: Type.Array(Uuid),
  }),
  stored('notification.new', 'A new notification for the caller (as GET /notifications lists it)', { notification: NotificationJson }),
  stored('goal.update', 'Activity on a goal the caller takes part in (not from people blocked either way)', {
    goal_id: Uuid,
    update_type: Type.Union([Type.Literal('contribution'), Type.Literal('milestone'), Type.Literal('completed'), Type.Literal('updated')]),
    data: Type.Object(
      {
        user: ActorCard,
        contribution_id: Type.Optional(Uuid),
        contribution_type: Type.Optional(stringEnum(CONTRIBUTION_TYPES)),
        amount: Type.Optional(Type.Union([Type.Number(), Type.Null()])),
        currency: Type.Optional(Type.Union([Type.String(), Type.Null()])),
        current_amount: Type.Optional(Type.Number()),
        new_progress: Type.Optional(Type.Number({ description: 'percent' })),
        milestone_id: Type.Optional(Uuid),
        milestone_title: Type.Optional(Type.String()),
        completed_at: Type.Optional(Timestamp),
        changed: Type.Optional(Type.Array(Type.String(), { description: 'the fields that changed' })),
      },
      { description: 'contribution: contribution_*, amount, currency, current_amount, new_progress; milestone: milestone_*; completed: completed_at; updated: changed' },
    ),
  }),
  stored('user.blocked', 'The caller blocked a user (to the blocker’s devices only)', { user_id: Uuid }),
  stored('user.unblocked', 'The caller unblocked a user (to the blocker’s devices only)', { user_id: Uuid }),
  stored('visibility.changed', 'A block was placed or lifted between the caller and someone: refetch these shared group chats and goals', {
    conversation_ids: Type.Array(Uuid),
    goal_ids: Type.Array(Uuid),
  }),
  event('typing', 'Someone else is (not) typing in a subscribed conversation; false follows 5 s without renewal (ephemeral: no seq)', {
    conversation_id: ConversationId,
    user: TypistCard,
    is_typing: Type.Boolean(),
  }),
  event('presence.update', 'A friend who shows their online status came online or went offline (ephemeral: no seq)', {
    user_id: Uuid,
    status: stringEnum(PRESENCE_STATUSES),
    last_seen_at: Timestamp,
  }),
];

/** The JSON schema of one event's frame: `event` plus its fields. */
export function frameSchema(doc: EventDoc): TSchema {
  return Type.Object({ event: Type.Literal(doc.event), ...doc.fields }, { description: doc.summary });
}
