import type { FastifyInstance } from 'fastify';
import { ComponentRegistry } from '../../http/openapi-components.js';
import { plainEnums } from '../../http/route-schemas.js';
import { CLIENT_EVENTS, frameSchema, SERVER_EVENTS, SERVER_REPLIES } from './realtime.protocol.js';

type Json = Record<string, unknown>;

const pascal = (name: string) =>
  name
    .split(/[._]/)
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');

/**
 * The AsyncAPI 3.0 document of `GET /ws` from the protocol's schemas (realtime.protocol.ts): one
 * channel, a `send` operation per client event and a `receive` operation per reply and server
 * event; shared resources (Message, Notification) are component schemas as in the OpenAPI document.
 */
export function buildAsyncApi(version: string, publicUrl: string): Json {
  const url = new URL(publicUrl);
  const schemas: Json = {};
  const registry = new ComponentRegistry(schemas);
  const messages: Json = {};
  const channelMessages: Json = {};
  const operations: Json = {};
  const add = (direction: 'send' | 'receive', docs: typeof CLIENT_EVENTS, suffix: string) => {
    for (const doc of docs) {
      const name = `${pascal(doc.event)}${suffix}`;
      messages[name] = {
        name: doc.event,
        title: doc.event,
        summary: doc.summary,
        contentType: 'application/json',
        payload: registry.hoist(plainEnums(JSON.parse(JSON.stringify(frameSchema(doc)))), `${doc.event} event`),
      };
      channelMessages[name] = { $ref: `#/components/messages/${name}` };
      operations[`${direction}${name}`] = {
        action: direction,
        channel: { $ref: '#/channels/ws' },
        summary: doc.summary,
        messages: [{ $ref: `#/channels/ws/messages/${name}` }],
      };
    }
  };
  add('send', CLIENT_EVENTS, 'Request');
  add('receive', SERVER_REPLIES, 'Reply');
  add('receive', SERVER_EVENTS, 'Event');
  return {
    asyncapi: '3.0.0',
    info: {
      title: 'Tribe realtime API',
      version,
      description:
        'The WebSocket at /ws: JSON text frames, each an object with an `event` field. Authenticate with ' +
        '`?token=<access token>` or a first `auth` event; `?since=<seq>` replays missed stored events. Close codes: ' +
        '4401 token invalid, expired or revoked; 1008 too many frames; 1009 frame too big; 1001 server going away. ' +
        'README "Realtime (WebSocket)" has the rules; the HTTP API is /openapi.json.',
    },
    servers: {
      api: {
        host: url.host,
        protocol: url.protocol === 'https:' ? 'wss' : 'ws',
        description: 'This deployment (PUBLIC_URL)',
        security: [{ $ref: '#/components/securitySchemes/accessToken' }],
      },
    },
    channels: {
      ws: {
        address: '/ws',
        title: 'The realtime socket',
        messages: channelMessages,
        bindings: {
          ws: {
            method: 'GET',
            query: {
              type: 'object',
              properties: {
                token: { type: 'string', description: 'access token (or send an auth event instead)' },
                since: { type: 'integer', minimum: 0, description: 'the last seq received: the missed stored events follow connected' },
              },
            },
          },
        },
      },
    },
    operations,
    components: {
      schemas,
      messages,
      securitySchemes: {
        accessToken: { type: 'httpApiKey', name: 'token', in: 'query', description: 'or the first frame {"event":"auth","token":...}' },
      },
    },
  };
}

/** `GET /asyncapi.json`: the WebSocket contract, public like /openapi.json (and served when it is). */
export function registerAsyncApiDocument(app: FastifyInstance, version: string, publicUrl: string): void {
  const document = buildAsyncApi(version, publicUrl);
  app.get('/asyncapi.json', { schema: { hide: true }, config: { public: true, skipGlobalRateLimit: true } }, async () => document);
}
