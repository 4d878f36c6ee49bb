import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { createTestApp } from '../../test/harness.js';
import { ConfigError, loadConfig } from '../config/config.js';

/** A raw TCP client of the listening app: resolves with everything the server sent once it closed the socket, and when. */
function rawClient(port: number) {
  const socket = net.connect(port, '127.0.0.1');
  socket.on('error', () => undefined);
  let received = '';
  socket.on('data', (chunk: Buffer) => void (received += chunk.toString()));
  const connected = new Promise<void>((resolve) => socket.once('connect', () => resolve()));
  const ended = new Promise<{ received: string; at: number }>((resolve) => socket.once('close', () => resolve({ received, at: performance.now() })));
  return { socket, connected, ended, received: () => received };
}

async function listen(app: Awaited<ReturnType<typeof createTestApp>>['app']): Promise<number> {
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  if (!address || typeof address === 'string') throw new Error('no address');
  return address.port;
}

describe('HTTP server timeouts (HTTP_*_TIMEOUT_MS)', () => {
  it('defaults: whole request 300 s, headers 20 s, keep-alive 65 s (above a proxy\'s 60 s)', async () => {
    const t = await createTestApp();
    try {
      expect(t.app.server.requestTimeout).toBe(300_000);
      expect(t.app.server.headersTimeout).toBe(20_000);
      expect(t.app.server.keepAliveTimeout).toBe(65_000);
    } finally {
      await t.close();
    }
  });

  it('a client that never finishes its headers is answered 408 and cut off within the headers timeout (plus the check interval); a prompt one is served', async () => {
    const t = await createTestApp({ env: { HTTP_HEADERS_TIMEOUT_MS: '400' } });
    try {
      const port = await listen(t.app);
      const slow = rawClient(port);
      await slow.connected;
      const sentAt = performance.now();
      slow.socket.write('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n');
      const prompt = rawClient(port);
      await prompt.connected;
      prompt.socket.write('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n');
      const served = await prompt.ended;
      expect(served.received).toMatch(/^HTTP\/1\.1 200 /);

      const { received, at } = await slow.ended;
      expect(received).toMatch(/^HTTP\/1\.1 408 /);
      // Node checks every min(1 s, headers / 2) = 200 ms: closed between 400 and 600 ms (plus scheduling slack).
      expect(at - sentAt).toBeGreaterThanOrEqual(380);
      expect(at - sentAt).toBeLessThan(1_500);
    } finally {
      await t.close();
    }
  });

  it('an idle kept-alive connection is closed by the server after the keep-alive timeout', async () => {
    const t = await createTestApp({ env: { HTTP_KEEP_ALIVE_TIMEOUT_MS: '1000' } });
    try {
      const port = await listen(t.app);
      const client = rawClient(port);
      await client.connected;
      client.socket.write('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
      await expect.poll(() => client.received(), { timeout: 2_000, interval: 20 }).toMatch(/\r\n\r\n\{"status":"ok"\}$/);
      const answeredAt = performance.now();
      expect(client.received()).toMatch(/keep-alive: timeout=1\r\n/i);
      const { at } = await client.ended;
      expect(at - answeredAt).toBeGreaterThanOrEqual(900);
      expect(at - answeredAt).toBeLessThan(2_500);
    } finally {
      await t.close();
    }
  });

  it('refuses a headers timeout longer than the request timeout, and values out of range', () => {
    expect(() => loadConfig({ HTTP_REQUEST_TIMEOUT_MS: '10000', HTTP_HEADERS_TIMEOUT_MS: '20000' })).toThrow(
      /HTTP_HEADERS_TIMEOUT_MS \(20000\) must not exceed HTTP_REQUEST_TIMEOUT_MS \(10000\)/,
    );
    // No request limit at all: any headers budget is fine.
    expect(loadConfig({ HTTP_REQUEST_TIMEOUT_MS: '0', HTTP_HEADERS_TIMEOUT_MS: '30000' }).httpTimeouts).toEqual({ requestMs: 0, headersMs: 30_000, keepAliveMs: 65_000 });
    const bad = { HTTP_HEADERS_TIMEOUT_MS: '0', HTTP_KEEP_ALIVE_TIMEOUT_MS: 'a minute', SHUTDOWN_TIMEOUT_MS: '-5' };
    try {
      loadConfig(bad);
      expect.unreachable('the configuration was accepted');
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      for (const name of Object.keys(bad)) expect((err as ConfigError).problems.some((p) => p.startsWith(name))).toBe(true);
    }
  });
});
