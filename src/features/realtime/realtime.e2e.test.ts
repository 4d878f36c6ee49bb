import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../test/harness.js';
import { makeFriends, makeUser } from '../../../test/factories.js';
import { listen, WsClient } from '../../../test/realtime-helpers.js';

let t: TestApp;
let base: string;
const clients: WsClient[] = [];

beforeAll(async () => {
  t = await createTestApp({ env: { RATE_LIMIT_ENABLED: 'false' } });
  base = await listen(t);
});

afterAll(async () => {
  await Promise.all(clients.map((c) => c.close().catch(() => undefined)));
  await t.close();
});

const post = async (url: string, auth: Record<string, string>, payload: Record<string, unknown>) => {
  const res = await t.app.inject({ method: 'POST', url, headers: auth, payload });
  expect([200, 201], res.body).toContain(res.statusCode);
  return res.json<Record<string, unknown> & { id: string }>();
};

describe('realtime through the REST API', () => {
  it('a message POSTed by one participant reaches the other participant’s socket and the sender’s other device', async () => {
    const [a, b] = [await makeUser(t.ctx, { fullName: 'Brian Onyango' }), await makeUser(t.ctx)];
    await makeFriends(t.ctx, a, b);
    const conversation = await post('/api/v1/conversations', a.auth, { conversation_type: 'direct', participant_ids: [b.id] });
    const other = await WsClient.connect(base, `token=${b.accessToken}`);
    const senderTablet = await WsClient.connect(base, `token=${a.accessToken}`);
    clients.push(other, senderTablet);

    const sent = await post(`/api/v1/conversations/${conversation.id}/messages`, a.auth, { content: 'Hey! How are you?' });
    for (const c of [other, senderTablet]) {
      const frame = await c.next((f) => f.event === 'message.new');
      expect(frame).toMatchObject({
        conversation_id: conversation.id,
        message: { id: sent.id, content: 'Hey! How are you?', sender: { id: a.id, username: a.username, full_name: 'Brian Onyango' } },
      });
      expect(typeof frame.seq).toBe('number');
    }

    const read = await t.app.inject({ method: 'POST', url: `/api/v1/conversations/${conversation.id}/read`, headers: b.auth, payload: {} });
    expect(read.statusCode, read.body).toBeLessThan(300);
    const receipt = await senderTablet.next((f) => f.event === 'message.read');
    expect(receipt).toMatchObject({ conversation_id: conversation.id, message_id: sent.id, user_id: b.id });
  });

  it('a new notification reaches its recipient as notification.new', async () => {
    const user = await makeUser(t.ctx);
    const client = await WsClient.connect(base, `token=${user.accessToken}`);
    clients.push(client);
    const notification = {
      id: crypto.randomUUID(),
      title: 'New Like',
      message: 'Alvin Amwata liked your memory',
      notification_type: 'post_like',
      image_url: null,
      icon_type: null,
      icon_color: null,
      action_url: null,
      actor_count: 1,
      created_at: new Date().toISOString(),
    };
    await t.ctx.bus.publish(t.ctx.database.db, 'notification.created', { userId: user.id, notification });
    expect(await client.next((f) => f.event === 'notification.new')).toMatchObject({ notification: { id: notification.id, title: 'New Like' } });
  });
});
