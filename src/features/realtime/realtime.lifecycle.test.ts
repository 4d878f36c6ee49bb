import { randomBytes } from 'node:crypto';
import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { createTestApp } from '../../../test/harness.js';
import { makeUser } from '../../../test/factories.js';
import { listen, WsClient } from '../../../test/realtime-helpers.js';

describe('connection lifecycle', () => {
  it('drops a connection that stops answering pings within two heartbeats, closes one whose token was voided, and closes the rest with 1001 on shutdown', async () => {
    const t = await createTestApp({ env: { WS_HEARTBEAT_MS: '300', WS_TOKEN_RECHECK_SECONDS: '1' } });
    try {
      const base = await listen(t);
      const [dead, alive] = [await makeUser(t.ctx), await makeUser(t.ctx)];
      // A raw TCP client: completes the handshake, then never reads or answers a ping.
      const socket = net.connect(Number(new URL(base).port), '127.0.0.1');
      socket.on('error', () => undefined);
      await new Promise((resolve) => socket.once('connect', resolve));
      socket.write(
        `GET /ws?token=${dead.accessToken} HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
          `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
      );
      socket.pause();
      await expect.poll(() => t.ctx.services.realtime.localConnectionsOf(dead.id), { timeout: 5000 }).toBe(1);
      const client = await WsClient.connect(base, `token=${alive.accessToken}`);
      await expect.poll(() => t.ctx.services.realtime.localConnectionsOf(dead.id), { timeout: 5000, interval: 50 }).toBe(0);
      expect(await t.ctx.services.realtime.isOnline(dead.id)).toBe(false);
      // The well-behaved client answers pings (ws does so automatically) and stays.
      expect(t.ctx.services.realtime.localConnectionsOf(alive.id)).toBe(1);
      socket.destroy();

      // Log-out-everywhere (no event): the socket's token is checked again within a second.
      const revoked = await makeUser(t.ctx);
      const revokedClient = await WsClient.connect(base, `token=${revoked.accessToken}`);
      await t.ctx.services.users.revokeAccessTokens(revoked.id);
      expect(await revokedClient.closed).toEqual({ code: 4401, reason: 'invalid_token' });
      expect(t.ctx.services.realtime.localConnectionsOf(alive.id)).toBe(1);

      await t.app.close();
      expect(await client.closed).toEqual({ code: 1001, reason: 'server shutting down' });
    } finally {
      await t.close();
    }
  });
});
