import type { WebSocket } from 'ws';
import type { RealtimeConnection } from './connection-registry.js';
import type { RealtimeService } from './realtime.service.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The `error` server event (`request_event` names the client event it answers). */
export const errorFrame = (code: string, message: string, requestEvent?: string) =>
  JSON.stringify({ event: 'error', code, message, ...(requestEvent ? { request_event: requestEvent } : {}) });

/**
 * One client event of an authenticated connection (plan §5.1): ping, subscribe / unsubscribe,
 * typing, presence; anything else gets an `error` event naming it.
 */
export async function handleClientEvent(
  realtime: RealtimeService,
  conn: RealtimeConnection,
  ws: WebSocket,
  event: string,
  msg: Record<string, unknown>,
): Promise<void> {
  const reply = (frame: object) => ws.readyState === ws.OPEN && ws.send(JSON.stringify(frame));
  const conversationId = typeof msg.conversation_id === 'string' && UUID.test(msg.conversation_id) ? msg.conversation_id : undefined;
  switch (event) {
    case 'ping':
      reply({ event: 'pong' });
      return;
    case 'subscribe':
    case 'unsubscribe': {
      if (msg.channel !== 'conversation' || !conversationId) {
        ws.send(errorFrame('invalid_event', 'Expected {"channel":"conversation","conversation_id":"<uuid>"}', event));
        return;
      }
      if (event === 'unsubscribe') {
        await realtime.unsubscribe(conn, conversationId);
        reply({ event: 'unsubscribed', channel: 'conversation', conversation_id: conversationId });
        return;
      }
      if (!(await realtime.subscribe(conn, conversationId))) {
        ws.send(errorFrame('conversation_not_found', 'No such conversation among yours', event));
        return;
      }
      reply({ event: 'subscribed', channel: 'conversation', conversation_id: conversationId });
      return;
    }
    case 'typing':
      if (!conversationId || typeof msg.is_typing !== 'boolean') {
        ws.send(errorFrame('invalid_event', 'Expected {"conversation_id":"<uuid>","is_typing":true|false}', event));
        return;
      }
      if (!(await realtime.typing(conn, conversationId, msg.is_typing))) {
        ws.send(errorFrame('conversation_not_found', 'No such conversation among yours', event));
      }
      return;
    case 'presence':
      if (msg.status !== 'online' && msg.status !== 'offline') {
        ws.send(errorFrame('invalid_event', 'Expected {"status":"online"|"offline"}', event));
        return;
      }
      await realtime.setStatus(conn, msg.status);
      return;
    case 'auth':
      ws.send(errorFrame('already_authenticated', 'This connection is authenticated already', event));
      return;
    default:
      ws.send(errorFrame('unknown_event', `Unknown event "${event}"`, event || undefined));
  }
}
