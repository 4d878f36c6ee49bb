import { sql } from 'drizzle-orm';
import WebSocket from 'ws';
import type { AppContext } from '../src/context.js';
import { queryRows } from '../src/infra/db/rows.js';
import type { TestApp } from './harness.js';
import type { TestUser } from './factories.js';

export type Frame = Record<string, unknown> & { event: string; seq?: number };

/** Starts the test app's HTTP server on a free port; returns the ws:// base URL. */
export async function listen(t: TestApp): Promise<string> {
  await t.app.listen({ port: 0, host: '127.0.0.1' });
  const address = t.app.server.address();
  if (!address || typeof address === 'string') throw new Error('no address');
  return `ws://127.0.0.1:${address.port}`;
}

/** A real `ws` client that records every frame and lets a test await the ones it expects. */
export class WsClient {
  readonly frames: Frame[] = [];
  readonly ws: WebSocket;
  private waiters: Array<{ match: (f: Frame) => boolean; resolve: (f: Frame) => void }> = [];
  readonly closed: Promise<{ code: number; reason: string }>;
  readonly opened: Promise<void>;

  constructor(url: string) {
    this.ws = new WebSocket(url, { perMessageDeflate: false });
    this.ws.on('error', () => undefined);
    this.opened = new Promise((resolve, reject) => {
      this.ws.once('open', () => resolve());
      this.ws.once('close', () => reject(new Error('closed before open')));
    });
    this.opened.catch(() => undefined);
    this.closed = new Promise((resolve) => this.ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() })));
    this.ws.on('message', (data) => {
      const frame = JSON.parse(data.toString()) as Frame;
      this.frames.push(frame);
      this.waiters = this.waiters.filter((w) => {
        if (!w.match(frame)) return true;
        w.resolve(frame);
        return false;
      });
    });
  }

  static async connect(base: string, query: string): Promise<WsClient> {
    const client = new WsClient(`${base}/ws?${query}`);
    await client.next((f) => f.event === 'connected');
    return client;
  }

  send(payload: unknown): void {
    this.ws.send(typeof payload === 'string' ? payload : JSON.stringify(payload));
  }

  /** The first frame (already received or arriving within `timeoutMs`) matching `match`. */
  next(match: (f: Frame) => boolean, timeoutMs = 5000): Promise<Frame> {
    const seen = this.frames.find(match);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no matching frame within ${timeoutMs} ms; got ${JSON.stringify(this.frames)}`)), timeoutMs);
      this.waiters.push({
        match,
        resolve: (f) => {
          clearTimeout(timer);
          resolve(f);
        },
      });
    });
  }

  /** Waits for the next frame of `event` received after the frames seen so far. */
  nextNew(event: string, match: (f: Frame) => boolean = () => true, timeoutMs = 5000): Promise<Frame> {
    const from = this.frames.length;
    return this.next((f) => f.event === event && match(f) && this.frames.indexOf(f) >= from, timeoutMs);
  }

  async close(): Promise<void> {
    if (this.ws.readyState === WebSocket.CLOSED) return;
    this.ws.close();
    await this.closed;
  }
}

/** A group conversation with these participants (rows written directly, as the chat feature would). */
export async function makeConversation(ctx: AppContext, members: TestUser[]): Promise<string> {
  const [row] = await queryRows<{ id: string }>(
    ctx.database.db,
    sql`insert into conversations (conversation_type, is_group, name) values ('group', true, 'test group') returning id`,
  );
  const id = row!.id;
  for (const m of members) {
    await ctx.database.db.execute(sql`insert into conversation_participants (conversation_id, user_id, role) values (${id}, ${m.id}, 'member')`);
  }
  return id;
}
