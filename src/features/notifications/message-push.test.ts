import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../../infra/db/rows.js';
import { makeBlock, makeUser, type TestUser } from '../../../test/factories.js';
import { createTestApp, type TestApp } from '../../../test/harness.js';
import type { RealtimeDelivery, ServerEvent } from '../realtime/realtime-delivery.js';
import { MessagePushService } from './message-push.service.js';
import { makeNotification, NO_RATE_LIMITS, scalar, setPreferences } from './notifications.test-helpers.js';
import { http } from '../../../test/http.js';
import { captureLogs } from '../../../test/capture.js';

const { logger, lines: logLines } = captureLogs('info');

let t: TestApp;
beforeAll(async () => {
  // No FCM or VAPID configured: pushes are recorded in push_outbox and logged.
  t = await createTestApp({ env: NO_RATE_LIMITS, overrides: { logger, pushDelivery: { kickOnEnqueue: false } } });
});
afterAll(async () => t.close());

const { post } = http(() => t);
let n = 0;
async function device(user: TestUser): Promise<string> {
  const token = `log-device-${++n}-${Math.random().toString(36).slice(2)}:APA91b${'z'.repeat(24)}`;
  const res = await post('/api/v1/notifications/push-tokens', { token, device_type: 'android' }, user);
  if (res.statusCode !== 201) throw new Error(res.body);
  return token;
}
const pushesOf = (user: TestUser) =>
  queryRows<{ status: string; provider: string; notification_id: string | null; payload: { kind: string; title: string; body: string; data: Record<string, string> } }>(
    t.ctx.database.db,
    sql`select status, provider, notification_id, payload from push_outbox where user_id = ${user.id} order by created_at`,
  );

/** The RealtimeDelivery port as the gateway would answer it: who is watching which conversation. */
class Watching implements RealtimeDelivery {
  constructor(private readonly watchers: Set<string>) {}
  async sendToUsers(_ids: readonly string[], _event: ServerEvent): Promise<void> {}
  async watchingAmong(conversationId: string, userIds: readonly string[]): Promise<Set<string>> {
    return new Set(userIds.filter((userId) => this.watchers.has(`${userId}:${conversationId}`)));
  }
  async isOnline(): Promise<boolean> {
    return false;
  }
}

describe('message.sent → push only', () => {
  it('pushes participants other than the sender who have not muted and are not watching; blocks and preferences apply; no inbox row', async () => {
    const [sender, reader, muted, watcher, blocker, quiet] = await Promise.all([1, 2, 3, 4, 5, 6].map(() => makeUser(t.ctx, { fullName: 'Brian Onyango' })));
    const people = [sender, reader, muted, watcher, blocker, quiet] as TestUser[];
    for (const p of people) await device(p);
    await makeBlock(t.ctx, blocker as TestUser, sender as TestUser);
    await setPreferences(t.ctx, quiet as TestUser, { messages: false });
    const conversationId = '00000000-0000-4000-8000-00000000c0c0';
    const service = new MessagePushService(t.ctx.services.pushDelivery, new Watching(new Set([`${watcher?.id}:${conversationId}`])));
    const queued = await service.onMessageSent({
      conversationId,
      participantIds: people.map((p) => p.id),
      mutedParticipantIds: [(muted as TestUser).id],
      senderId: (sender as TestUser).id,
      message: { id: '00000000-0000-4000-8000-00000000d0d0', conversation_id: conversationId, sender: { full_name: 'Brian Onyango' }, content: 'Hey! How are you?', message_type: 'text' },
      at: new Date().toISOString(),
    });
    expect(queued).toBe(1);
    const [push] = await pushesOf(reader as TestUser);
    expect(push).toMatchObject({
      notification_id: null,
      payload: {
        kind: 'message',
        title: 'Brian Onyango',
        body: 'Hey! How are you?',
        data: { notification_type: 'message', conversation_id: conversationId, message_id: '00000000-0000-4000-8000-00000000d0d0', action_url: `/conversations/${conversationId}` },
      },
    });
    for (const p of [sender, muted, watcher, blocker, quiet]) expect(await pushesOf(p as TestUser)).toEqual([]);
    expect(await scalar<number>(t.ctx, sql`select count(*)::int from notifications where user_id = ${(reader as TestUser).id}`)).toBe(0);
  });

  it('through the bus: a message.sent event queues a push for a participant who is not connected; a system message (no sender) none', async () => {
    const [from, to] = [await makeUser(t.ctx), await makeUser(t.ctx)];
    await device(to);
    const conversationId = '00000000-0000-4000-8000-00000000c0c1';
    const base = { conversationId, participantIds: [from.id, to.id], mutedParticipantIds: [], at: new Date().toISOString() };
    await t.ctx.bus.publish(t.ctx.database.db, 'message.sent', { ...base, senderId: null, message: { id: '00000000-0000-4000-8000-00000000d0d1', conversation_id: conversationId, content: 'Goal created' } });
    await t.ctx.bus.publish(t.ctx.database.db, 'message.sent', { ...base, senderId: from.id, message: { id: '00000000-0000-4000-8000-00000000d0d2', conversation_id: conversationId, sender: { full_name: 'X' }, content: null, message_type: 'image' } });
    await t.ctx.bus.drain();
    expect((await pushesOf(to)).map((p) => p.payload.body)).toEqual(['Sent a photo']);
  });
});

describe('without FCM or VAPID configured', () => {
  it('pushes are recorded in push_outbox (provider log) and logged as "would have sent" without the token; push_sent stays false', async () => {
    const [me, friend] = [await makeUser(t.ctx), await makeUser(t.ctx)];
    const token = await device(me);
    const id = await makeNotification(t.ctx, me, { from: friend, title: 'New Friend Request' });
    await t.ctx.services.pushDelivery.deliverDue();
    expect((await pushesOf(me)).map((p) => [p.provider, p.status, p.notification_id])).toEqual([['log', 'sent', id]]);
    const line = logLines.map((l) => JSON.parse(l) as { msg: string; push?: { title: string; userId: string } }).find((l) => l.msg === 'push not configured: would have sent' && l.push?.userId === me.id);
    expect(line?.push?.title).toBe('New Friend Request');
    expect(logLines.join('\n')).not.toContain(token);
    expect(await scalar<boolean>(t.ctx, sql`select push_sent from notifications where id = ${id}`)).toBe(false);
  });
});
