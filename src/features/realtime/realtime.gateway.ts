import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { WebSocketServer, type RawData } from 'ws';
import { AppError } from '../../lib/app-error.js';
import { errorFrame, handleClientEvent } from './client-events.js';
import { GatewayConnection, type Socket } from './gateway-connection.js';
import type { RealtimeService } from './realtime.service.js';

export interface GatewayOptions {
  maxPayloadBytes: number;
  maxFramesPerSecond: number;
  maxBufferedBytes: number;
  authTimeoutMs: number;
  heartbeatMs: number;
  /** Backstop only: revocations close sockets at once (events), expiry by a timer per socket. */
  tokenRecheckMs: number;
  /** The clock tokens are checked against (epoch milliseconds). */
  now: () => number;
  /** Counts sockets and frames (the metrics); none: not counted. */
  metrics?: GatewayMetrics;
}

/** What the gateway reports to the metrics: sockets opened and closed, frames in and out. */
export interface GatewayMetrics {
  websocketOpened(): void;
  websocketClosed(): void;
  websocketMessageReceived(): void;
  websocketMessageSent(): void;
}

/**
 * Counts every frame sent on `ws` while it is open, whoever sends it (the connection, the gateway's
 * and the client events' error frames and replies): the socket's own `send` is wrapped once.
 */
function countSentFrames(ws: Socket, metrics: GatewayMetrics): void {
  const send = ws.send.bind(ws) as (...args: unknown[]) => void;
  ws.send = ((...args: unknown[]) => {
    if (ws.readyState === ws.OPEN) metrics.websocketMessageSent();
    send(...args);
  }) as Socket['send'];
}

/** Verifies an access token (signature, expiry, session not ended, account active, token version); throws a 401 AppError. */
export type TokenVerifier = (token: string) => Promise<{ userId: string; sessionId: string; expiresAt: Date }>;

/** setTimeout's longest delay (about 24.8 days). */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** Close codes (4000–4999 are the application's). */
export const CLOSE = {
  goingAway: 1001,
  policy: 1008,
  tooBig: 1009,
  internalError: 1011,
  unauthorized: 4401,
} as const;

const MAX_SINCE = Number.MAX_SAFE_INTEGER;

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
  const authenticated = new Set<GatewayConnection>();

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

  // Sockets close at once when their session ends, the password changes or the account is deactivated
  // (events, on every instance), and at their token's expiry (a timer each). The periodic re-check is
  // a backstop for what has no event (a token version bumped directly) or a lost cross-instance message.
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
    const metrics = options.metrics;
    if (metrics) {
      metrics.websocketOpened();
      ws.once('close', () => metrics.websocketClosed());
      countSentFrames(ws, metrics);
    }
    ws.alive = true;
    ws.on('pong', () => (ws.alive = true));
    ws.on('error', () => undefined);
    const sinceRaw = url.searchParams.get('since');
    let since: number | undefined;
    if (sinceRaw !== null) {
      const n = Number(sinceRaw);
      if (/^\d+$/.test(sinceRaw) && n <= MAX_SINCE) since = n;
    }
    let conn: GatewayConnection | undefined;
    /** Closes the socket when its access token expires. */
    let expiryTimer: NodeJS.Timeout | undefined;
    let authenticating = false;
    let window = { start: Date.now(), count: 0, warned: false };

    const authTimer = setTimeout(() => {
      if (!conn) ws.close(CLOSE.unauthorized, 'authentication timeout');
    }, options.authTimeoutMs);
    authTimer.unref();

    const refuse = (err: unknown) => {
      // Only a refusal closes the socket; a database or Redis hiccup does not.
      if (err instanceof AppError && err.kind === 'unauthorized') ws.close(CLOSE.unauthorized, err.code);
    };
    const authenticate = async (token: string) => {
      authenticating = true;
      let who: Awaited<ReturnType<TokenVerifier>>;
      try {
        who = await verify(token);
      } catch (err) {
        clearTimeout(authTimer);
        const code = err instanceof AppError ? err.code : 'invalid_token';
        if (!(err instanceof AppError)) logger.warn({ err }, 'websocket authentication failed');
        ws.close(CLOSE.unauthorized, code);
        return;
      }
      clearTimeout(authTimer);
      if (ws.readyState !== ws.OPEN) return;
      const { userId } = who;
      conn = new GatewayConnection(userId, who.sessionId, token, ws, socket, options.maxBufferedBytes, logger, release);
      authenticated.add(conn);
      const msLeft = who.expiresAt.getTime() - options.now();
      expiryTimer = setTimeout(() => ws.close(CLOSE.unauthorized, 'token_expired'), Math.min(Math.max(msLeft, 0), MAX_TIMER_MS));
      expiryTimer.unref();
      try {
        await realtime.connect(conn, since);
        if (ws.readyState !== ws.OPEN) release();
      } catch (err) {
        // Redis or the database failed mid-handshake: the client should retry (1011), not re-login.
        logger.error({ err, userId }, 'websocket connect failed');
        ws.close(CLOSE.internalError, 'try again');
        release();
        return;
      }
      // A session ended while the token was being checked closed no socket (this one was not
      // registered yet); the revocation is known here by now, so one more check catches it.
      if (ws.readyState === ws.OPEN) await verify(token).catch(refuse);
    };

    let released = false;
    const release = () => {
      clearTimeout(expiryTimer);
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
      metrics?.websocketMessageReceived();
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
      void handleClientEvent(realtime, conn, ws, event, msg).catch((err: unknown) => {
        logger.error({ err, event }, 'websocket event failed');
        ws.send(errorFrame('internal_error', 'The event could not be processed', event));
      });
    });

    const token = url.searchParams.get('token');
    if (token) void authenticate(token);
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
