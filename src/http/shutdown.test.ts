import { randomBytes } from 'node:crypto';
import http from 'node:http';
import net from 'node:net';
import { describe, expect, it, vi } from 'vitest';
import { makeUser } from '../../test/factories.js';
import { createTestApp, type TestApp } from '../../test/harness.js';
import { shutDownGracefully } from './shutdown.js';

async function listen(t: TestApp): Promise<number> {
  await t.app.listen({ port: 0, host: '127.0.0.1' });
  const address = t.app.server.address();
  if (!address || typeof address === 'string') throw new Error('no address');
  return address.port;
}

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/**
 * A POST whose body's last byte is held back until `release` is called: a request in flight.
 * `started` resolves once the server has read its headers (the `100 Continue` it answers).
 */
function heldRequest(port: number, path: string, body: string) {
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  let markStarted!: () => void;
  const started = new Promise<void>((resolve) => (markStarted = resolve));
  const answer = new Promise<Answer>((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        path,
        method: 'POST',
        agent: false,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), expect: '100-continue' },
      },
      (res) => {
        let text = '';
        res.on('data', (chunk: Buffer) => void (text += chunk.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.once('continue', () => {
      markStarted();
      req.write(body.slice(0, -1));
      void released.then(() => req.end(body.slice(-1)));
    });
    req.flushHeaders();
  });
  return { answer, release, started };
}

/** A WebSocket handshake on a raw socket that then never reads: the server's close waits for it (1 s at most). */
async function unresponsiveSocket(port: number, token: string): Promise<net.Socket> {
  const socket = net.connect(port, '127.0.0.1');
  socket.on('error', () => undefined);
  await new Promise((resolve) => socket.once('connect', resolve));
  socket.write(
    `GET /ws?token=${token} HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
      `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
  );
  socket.pause();
  return socket;
}

describe('graceful shutdown (shutDownGracefully, main.ts on SIGTERM)', () => {
  it('lets the request in flight finish, answers a request arriving meanwhile 503 shutting_down with Retry-After, then closes the rest', async () => {
    const t = await createTestApp();
    try {
      const port = await listen(t);
      const user = await makeUser(t.ctx);
      // Holds the gateway's close (it waits for the close handshake) so that the listener still accepts.
      const ws = await unresponsiveSocket(port, user.accessToken);
      await expect.poll(() => t.ctx.services.realtime.localConnectionsOf(user.id), { timeout: 5_000 }).toBe(1);
      const login = heldRequest(port, '/api/v1/auth/login', JSON.stringify({ email: user.email, password: user.password }));
      await login.started;

      const closeRest = vi.fn(async () => undefined);
      const stopped = shutDownGracefully(t.app, closeRest, 5_000, t.ctx.logger);
      await new Promise((resolve) => setTimeout(resolve, 100));
      const late = await fetch(`http://127.0.0.1:${port}/api/v1/users/me`, { headers: user.auth });
      expect(late.status).toBe(503);
      expect(late.headers.get('retry-after')).toBe('1');
      expect(late.headers.get('connection')).toBe('close');
      expect(await late.json()).toEqual({ error: { code: 'shutting_down', message: 'This server is shutting down; try again', details: [] } });

      login.release();
      const answered = await login.answer;
      expect(answered.status).toBe(200);
      expect(JSON.parse(answered.body)).toHaveProperty('access_token');
      expect(answered.headers.connection).toBe('close');
      expect(await stopped).toBe(true);
      expect(closeRest).toHaveBeenCalledTimes(1);
      ws.destroy();
    } finally {
      await t.close();
    }
  });

  it('cuts the connection of a request still running after the drain budget, still closes the rest, and reports the shutdown as not clean', async () => {
    const t = await createTestApp();
    try {
      const port = await listen(t);
      const stuck = heldRequest(port, '/api/v1/auth/login', JSON.stringify({ email: 'nobody@example.com', password: 'whatever' }));
      const outcome = stuck.answer.then(
        () => 'answered',
        (err: NodeJS.ErrnoException) => err.code,
      );
      await stuck.started;
      const closeRest = vi.fn(async () => undefined);
      const startedAt = performance.now();
      expect(await shutDownGracefully(t.app, closeRest, 500, t.ctx.logger)).toBe(false);
      expect(performance.now() - startedAt).toBeLessThan(2_000);
      expect(await outcome).toBe('ECONNRESET');
      expect(closeRest).toHaveBeenCalledTimes(1);
    } finally {
      await t.close();
    }
  });
});
