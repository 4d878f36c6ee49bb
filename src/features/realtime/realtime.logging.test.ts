import { describe, expect, it } from 'vitest';
import { createTestApp } from '../../../test/harness.js';
import { makeUser } from '../../../test/factories.js';
import { listen, WsClient } from '../../../test/realtime-helpers.js';
import { captureLogs } from '../../../test/capture.js';

describe('logging', () => {
  it('never writes the ?token= of a WebSocket URL (accepted or refused) to the logs', async () => {
    const { logger, lines } = captureLogs();
    const t = await createTestApp({ overrides: { logger } });
    try {
      const base = await listen(t);
      const user = await makeUser(t.ctx);
      const client = await WsClient.connect(base, `token=${user.accessToken}`);
      await client.close();
      const refused = new WsClient(`${base}/ws?token=${user.accessToken}x`);
      expect((await refused.closed).code).toBe(4401);
      // A plain HTTP request with a token in its query is logged masked.
      await t.app.inject({ method: 'GET', url: `/api/v1/realtime/events?since=0&token=${user.accessToken}`, headers: user.auth });
      expect(lines.length).toBeGreaterThan(0);
      const signature = user.accessToken.split('.')[2]!;
      expect(lines.join('\n')).not.toContain(signature);
    } finally {
      await t.close();
    }
  });
});
