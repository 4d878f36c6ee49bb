/** One open, authenticated WebSocket as the service sees it (the gateway implements it). */
export interface RealtimeConnection {
  readonly userId: string;
  /** The session (refresh-token family) of the access token it was opened with. */
  readonly sessionId?: string;
  /** Conversations this connection subscribed to. */
  readonly subscriptions: Set<string>;
  /** Whether it counts toward the user being online (a client may report itself `offline`). */
  countsOnline: boolean;
  /** Sends one frame (the gateway enforces the outbound buffer limit). */
  send(frame: string): void;
  /** Closes the socket with an application close code. */
  close(code: number, reason: string): void;
  /** Holds writes until uncork(): a batch's frames to one socket leave in one system call. */
  cork?(): void;
  uncork?(): void;
}

/** One frame for one user's connections on this instance. */
export interface Delivery {
  userId: string;
  /** The event's seq; undefined for an ephemeral event (typing, presence), which carries none. */
  seq?: number | undefined;
  frame: string;
  /** Only to connections subscribed to this conversation (typing). */
  conversationId?: string | undefined;
}

interface ConnectionState {
  /** While catching up: live frames wait here (seq, frame, conversation) until the missed ones are out. */
  buffer?: Delivery[];
}

/** This instance's open connections by user, and the frames held back while one catches up. */
export class ConnectionRegistry {
  private readonly connections = new Map<string, Set<RealtimeConnection>>();
  private readonly states = new WeakMap<RealtimeConnection, ConnectionState>();

  /**
   * Registers a connection whose live frames are held back until `release(conn)`; returns the
   * buffer they collect in (seq order).
   */
  addBuffered(conn: RealtimeConnection): readonly Delivery[] {
    const buffer: Delivery[] = [];
    this.states.set(conn, { buffer });
    let set = this.connections.get(conn.userId);
    if (!set) this.connections.set(conn.userId, (set = new Set()));
    set.add(conn);
    return buffer;
  }

  /** Live frames go straight to the connection from now on. */
  release(conn: RealtimeConnection): void {
    const state = this.states.get(conn);
    if (state) delete state.buffer;
  }

  /** Forgets a connection; false when it was not registered. */
  remove(conn: RealtimeConnection): boolean {
    const set = this.connections.get(conn.userId);
    if (!set?.delete(conn)) return false;
    if (set.size === 0) this.connections.delete(conn.userId);
    return true;
  }

  hasUser(userId: string): boolean {
    return this.connections.has(userId);
  }

  connectionsOf(userId: string): Iterable<RealtimeConnection> {
    return this.connections.get(userId) ?? [];
  }

  /**
   * Delivers what `fill` hands to `deliver`, corking each socket at its first frame and uncorking
   * them all at the end, so a batch's frames to one socket leave together.
   */
  sendBatch(fill: (deliver: (d: Delivery) => void) => void): void {
    const corked = new Set<RealtimeConnection>();
    fill((d) => this.deliver(d, corked));
    for (const conn of corked) conn.uncork?.();
  }

  private deliver(d: Delivery, corked: Set<RealtimeConnection>): void {
    const conns = this.connections.get(d.userId);
    if (!conns) return;
    for (const conn of conns) {
      if (d.conversationId && !conn.subscriptions.has(d.conversationId)) continue;
      const state = this.states.get(conn);
      if (state?.buffer) {
        state.buffer.push(d);
        continue;
      }
      if (conn.cork && !corked.has(conn)) {
        conn.cork();
        corked.add(conn);
      }
      conn.send(d.frame);
    }
  }

  /** Closes every connection of the user on this instance; with `sessionIds`, only those opened in these sessions. */
  closeAll(userId: string, code: number, reason: string, sessionIds?: readonly string[]): void {
    for (const conn of [...(this.connections.get(userId) ?? [])]) {
      if (sessionIds && !(conn.sessionId !== undefined && sessionIds.includes(conn.sessionId))) continue;
      conn.close(code, reason);
    }
  }

  /** Open connections of one user on this instance. */
  countOf(userId: string): number {
    return this.connections.get(userId)?.size ?? 0;
  }

  /** Number of open connections on this instance. */
  get size(): number {
    let n = 0;
    for (const set of this.connections.values()) n += set.size;
    return n;
  }
}
