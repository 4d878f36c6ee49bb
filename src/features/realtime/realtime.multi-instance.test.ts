import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { openPostgresDatabase } from '../../infra/db/postgres-database.js';
import { createTestApp, type TestApp } from '../../../test/harness.js';
import { makeFriends, makeUser, type TestUser } from '../../../test/factories.js';
import { createDatabaseFromTemplate, databaseUrlFor, dropDatabase } from '../../../test/pg-admin.js';
import { listen, makeConversation, WsClient } from '../../../test/realtime-helpers.js';

const baseUrl = process.env.DATABASE_URL;
const withRedis = Boolean(process.env.REDIS_URL && baseUrl);

// Two API instances on two ports sharing one PostgreSQL database and one Redis (same key prefix).
describe.skipIf(!withRedis)('two instances behind one Redis', () => {
  let a: TestApp;
  let b: TestApp;
  let baseA: string;
  let baseB: string;
  let dbName: string;
  const clients: WsClient[] = [];

  beforeAll(async () => {
    dbName = `${inject('pgRunPrefix')}_${randomBytes(4).toString('hex')}`;
    await createDatabaseFromTemplate(baseUrl!, dbName, inject('pgTemplateDatabase'));
    const url = databaseUrlFor(baseUrl!, dbName);
    const env = { REDIS_KEY_PREFIX: `tribe-test:${randomUUID()}:`, JWT_SECRET: randomBytes(32).toString('hex'), WS_TYPING_TIMEOUT_MS: '5000' };
    a = await createTestApp({ env, overrides: { database: openPostgresDatabase({ url, poolSize: 4 }) } });
    b = await createTestApp({ env, overrides: { database: openPostgresDatabase({ url, poolSize: 4 }) } });
    baseA = await listen(a);
    baseB = await listen(b);
  });

  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close().catch(() => undefined)));
    await a?.close();
    await b?.close();
    if (dbName) await dropDatabase(baseUrl!, dbName);
  });

  const open = async (base: string, user: TestUser) => {
    const client = await WsClient.connect(base, `token=${user.accessToken}`);
    clients.push(client);
    return client;
  };

  const send = async (t: TestApp, conversationId: string, users: TestUser[], sender: TestUser, content: string) =>
    await t.ctx.bus.publish(t.ctx.database.db, 'message.sent', {
      conversationId,
      participantIds: users.map((u) => u.id),
      mutedParticipantIds: [],
      senderId: sender.id,
      message: { id: randomUUID(), conversation_id: conversationId, content },
      at: new Date().toISOString(),
    });

  const content = (f: Record<string, unknown>) => (f.message as { content?: string } | undefined)?.content;

  it('delivers an event sent through one instance to clients on the other, both ways, with one seq per user', async () => {
    const [x, y] = [await makeUser(a.ctx), await makeUser(a.ctx)];
    const conversationId = await makeConversation(a.ctx, [x, y]);
    const onA = await open(baseA, x);
    const onB = await open(baseB, y);
    const yOnA = await open(baseA, y);

    await send(a, conversationId, [x, y], x, 'from A');
    const atB = await onB.next((f) => f.event === 'message.new' && content(f) === 'from A');
    expect(atB).toMatchObject({ conversation_id: conversationId });
    await onA.next((f) => f.event === 'message.new' && content(f) === 'from A');

    await send(b, conversationId, [x, y], y, 'from B');
    const atA = await onA.next((f) => f.event === 'message.new' && content(f) === 'from B');
    expect(atA).toMatchObject({ conversation_id: conversationId });

    // y's devices on both instances see the same seqs, increasing across instances.
    const yB = await onB.next((f) => f.event === 'message.new' && content(f) === 'from B');
    const yA1 = await yOnA.next((f) => f.event === 'message.new' && content(f) === 'from A');
    const yA2 = await yOnA.next((f) => f.event === 'message.new' && content(f) === 'from B');
    expect(yA1.seq).toBe(atB.seq);
    expect(yA2.seq).toBe(yB.seq);
    expect(yB.seq as number).toBe((atB.seq as number) + 1);
  });

  it('shares presence and conversation watchers: typing and presence.update cross instances', async () => {
    const [x, y] = [await makeUser(a.ctx), await makeUser(a.ctx)];
    await makeFriends(a.ctx, x, y);
    const conversationId = await makeConversation(a.ctx, [x, y]);
    const onA = await open(baseA, x);
    expect(await b.ctx.services.realtime.isOnline(x.id)).toBe(true);
    expect(await b.ctx.services.realtime.isOnline(y.id)).toBe(false);
    const online = onA.nextNew('presence.update', (f) => f.user_id === y.id && f.status === 'online');
    const onB = await open(baseB, y);
    await online;
    expect(await a.ctx.services.realtime.isOnline(y.id)).toBe(true);

    for (const c of [onA, onB]) {
      c.send({ event: 'subscribe', channel: 'conversation', conversation_id: conversationId });
      await c.nextNew('subscribed');
    }
    expect(await b.ctx.services.realtime.watchingAmong(conversationId, [x.id])).toEqual(new Set([x.id]));
    const typing = onA.nextNew('typing', (f) => f.is_typing === true);
    onB.send({ event: 'typing', conversation_id: conversationId, is_typing: true });
    expect(await typing).toMatchObject({ conversation_id: conversationId, user: { id: y.id } });

    const offline = onA.nextNew('presence.update', (f) => f.user_id === y.id && f.status === 'offline');
    await onB.close();
    await offline;
    expect(await a.ctx.services.realtime.isOnline(y.id)).toBe(false);
  });

  it('closes a user’s sockets on the other instance when their password changes on this one', async () => {
    const user = await makeUser(a.ctx);
    const onB = await open(baseB, user);
    await a.ctx.services.users.changePassword(user.id, 'not-a-real-hash', 'change');
    expect(await onB.closed).toEqual({ code: 4401, reason: 'token_revoked' });
  });

  it('issue 14.8: a block made through one instance drops the pair’s direct-conversation subscriptions on the other', async () => {
    const [x, y] = [await makeUser(a.ctx), await makeUser(a.ctx)];
    await makeFriends(a.ctx, x, y);
    const created = await a.app.inject({ method: 'POST', url: '/api/v1/conversations', headers: x.auth, payload: { conversation_type: 'direct', participant_ids: [y.id] } });
    expect(created.statusCode, created.body).toBe(201);
    const conversationId = created.json<{ id: string }>().id;
    const xOnB = await open(baseB, x);
    const yOnA = await open(baseA, y);
    for (const c of [xOnB, yOnA]) {
      c.send({ event: 'subscribe', channel: 'conversation', conversation_id: conversationId });
      await c.nextNew('subscribed');
    }

    const blocked = await a.app.inject({ method: 'POST', url: '/api/v1/settings/blocked-users', headers: y.auth, payload: { user_id: x.id } });
    expect(blocked.statusCode, blocked.body).toBe(201);
    await a.ctx.bus.drain();
    const deadline = Date.now() + 5000;
    while ((await b.ctx.services.realtime.watchingAmong(conversationId, [x.id])).size > 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(await b.ctx.services.realtime.watchingAmong(conversationId, [x.id, y.id])).toEqual(new Set());
    xOnB.send({ event: 'typing', conversation_id: conversationId, is_typing: true });
    expect(await xOnB.nextNew('error')).toMatchObject({ code: 'conversation_not_found', request_event: 'typing' });
    xOnB.send({ event: 'subscribe', channel: 'conversation', conversation_id: conversationId });
    expect(await xOnB.nextNew('error')).toMatchObject({ code: 'conversation_not_found', request_event: 'subscribe' });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(yOnA.frames.filter((f) => f.event === 'typing')).toEqual([]);
  });
});
