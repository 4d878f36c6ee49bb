import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { AppError } from '../../lib/app-error.js';
import type { RealtimeConnection } from './connection-registry.js';
import type { RealtimeService } from './realtime.service.js';

export interface GatewayOptions {
  maxPayloadBytes: number;
  maxFramesPerSecond: number;
  maxBufferedBytes: number;
  authTimeoutMs: number;
  heartbeatMs: number;
  tokenRecheckMs: number;
}

/** Verifies an access token (signature, expiry, account active, token version); throws a 401 AppError. */
export type TokenVerifier = (token: string) => Promise<{ userId: string }>;

/** Close codes (4000–4999 are the application's). */
export const CLOSE = {
  goingAway: 1001,
  policy: 1008,
  tooBig: 1009,
  internalError: 1011,
  unauthorized: 4401,
} as const;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const MAX_SINCE = Number.MAX_SAFE_INTEGER;

interface Socket extends WebSocket {
  alive?: boolean;
}

class Connection implements RealtimeConnection {
  readonly subscriptions = new Set<string>();
  countsOnline = true;

  constructor(
    readonly userId: string,
    /** The access token the socket was opened with, checked again periodically. */
    readonly token: string,
    private readonly ws: Socket,
    /** The upgraded TCP socket under `ws` (ours since handleUpgrade), for cork/uncork. */
    private readonly socket: Duplex,
    private readonly maxBufferedBytes: number,
    private readonly logger: Logger,
    /** Called when the connection is dropped for being too slow (the socket's close event may come much later). */
    private readonly onDropped: () => void,
  ) {}

  send(frame: string): void {
    if (this.ws.readyState !== this.ws.OPEN) return;
    if (this.ws.bufferedAmount > this.maxBufferedBytes) {
      // A client that does not read cannot make the server hold its backlog: drop it; it catches up with `since`.
      this.logger.info({ userId: this.userId, buffered: this.ws.bufferedAmount }, 'websocket client too slow, disconnected');
      this.ws.terminate();
      this.onDropped();
      return;
    }
    this.ws.send(frame);
  }

  close(code: number, reason: string): void {
    this.ws.close(code, reason);
  }

  cork(): void {
    this.socket.cork();
  }

  uncork(): void {
    this.socket.uncork();
  }
}

const errorFrame = (code: string, message: string, requestEvent?: string) =>
  JSON.stringify({ event: 'error', code, message, ...(requestEvent ? { request_event: requestEvent } : {}) });

/**
 * `GET /ws`: the WebSocket endpoint, on the Fastify server's own port. The HTTP upgrade is taken from
 * the Node server's `upgrade` event (Fastify's routing never sees it), handed to `ws` (noServer,
 * permessage-deflate off, maxPayload); auth by `?token=` or a first `{"event":"auth"}` message.
 */
export function registerRealtimeGateway(
  app: FastifyInstance,
  realtime: RealtimeService,
  verify: TokenVerifier,
  options: GatewayOptions,
  logger: Logger,
): void {
  const wss = new WebSocketServer({ noServer: true, maxPayload: options.maxPayloadBytes, perMessageDeflate: false });
  let closing = false;
  const disconnecting = new Set<Promise<void>>();
  const authenticated = new Set<Connection>();

  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname !== '/ws' || closing) {
      socket.end(`HTTP/1.1 ${closing ? '503 Service Unavailable' : '404 Not Found'}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
      return;
    }
    socket.on('error', () => undefined);
    wss.handleUpgrade(req, socket, head, (ws) => accept(ws as Socket, url, socket));
  };
  app.server.on('upgrade', onUpgrade);

  const heartbeat = setInterval(() => {
    for (const ws of wss.clients as Set<Socket>) {
      if (ws.alive === false) {
        ws.terminate();
        continue;
      }
      ws.alive = false;
      ws.ping();
    }
  }, options.heartbeatMs);
  heartbeat.unref();

  // Every socket's token is checked again periodically: a socket outlives neither log-out-everywhere,
  // a deactivated account nor its token's expiry by more than one period (a password change closes
  // it at once through an event).
  const recheck = setInterval(() => {
    for (const conn of authenticated) {
      verify(conn.token).catch((err: unknown) => {
        // Only a refusal closes the socket; a database or Redis hiccup does not.
        if (err instanceof AppError && err.kind === 'unauthorized') conn.close(CLOSE.unauthorized, err.code);
      });
    }
  }, options.tokenRecheckMs);
  recheck.unref();

  function accept(ws: Socket, url: URL, socket: Duplex): void {
    ws.alive = true;
    ws.on('pong', () => (ws.alive = true));
    ws.on('error', () => undefined);
    const sinceRaw = url.searchParams.get('since');
    let since: number | undefined;
    if (sinceRaw !== null) {
      const n = Number(sinceRaw);
      if (/^\d+$/.test(sinceRaw) && n <= MAX_SINCE) since = n;
    }
    let conn: Connection | undefined;
    let authenticating = false;
    let window = { start: Date.now(), count: 0, warned: false };

    const authTimer = setTimeout(() => {
      if (!conn) ws.close(CLOSE.unauthorized, 'authentication timeout');
    }, options.authTimeoutMs);
    authTimer.unref();

    const authenticate = async (token: string) => {
      authenticating = true;
      let userId: string;
      try {
        userId = (await verify(token)).userId;
      } catch (err) {
        clearTimeout(authTimer);
        const code = err instanceof AppError ? err.code : 'invalid_token';
        if (!(err instanceof AppError)) logger.warn({ err }, 'websocket authentication failed');
        ws.close(CLOSE.unauthorized, code);
        return;
      }
      clearTimeout(authTimer);
      if (ws.readyState !== ws.OPEN) return;
      conn = new Connection(userId, token, ws, socket, options.maxBufferedBytes, logger, release);
      authenticated.add(conn);
      try {
        await realtime.connect(conn, since);
        if (ws.readyState !== ws.OPEN) release();
      } catch (err) {
        // Redis or the database failed mid-handshake: the client should retry (1011), not re-login.
        logger.error({ err, userId }, 'websocket connect failed');
        ws.close(CLOSE.internalError, 'try again');
        release();
      }
    };

    let released = false;
    const release = () => {
      if (!conn || released) return;
      released = true;
      authenticated.delete(conn);
      const done = realtime
        .disconnect(conn)
        .catch((err: unknown) => logger.warn({ err }, 'websocket disconnect failed'))
        .finally(() => disconnecting.delete(done));
      disconnecting.add(done);
    };
    ws.on('close', () => {
      clearTimeout(authTimer);
      release();
    });

    ws.on('message', (data: RawData, isBinary: boolean) => {
      const now = Date.now();
      if (now - window.start >= 1000) window = { start: now, count: 0, warned: false };
      window.count += 1;
      if (window.count > options.maxFramesPerSecond) {
        if (window.count > options.maxFramesPerSecond * 2) {
          ws.close(CLOSE.policy, 'too many messages');
          return;
        }
        if (!window.warned) {
          window.warned = true;
          ws.send(errorFrame('rate_limited', `At most ${options.maxFramesPerSecond} messages per second`));
        }
        return;
      }
      let msg: Record<string, unknown>;
      try {
        if (isBinary) throw new Error('binary');
        const parsed: unknown = JSON.parse(data.toString());
        if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not an object');
        msg = parsed as Record<string, unknown>;
      } catch {
        ws.send(errorFrame('invalid_message', 'Messages must be JSON objects with an "event" field'));
        return;
      }
      const event = typeof msg.event === 'string' ? msg.event : '';
      if (!conn) {
        if (event === 'auth' && typeof msg.token === 'string' && !authenticating) {
          void authenticate(msg.token);
        } else if (!authenticating) {
          ws.close(CLOSE.unauthorized, 'authentication required');
        }
        return;
      }
      void handle(conn, ws, event, msg).catch((err: unknown) => {
        logger.error({ err, event }, 'websocket event failed');
        ws.send(errorFrame('internal_error', 'The event could not be processed', event));
      });
    });

    const token = url.searchParams.get('token');
    if (token) void authenticate(token);
  }

  async function handle(conn: Connection, ws: Socket, event: string, msg: Record<string, unknown>): Promise<void> {
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

  // Join the other instances before serving (so they deliver to our clients from the start), but
  // never hang the start on an unreachable Redis: /readyz reports it.
  app.addHook('onReady', async () => {
    await Promise.race([realtime.start().catch(() => undefined), new Promise((resolve) => setTimeout(resolve, 3000).unref())]);
  });
  // Before the HTTP server stops: tell clients to reconnect elsewhere (1001), then stop the service.
  app.addHook('preClose', async () => {
    closing = true;
    clearInterval(heartbeat);
    clearInterval(recheck);
    const open = [...wss.clients];
    await Promise.all(
      open.map(
        (ws) =>
          new Promise<void>((resolve) => {
            if (ws.readyState === ws.CLOSED) return resolve();
            const force = setTimeout(() => {
              ws.terminate();
              resolve();
            }, 1000);
            ws.once('close', () => {
              clearTimeout(force);
              resolve();
            });
            ws.close(CLOSE.goingAway, 'server shutting down');
          }),
      ),
    );
  });
  app.addHook('onClose', async () => {
    app.server.off('upgrade', onUpgrade);
    wss.close();
    await Promise.allSettled([...disconnecting]);
    await realtime.stop();
  });
}
