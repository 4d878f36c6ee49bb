import { randomBytes } from 'node:crypto';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { AccessTokenSigner } from '../auth/auth.tokens.js';
import { queryRows } from '../../infra/db/rows.js';
import { createTestApp, type TestApp } from '../../../test/harness.js';
import { makeFriends, makeUser, type TestUser } from '../../../test/factories.js';
import { setUserFlags } from '../../../test/friends-helpers.js';
import { listen, makeConversation, WsClient, type Frame } from '../../../test/realtime-helpers.js';

let t: TestApp;
let base: string;
const clients: WsClient[] = [];

async function open(user: TestUser, query = ''): Promise<WsClient> {
  const client = await WsClient.connect(base, `token=${user.accessToken}${query}`);
  clients.push(client);
  return client;
}

async function sentMessage(conversationId: string, participants: TestUser[], sender: TestUser, content: string) {
  await t.ctx.bus.publish(t.ctx.database.db, 'message.sent', {
    conversationId,
    participantIds: participants.map((p) => p.id),
    mutedParticipantIds: [],
    senderId: sender.id,
    message: { id: crypto.randomUUID(), conversation_id: conversationId, content, sender: { id: sender.id, username: sender.username } },
    at: new Date().toISOString(),
  });
}

beforeAll(async () => {
  t = await createTestApp({
    env: {
      WS_TYPING_TIMEOUT_MS: '400',
      WS_AUTH_TIMEOUT_MS: '500',
      WS_LOG_MAX_EVENTS: '5',
      WS_MAX_BUFFERED_KB: '16',
      RATE_LIMIT_ENABLED: 'false',
    },
  });
  base = await listen(t);
});

afterAll(async () => {
  await Promise.all(clients.map((c) => c.close().catch(() => undefined)));
  await t.close();
});

describe('GET /ws authentication', () => {
  it('when the token is in the query, confirms with connected and the user id', async () => {
    const user = await makeUser(t.ctx);
    const client = await open(user);
    expect(client.frames[0]).toMatchObject({ event: 'connected', user_id: user.id });
  });

  it('when the token comes as the first message, confirms with connected', async () => {
    const user = await makeUser(t.ctx);
    const client = new WsClient(`${base}/ws`);
    clients.push(client);
    await client.opened;
    client.send({ event: 'auth', token: user.accessToken });
    expect(await client.next((f) => f.event === 'connected')).toMatchObject({ user_id: user.id });
  });

  it('when the token is malformed, closes with 4401', async () => {
    const client = new WsClient(`${base}/ws?token=not-a-jwt`);
    expect((await client.closed).code).toBe(4401);
  });

  it('when the token has expired, closes with 4401 token_expired', async () => {
    const user = await makeUser(t.ctx);
    const signer = new AccessTokenSigner(t.config.jwtSecret!, 60);
    const sessionId = (JSON.parse(Buffer.from(user.accessToken.split('.')[1]!, 'base64url').toString()) as { sid: string }).sid;
    const old = await signer.sign({ userId: user.id, username: user.username, sessionId, version: user.user.tokenVersion }, new Date(Date.now() - 3600_000));
    const client = new WsClient(`${base}/ws?token=${old}`);
    expect(await client.closed).toEqual({ code: 4401, reason: 'token_expired' });
  });

  it('when the token was voided by log-out-everywhere, closes with 4401', async () => {
    const user = await makeUser(t.ctx);
    await t.ctx.services.users.revokeAccessTokens(user.id);
    const client = new WsClient(`${base}/ws`);
    await client.opened;
    client.send({ event: 'auth', token: user.accessToken });
    expect((await client.closed).code).toBe(4401);
  });

  it('when the password changes, closes the user’s open sockets with 4401 and refuses the old token', async () => {
    const [user, other] = await Promise.all([makeUser(t.ctx), makeUser(t.ctx)]);
    const phone = await open(user);
    const bystander = await open(other);
    await t.ctx.services.users.changePassword(user.id, 'not-a-real-hash', 'change');
    expect(await phone.closed).toEqual({ code: 4401, reason: 'token_revoked' });
    const again = new WsClient(`${base}/ws?token=${user.accessToken}`);
    expect((await again.closed).code).toBe(4401);
    bystander.send({ event: 'ping' });
    await bystander.nextNew('pong');
  });

  it('when no auth message arrives in time, closes with 4401', async () => {
    const client = new WsClient(`${base}/ws`);
    expect((await client.closed).code).toBe(4401);
  });

  it('when the first message is not auth, closes with 4401', async () => {
    const client = new WsClient(`${base}/ws`);
    await client.opened;
    client.send({ event: 'ping' });
    expect((await client.closed).code).toBe(4401);
  });
});

describe('client events', () => {
  it('answers ping with pong, and invalid JSON or unknown events with an error without closing', async () => {
    const client = await open(await makeUser(t.ctx));
    client.send('{not json');
    expect(await client.nextNew('error')).toMatchObject({ code: 'invalid_message' });
    client.send({ event: 'dance' });
    expect(await client.nextNew('error')).toMatchObject({ code: 'unknown_event' });
    client.send({ event: 'subscribe', channel: 'conversation', conversation_id: 'nope' });
    expect(await client.nextNew('error')).toMatchObject({ code: 'invalid_event' });
    client.send({ event: 'ping' });
    await client.nextNew('pong');
  });

  it('when a non-participant subscribes to a conversation, answers with an error', async () => {
    const [a, b, stranger] = await Promise.all([makeUser(t.ctx), makeUser(t.ctx), makeUser(t.ctx)]);
    const conversationId = await makeConversation(t.ctx, [a, b]);
    const client = await open(stranger);
    client.send({ event: 'subscribe', channel: 'conversation', conversation_id: conversationId });
    expect(await client.nextNew('error')).toMatchObject({ code: 'conversation_not_found', request_event: 'subscribe' });
    client.send({ event: 'typing', conversation_id: conversationId, is_typing: true });
    expect(await client.nextNew('error')).toMatchObject({ code: 'conversation_not_found', request_event: 'typing' });
    const member = await open(a);
    member.send({ event: 'subscribe', channel: 'conversation', conversation_id: conversationId });
    await member.nextNew('subscribed');
  });

  it('relays typing with the user card to the other subscribers only, and sends typing:false when not renewed', async () => {
    const [a, b] = await Promise.all([makeUser(t.ctx, { fullName: 'Derrick Juma' }), makeUser(t.ctx)]);
    const conversationId = await makeConversation(t.ctx, [a, b]);
    const typist = await open(a);
    const watcher = await open(b);
    for (const c of [typist, watcher]) {
      c.send({ event: 'subscribe', channel: 'conversation', conversation_id: conversationId });
      await c.nextNew('subscribed');
    }
    const started = watcher.nextNew('typing', (f) => f.is_typing === true);
    typist.send({ event: 'typing', conversation_id: conversationId, is_typing: true });
    const on = await started;
    expect(on).toMatchObject({
      conversation_id: conversationId,
      user: { id: a.id, username: a.username, full_name: 'Derrick Juma' },
      is_typing: true,
    });
    // Ephemeral: no seq (issue 15.16), so the seqs of stored events stay contiguous.
    expect(on).not.toHaveProperty('seq');
    const off = await watcher.nextNew('typing', (f) => f.is_typing === false, 5000);
    expect(off).not.toHaveProperty('seq');
    expect(typist.frames.some((f) => f.event === 'typing')).toBe(false);
  });

  it('when the oversize frame limit (64 KB) is passed, closes with 1009', async () => {
    const client = await open(await makeUser(t.ctx));
    client.send({ event: 'ping', pad: 'x'.repeat(70 * 1024) });
    expect((await client.closed).code).toBe(1009);
  });

  it('when more than 20 frames arrive in a second, answers rate_limited, and closes on abuse', async () => {
    const client = await open(await makeUser(t.ctx));
    for (let i = 0; i < 25; i++) client.send({ event: 'ping' });
    expect(await client.nextNew('error')).toMatchObject({ code: 'rate_limited' });
    for (let i = 0; i < 60; i++) client.send({ event: 'ping' });
    expect((await client.closed).code).toBe(1008);
  });
});

describe('delivery, seq and catch-up', () => {
  it('delivers message.new to every participant, the sender’s other device too, with increasing seq', async () => {
    const [a, b, outsider] = await Promise.all([makeUser(t.ctx), makeUser(t.ctx), makeUser(t.ctx)]);
    const conversationId = await makeConversation(t.ctx, [a, b]);
    const phone = await open(a);
    const tablet = await open(a);
    const friend = await open(b);
    const other = await open(outsider);
    await sentMessage(conversationId, [a, b], a, 'one');
    await sentMessage(conversationId, [a, b], a, 'two');
    for (const c of [phone, tablet, friend]) {
      const first = await c.next((f) => f.event === 'message.new' && (f.message as { content: string }).content === 'one');
      const second = await c.next((f) => f.event === 'message.new' && (f.message as { content: string }).content === 'two');
      expect(first).toMatchObject({ conversation_id: conversationId, message: { conversation_id: conversationId } });
      expect(second.seq as number).toBe((first.seq as number) + 1);
    }
    // Both devices of one user see the same seq for the same event.
    const seqOn = (c: WsClient) => c.frames.find((f) => f.event === 'message.new')!.seq;
    expect(seqOn(phone)).toBe(seqOn(tablet));
    await other.ws.ping();
    other.send({ event: 'ping' });
    await other.nextNew('pong');
    expect(other.frames.some((f) => f.event === 'message.new')).toBe(false);
  });

  it('maps edits, deletions and reads to message.updated, message.deleted and message.read', async () => {
    const [a, b] = await Promise.all([makeUser(t.ctx), makeUser(t.ctx)]);
    const conversationId = await makeConversation(t.ctx, [a, b]);
    const client = await open(b);
    const messageId = crypto.randomUUID();
    await t.ctx.bus.publish(t.ctx.database.db, 'message.edited', { conversationId, participantIds: [a.id, b.id], message: { id: messageId, conversation_id: conversationId, content: 'edited' }, at: new Date().toISOString() });
    await t.ctx.bus.publish(t.ctx.database.db, 'message.deleted', { conversationId, participantIds: [a.id, b.id], messageId, deletedAt: '2026-01-01T12:00:00.000Z' });
    await t.ctx.bus.publish(t.ctx.database.db, 'message.read', { conversationId, participantIds: [a.id, b.id], userId: a.id, messageId, readAt: '2026-01-01T12:01:00.000Z' });
    expect(await client.next((f) => f.event === 'message.updated')).toMatchObject({ conversation_id: conversationId, message: { id: messageId, content: 'edited' } });
    expect(await client.next((f) => f.event === 'message.deleted')).toMatchObject({ conversation_id: conversationId, message_id: messageId, deleted_at: '2026-01-01T12:00:00.000Z' });
    expect(await client.next((f) => f.event === 'message.read')).toMatchObject({ conversation_id: conversationId, message_id: messageId, user_id: a.id, read_at: '2026-01-01T12:01:00.000Z' });
  });

  it('maps goal contributions to goal.update for the goal’s participants', async () => {
    const [a, b] = await Promise.all([makeUser(t.ctx), makeUser(t.ctx)]);
    const client = await open(b);
    const goalId = crypto.randomUUID();
    await t.ctx.bus.publish(t.ctx.database.db, 'goal.contribution_added', {
      goal: { goalId, title: 'Save', goalType: 'group', category: null, isPublic: false, creatorId: a.id, participantIds: [a.id, b.id] },
      actor: { id: a.id, username: a.username, fullName: 'Clarie Gor', profileImageUrl: null },
      contributionId: crypto.randomUUID(),
      amount: '150.00',
      contributionType: 'monetary',
      currency: 'KES',
      currentAmount: '700.00',
      progressPercentage: 70,
      at: new Date().toISOString(),
    });
    expect(await client.next((f) => f.event === 'goal.update')).toMatchObject({
      goal_id: goalId,
      update_type: 'contribution',
      data: { user: { username: a.username, full_name: 'Clarie Gor' }, amount: 150, new_progress: 70 },
    });
  });

  it('when a client reconnects with since, sends what it missed in order; the HTTP catch-up agrees', async () => {
    const [a, b] = await Promise.all([makeUser(t.ctx), makeUser(t.ctx)]);
    const conversationId = await makeConversation(t.ctx, [a, b]);
    const first = await open(b);
    await sentMessage(conversationId, [a, b], a, 'seen');
    const seen = await first.next((f) => f.event === 'message.new');
    await first.close();
    for (const content of ['m1', 'm2', 'm3']) await t.ctx.services.realtime.sendToUsers([b.id], { event: 'message.new', conversation_id: conversationId, message: { content } });
    const again = await open(b, `&since=${seen.seq}`);
    const missed: Frame[] = [];
    for (const content of ['m1', 'm2', 'm3']) missed.push(await again.next((f) => f.event === 'message.new' && (f.message as { content: string }).content === content));
    expect(missed.map((f) => f.seq)).toEqual([1, 2, 3].map((i) => (seen.seq as number) + i));
    const order = again.frames.filter((f) => f.event === 'message.new').map((f) => (f.message as { content: string }).content);
    expect(order).toEqual(['m1', 'm2', 'm3']);

    const res = await t.app.inject({ method: 'GET', url: `/api/v1/realtime/events?since=${seen.seq}`, headers: b.auth });
    expect(res.statusCode).toBe(200);
    const body = res.json<{ events: Frame[]; latest_seq: number; resync_required: boolean }>();
    expect(body.resync_required).toBe(false);
    expect(body.events.map((e) => e.seq)).toEqual(missed.map((f) => f.seq));
    expect(body.events[0]).toMatchObject({ event: 'message.new', conversation_id: conversationId, message: { content: 'm1' } });
    expect(body.latest_seq).toBe(missed[2]!.seq);
  });

  it('when the missed events are no longer kept, answers resync_required (WebSocket and HTTP)', async () => {
    const user = await makeUser(t.ctx);
    const client = await open(user);
    await t.ctx.services.realtime.sendToUsers([user.id], { event: 'notification.new', notification: { id: '1' } });
    const firstSeq = (await client.next((f) => f.event === 'notification.new')).seq as number;
    await client.close();
    // The log keeps 5 events in this test app.
    for (let i = 0; i < 7; i++) await t.ctx.services.realtime.sendToUsers([user.id], { event: 'notification.new', notification: { id: String(i) } });
    const again = await open(user, `&since=${firstSeq}`);
    expect(await again.next((f) => f.event === 'resync_required')).toMatchObject({ since: firstSeq, latest_seq: firstSeq + 7 });
    const res = await t.app.inject({ method: 'GET', url: `/api/v1/realtime/events?since=${firstSeq}`, headers: user.auth });
    expect(res.json()).toEqual({ events: [], latest_seq: firstSeq + 7, resync_required: true });
    // Within the window it still works.
    const ok = await t.app.inject({ method: 'GET', url: `/api/v1/realtime/events?since=${firstSeq + 3}`, headers: user.auth });
    expect(ok.json<{ events: Frame[] }>().events.map((e) => e.seq)).toEqual([4, 5, 6, 7].map((i) => firstSeq + i));
  });

  it('GET /api/v1/realtime/events requires a token and a valid since', async () => {
    const user = await makeUser(t.ctx);
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/realtime/events?since=1' })).statusCode).toBe(401);
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/realtime/events?since=abc', headers: user.auth })).statusCode).toBe(422);
  });

  it('when a client does not read, disconnects it instead of buffering without bound', async () => {
    const user = await makeUser(t.ctx);
    // A raw TCP client that completes the handshake and then never reads a byte.
    const socket = net.connect(Number(new URL(base).port), '127.0.0.1');
    socket.on('error', () => undefined);
    await new Promise((resolve) => socket.once('connect', resolve));
    socket.write(
      `GET /ws?token=${user.accessToken} HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
        `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
    );
    socket.pause();
    await expect.poll(() => t.ctx.services.realtime.localConnectionsOf(user.id), { timeout: 5000 }).toBe(1);
    const pad = 'x'.repeat(32 * 1024);
    let closedAt = -1;
    // 2,000 × 32 KB = 64 MB would be buffered for this client; it is cut off long before.
    for (let i = 0; i < 2000 && closedAt < 0; i++) {
      await t.ctx.services.realtime.sendToUsers([user.id], { event: 'notification.new', notification: { id: String(i), pad } });
      if (t.ctx.services.realtime.localConnectionsOf(user.id) === 0) closedAt = i;
    }
    expect(closedAt).toBeGreaterThan(0);
    expect(closedAt).toBeLessThan(2000);
    socket.destroy();
  });
});

describe('presence', () => {
  it('tells friends when a user comes online and goes offline, and updates last_seen_at', async () => {
    const [a, b] = await Promise.all([makeUser(t.ctx), makeUser(t.ctx)]);
    await makeFriends(t.ctx, a, b);
    await setUserFlags(t.ctx, b, { lastSeenAt: new Date('2020-01-01T00:00:00Z') });
    const watcher = await open(a);
    const online = watcher.nextNew('presence.update', (f) => f.user_id === b.id && f.status === 'online');
    const other = await open(b);
    expect(await online).toMatchObject({ user_id: b.id, status: 'online' });
    expect(await t.ctx.services.realtime.isOnline(b.id)).toBe(true);
    const offline = watcher.nextNew('presence.update', (f) => f.user_id === b.id && f.status === 'offline');
    await other.close();
    const frame = await offline;
    expect(typeof frame.last_seen_at).toBe('string');
    expect(await t.ctx.services.realtime.isOnline(b.id)).toBe(false);
    const [row] = await queryRows<{ last_seen_at: string }>(t.ctx.database.db, sql`select last_seen_at from users where id = ${b.id}`);
    expect(new Date(row!.last_seen_at).getFullYear()).toBeGreaterThan(2020);
  });

  it('when the user hides their online status, friends get no presence.update', async () => {
    const [a, b] = await Promise.all([makeUser(t.ctx), makeUser(t.ctx)]);
    await makeFriends(t.ctx, a, b);
    await setUserFlags(t.ctx, b, { onlineStatusVisible: false });
    const watcher = await open(a);
    const hidden = await open(b);
    await hidden.close();
    // A marker sent after both transitions: everything before it has been delivered.
    await t.ctx.services.realtime.sendToUsers([a.id], { event: 'notification.new', notification: { id: 'marker' } });
    await watcher.next((f) => f.event === 'notification.new');
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(watcher.frames.some((f) => f.event === 'presence.update' && f.user_id === b.id)).toBe(false);
  });

  it('the friends list shows a friend with an open WebSocket as online despite stale REST activity, never one hiding their status', async () => {
    const [a, b, hidden] = await Promise.all([makeUser(t.ctx), makeUser(t.ctx), makeUser(t.ctx)]);
    await makeFriends(t.ctx, a, b);
    await makeFriends(t.ctx, a, hidden);
    // Last REST activity long ago: only the socket can make them online.
    await setUserFlags(t.ctx, b, { lastSeenAt: new Date('2020-01-01T00:00:00Z') });
    await setUserFlags(t.ctx, hidden, { lastSeenAt: new Date('2020-01-01T00:00:00Z'), onlineStatusVisible: false });
    const onlineOf = async () => {
      const res = await t.app.inject({ method: 'GET', url: '/api/v1/friends', headers: a.auth });
      expect(res.statusCode).toBe(200);
      const friends = res.json<{ friends: Array<{ id: string; is_online: boolean }> }>().friends;
      return Object.fromEntries(friends.map((f) => [f.id, f.is_online]));
    };
    expect(await onlineOf()).toEqual({ [b.id]: false, [hidden.id]: false });
    const sockets = [await open(b), await open(hidden)];
    expect(await onlineOf()).toEqual({ [b.id]: true, [hidden.id]: false });
    for (const s of sockets) await s.close();
    await expect.poll(() => t.ctx.services.realtime.isOnline(b.id)).toBe(false);
    // Closing the socket stamped last_seen_at now, which counts as online for the REST window.
    const [row] = await queryRows<{ last_seen_at: string }>(t.ctx.database.db, sql`select last_seen_at from users where id = ${b.id}`);
    expect(Date.now() - new Date(row!.last_seen_at).getTime()).toBeLessThan(60_000);
  });

  it('presence status offline stops a connection counting as online', async () => {
    const user = await makeUser(t.ctx);
    const client = await open(user);
    expect(await t.ctx.services.realtime.isOnline(user.id)).toBe(true);
    client.send({ event: 'presence', status: 'offline' });
    client.send({ event: 'ping' });
    await client.nextNew('pong');
    expect(await t.ctx.services.realtime.isOnline(user.id)).toBe(false);
    client.send({ event: 'presence', status: 'busy' });
    expect(await client.nextNew('error')).toMatchObject({ code: 'invalid_event' });
  });
});
