import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import type { WebSocket } from 'ws';
import type { RealtimeConnection } from './connection-registry.js';

/** A `ws` socket with the heartbeat's mark. */
export interface Socket extends WebSocket {
  alive?: boolean;
}

/** One authenticated socket as the realtime service sees it: bounded sends, cork/uncork for batches. */
export class GatewayConnection implements RealtimeConnection {
  readonly subscriptions = new Set<string>();
  countsOnline = true;

  constructor(
    readonly userId: string,
    /** The session of that token: ending the session closes the socket. */
    readonly sessionId: string,
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
