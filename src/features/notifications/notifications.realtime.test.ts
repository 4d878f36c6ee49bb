import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../../infra/db/rows.js';
import { makeFriends, makeUser, type TestUser } from '../../../test/factories.js';
import { createTestApp, type TestApp } from '../../../test/harness.js';
import { listen, WsClient } from '../../../test/realtime-helpers.js';
import { makePost } from '../posts/posts.test-helpers.js';
import { NO_RATE_LIMITS } from './notifications.test-helpers.js';
import { http } from '../../../test/http.js';

let t: TestApp;
let base: string;
const clients: WsClient[] = [];
beforeAll(async () => {
  t = await createTestApp({ env: NO_RATE_LIMITS, overrides: { pushDelivery: { kickOnEnqueue: false } } });
  base = await listen(t);
});
afterAll(async () => {
  await Promise.all(clients.map((c) => c.close().catch(() => undefined)));
  await t.close();
});

const { post } = http(() => t);
async function connect(user: TestUser): Promise<WsClient> {
  const client = await WsClient.connect(base, `token=${user.accessToken}`);
  clients.push(client);
  return client;
}
const messagePushesOf = async (user: TestUser) => {
  await t.ctx.bus.drain();
  return queryRows<{ message_id: string }>(
    t.ctx.database.db,
    sql`select payload -> 'data' ->> 'message_id' as message_id from push_outbox where user_id = ${user.id} and payload ->> 'kind' = 'message'`,
  );
};

describe('notifications over the WebSocket', () => {
  it('a like through the REST API reaches the author’s connected socket as notification.new', async () => {
    const [author, fan] = [await makeUser(t.ctx), await makeUser(t.ctx, { fullName: 'Alvin Amwata' })];
    await makeFriends(t.ctx, author, fan);
    const postId = await makePost(t.ctx, author);
    const socket = await connect(author);
    expect((await post(`/api/v1/posts/${postId}/like`, undefined, fan)).statusCode).toBe(201);
    const frame = await socket.next((f) => f.event === 'notification.new' && (f.notification as { notification_type: string }).notification_type === 'post_like');
    const [row] = await queryRows<{ id: string }>(t.ctx.database.db, sql`select id from notifications where user_id = ${author.id} and notification_type = 'post_like'`);
    expect(frame.notification).toMatchObject({ id: row?.id, title: 'New Like', message: 'Alvin Amwata liked your memory', notification_type: 'post_like', action_url: `/posts/${postId}` });
    expect(typeof frame.seq).toBe('number');
  });

  it('a chat message is not pushed to a participant watching the conversation, and is pushed once they stop', async () => {
    const [sender, reader] = [await makeUser(t.ctx), await makeUser(t.ctx)];
    await makeFriends(t.ctx, sender, reader);
    const token = `watch-${Math.random().toString(36).slice(2)}:APA91b${'w'.repeat(24)}`;
    expect((await post('/api/v1/notifications/push-tokens', { token, device_type: 'android' }, reader)).statusCode).toBe(201);
    const conversation = await post('/api/v1/conversations', { conversation_type: 'direct', participant_ids: [reader.id] }, sender);
    expect(conversation.statusCode, conversation.body).toBeLessThan(300);
    const conversationId = conversation.json().id as string;

    const socket = await connect(reader);
    socket.send({ event: 'subscribe', channel: 'conversation', conversation_id: conversationId });
    await socket.next((f) => f.event === 'subscribed' && f.conversation_id === conversationId);
    const seen = await post(`/api/v1/conversations/${conversationId}/messages`, { content: 'you are here' }, sender);
    expect(seen.statusCode, seen.body).toBe(201);
    await socket.next((f) => f.event === 'message.new');
    expect(await messagePushesOf(reader)).toEqual([]);

    socket.send({ event: 'unsubscribe', channel: 'conversation', conversation_id: conversationId });
    await socket.next((f) => f.event === 'unsubscribed' && f.conversation_id === conversationId);
    const away = await post(`/api/v1/conversations/${conversationId}/messages`, { content: 'and now?' }, sender);
    expect(away.statusCode, away.body).toBe(201);
    expect(await messagePushesOf(reader)).toEqual([{ message_id: away.json().id }]);
    expect(await messagePushesOf(sender)).toEqual([]);
  });
});
