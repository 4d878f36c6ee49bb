import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { openPostgresDatabase } from '../../infra/db/postgres-database.js';
import { makeFriends, makeUser, type TestUser } from '../../../test/factories.js';
import { createTestApp, type TestApp } from '../../../test/harness.js';
import { createDatabaseFromTemplate, databaseUrlFor, dropDatabase } from '../../../test/pg-admin.js';
import { listen, makeConversation, WsClient, type Frame } from '../../../test/realtime-helpers.js';

const clients: WsClient[] = [];
const open = async (base: string, user: TestUser, query = '') => {
  const client = await WsClient.connect(base, `token=${user.accessToken}${query}`);
  clients.push(client);
  return client;
};
const subscribe = async (c: WsClient, conversationId: string) => {
  c.send({ event: 'subscribe', channel: 'conversation', conversation_id: conversationId });
  await c.nextNew('subscribed');
};
const contentOf = (f: Frame) => (f.message as { content?: string } | undefined)?.content;
const message = (t: TestApp, to: TestUser, conversationId: string, content: string) =>
  t.ctx.services.realtime.sendToUsers([to.id], { event: 'message.new', conversation_id: conversationId, message: { content } });

afterAll(async () => {
  await Promise.all(clients.map((c) => c.close().catch(() => undefined)));
});

describe('issue 15.16: realtime seq — one instance', () => {
  let t: TestApp;
  let base: string;
  beforeAll(async () => {
    t = await createTestApp({ env: { RATE_LIMIT_ENABLED: 'false', WS_TYPING_TIMEOUT_MS: '5000' } });
    base = await listen(t);
  });
  afterAll(async () => t.close());

  it('typing and presence.update carry no seq; the stored events between them have contiguous seqs, all replayable', async () => {
    const [a, b, c] = [await makeUser(t.ctx), await makeUser(t.ctx), await makeUser(t.ctx)];
    await makeFriends(t.ctx, b, c);
    const conversationId = await makeConversation(t.ctx, [a, b]);
    const typist = await open(base, a);
    const watcher = await open(base, b);
    await subscribe(typist, conversationId);
    await subscribe(watcher, conversationId);

    await message(t, b, conversationId, 'm1');
    const m1 = await watcher.next((f) => f.event === 'message.new' && contentOf(f) === 'm1');
    for (const isTyping of [true, false, true]) {
      const seen = watcher.nextNew('typing', (f) => f.is_typing === isTyping);
      typist.send({ event: 'typing', conversation_id: conversationId, is_typing: isTyping });
      expect(await seen).not.toHaveProperty('seq');
    }
    const online = watcher.nextNew('presence.update', (f) => f.user_id === c.id && f.status === 'online');
    await open(base, c);
    expect(await online).not.toHaveProperty('seq');
    await message(t, b, conversationId, 'm2');
    await message(t, b, conversationId, 'm3');
    const m2 = await watcher.next((f) => f.event === 'message.new' && contentOf(f) === 'm2');
    const m3 = await watcher.next((f) => f.event === 'message.new' && contentOf(f) === 'm3');
    expect([m2.seq, m3.seq]).toEqual([(m1.seq as number) + 1, (m1.seq as number) + 2]);
    // Every frame that has a seq is one more than the previous one: a client checking for gaps sees none.
    const seqs = watcher.frames.filter((f) => f.event !== 'connected' && f.seq !== undefined).map((f) => f.seq as number);
    expect(seqs).toEqual(seqs.map((_, i) => seqs[0]! + i));

    const res = await t.app.inject({ method: 'GET', url: `/api/v1/realtime/events?since=${m1.seq as number}`, headers: b.auth });
    expect(res.json()).toEqual({ events: [m2, m3], latest_seq: m3.seq, resync_required: false });
    // The WebSocket catch-up agrees, and delivers nothing twice.
    const again = await open(base, b, `&since=${m1.seq as number}`);
    await again.next((f) => contentOf(f) === 'm3');
    expect(again.frames.filter((f) => f.event === 'message.new').map((f) => f.seq)).toEqual([m2.seq, m3.seq]);
    expect(again.frames[0]).toMatchObject({ event: 'connected', seq: m3.seq });
  });

  it('a new user: GET /realtime/events?since=0 and /ws?since=0 answer an empty catch-up, not resync_required; typing alone keeps it so', async () => {
    const [fresh, other] = [await makeUser(t.ctx), await makeUser(t.ctx)];
    const first = await t.app.inject({ method: 'GET', url: '/api/v1/realtime/events?since=0', headers: fresh.auth });
    expect(first.statusCode).toBe(200);
    expect(first.json()).toEqual({ events: [], latest_seq: 0, resync_required: false });

    const conversationId = await makeConversation(t.ctx, [fresh, other]);
    const socket = await open(base, fresh, '&since=0');
    expect(socket.frames[0]).toMatchObject({ event: 'connected', user_id: fresh.id, seq: 0 });
    await subscribe(socket, conversationId);
    const typist = await open(base, other);
    await subscribe(typist, conversationId);
    const seen = socket.nextNew('typing');
    typist.send({ event: 'typing', conversation_id: conversationId, is_typing: true });
    await seen;
    expect(socket.frames.some((f) => f.event === 'resync_required')).toBe(false);
    const afterTyping = await t.app.inject({ method: 'GET', url: '/api/v1/realtime/events?since=0', headers: fresh.auth });
    expect(afterTyping.json()).toEqual({ events: [], latest_seq: 0, resync_required: false });

    // Its first stored event: since=0 replays it (nothing of the sequence was lost).
    await t.ctx.services.realtime.sendToUsers([fresh.id], { event: 'notification.new', notification: { id: 'n1' } });
    const live = await socket.next((f) => f.event === 'notification.new');
    const replay = await t.app.inject({ method: 'GET', url: '/api/v1/realtime/events?since=0', headers: fresh.auth });
    expect(replay.json()).toEqual({ events: [live], latest_seq: live.seq, resync_required: false });
  });

  it('a since from before the user’s sequence, or from a sequence the log does not know, answers resync_required; no token 401; bad since 422', async () => {
    const user = await makeUser(t.ctx);
    await t.ctx.services.realtime.sendToUsers([user.id], { event: 'notification.new', notification: { id: 'x' } });
    const latest = await t.ctx.services.realtime.latestSeq(user.id);
    const old = await t.app.inject({ method: 'GET', url: `/api/v1/realtime/events?since=${latest - 10}`, headers: user.auth });
    expect(old.json()).toEqual({ events: [], latest_seq: latest, resync_required: true });
    const stranger = await t.app.inject({ method: 'GET', url: '/api/v1/realtime/events?since=12345', headers: (await makeUser(t.ctx)).auth });
    expect(stranger.json()).toEqual({ events: [], latest_seq: 0, resync_required: true });
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/realtime/events?since=0' })).statusCode).toBe(401);
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/realtime/events?since=-1', headers: user.auth })).statusCode).toBe(422);
  });
});

describe('issue 15.16: realtime seq — a log that dropped events', () => {
  let t: TestApp;
  let base: string;
  beforeAll(async () => {
    t = await createTestApp({ env: { RATE_LIMIT_ENABLED: 'false', WS_LOG_MAX_EVENTS: '3' } });
    base = await listen(t);
  });
  afterAll(async () => t.close());

  it('since=0 for a user whose oldest events are gone: resync_required on HTTP and WebSocket', async () => {
    const user = await makeUser(t.ctx);
    for (let i = 0; i < 5; i++) await t.ctx.services.realtime.sendToUsers([user.id], { event: 'notification.new', notification: { id: String(i) } });
    const latest = await t.ctx.services.realtime.latestSeq(user.id);
    const res = await t.app.inject({ method: 'GET', url: '/api/v1/realtime/events?since=0', headers: user.auth });
    expect(res.json()).toEqual({ events: [], latest_seq: latest, resync_required: true });
    const socket = await open(base, user, '&since=0');
    expect(await socket.next((f) => f.event === 'resync_required')).toMatchObject({ since: 0, latest_seq: latest });
    // Within what is kept it still works.
    const kept = await t.app.inject({ method: 'GET', url: `/api/v1/realtime/events?since=${latest - 3}`, headers: user.auth });
    expect(kept.json<{ events: Frame[] }>().events.map((e) => e.seq)).toEqual([latest - 2, latest - 1, latest]);
  });
});

const baseUrl = process.env.DATABASE_URL;
const withRedis = Boolean(process.env.REDIS_URL && baseUrl);

describe.skipIf(!withRedis)('issue 15.16: realtime seq — two instances behind one Redis', () => {
  let a: TestApp;
  let b: TestApp;
  let baseA: string;
  let baseB: string;
  let dbName: string;

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
    await a?.close();
    await b?.close();
    if (dbName) await dropDatabase(baseUrl!, dbName);
  });

  it('typing relayed from the other instance has no seq, and stored events from both instances stay contiguous', async () => {
    const [x, y] = [await makeUser(a.ctx), await makeUser(a.ctx)];
    const conversationId = await makeConversation(a.ctx, [x, y]);
    const xOnA = await open(baseA, x);
    const yOnB = await open(baseB, y);
    await subscribe(xOnA, conversationId);
    await subscribe(yOnB, conversationId);
    expect((await a.app.inject({ method: 'GET', url: '/api/v1/realtime/events?since=0', headers: x.auth })).json()).toEqual({
      events: [],
      latest_seq: 0,
      resync_required: false,
    });

    await message(a, x, conversationId, 'one');
    const one = await xOnA.next((f) => contentOf(f) === 'one');
    const typing = xOnA.nextNew('typing', (f) => f.is_typing === true);
    yOnB.send({ event: 'typing', conversation_id: conversationId, is_typing: true });
    expect(await typing).not.toHaveProperty('seq');
    await message(b, x, conversationId, 'two');
    const two = await xOnA.next((f) => contentOf(f) === 'two');
    expect(two.seq).toBe((one.seq as number) + 1);
    const missed = await b.app.inject({ method: 'GET', url: `/api/v1/realtime/events?since=0`, headers: x.auth });
    expect(missed.json()).toEqual({ events: [one, two], latest_seq: two.seq, resync_required: false });
  });
});
