import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { DomainEvents } from '../../infra/bus/domain-events.js';
import { openPostgresDatabase } from '../../infra/db/postgres-database.js';
import { makeFriends, makeUser, type TestUser } from '../../../test/factories.js';
import { createTestApp, type TestApp } from '../../../test/harness.js';
import { createDatabaseFromTemplate, databaseUrlFor, dropDatabase } from '../../../test/pg-admin.js';
import { listen, WsClient, type Frame } from '../../../test/realtime-helpers.js';
import { createGoal, type GoalJson } from '../goals/goals.test-helpers.js';
import './chat.events.js';

/**
 * Issue 15.9: a block between two members of a shared group goal (and its group chat). Both stay
 * members with full access to the goal and the chat; neither sees the other: their participant card,
 * contributions, milestone credit, messages (history, previews, unread counts, live events, typing)
 * are left out for each other, while totals stay exact. A third member sees everyone. Open sockets
 * are told so they refetch (`user.blocked` to the blocker, a neutral `visibility.changed` to both).
 *
 * Embedded mode: one app. Production mode (DATABASE_URL and REDIS_URL): two API instances sharing
 * one database and one Redis; the blocker's socket is on the first, the others on the second, so the
 * events cross Redis pub/sub.
 */
const baseUrl = process.env.DATABASE_URL;
const twoInstances = Boolean(baseUrl && process.env.REDIS_URL);
const TYPING_TIMEOUT_MS = 300;

let api: TestApp;
let other: TestApp;
let baseA: string;
let baseOther: string;
let dbName: string | undefined;
const clients: WsClient[] = [];

beforeAll(async () => {
  const env = {
    RATE_LIMIT_ENABLED: 'false',
    WS_TYPING_TIMEOUT_MS: String(TYPING_TIMEOUT_MS),
    REDIS_KEY_PREFIX: `tribe-test:${randomUUID()}:`,
    JWT_SECRET: randomBytes(32).toString('hex'),
  };
  if (twoInstances) {
    dbName = `${inject('pgRunPrefix')}_${randomBytes(4).toString('hex')}`;
    await createDatabaseFromTemplate(baseUrl!, dbName, inject('pgTemplateDatabase'));
    const url = databaseUrlFor(baseUrl!, dbName);
    api = await createTestApp({ env, overrides: { database: openPostgresDatabase({ url, poolSize: 4 }) } });
    other = await createTestApp({ env, overrides: { database: openPostgresDatabase({ url, poolSize: 4 }) } });
    baseA = await listen(api);
    baseOther = await listen(other);
  } else {
    api = await createTestApp({ env });
    other = api;
    baseA = await listen(api);
    baseOther = baseA;
  }
});

afterAll(async () => {
  await Promise.all(clients.map((c) => c.close().catch(() => undefined)));
  await api?.close();
  if (other && other !== api) await other.close();
  if (dbName) await dropDatabase(baseUrl!, dbName);
});

const call = (method: 'GET' | 'POST' | 'DELETE', url: string, who?: TestUser, payload?: unknown) =>
  api.app.inject({ method, url, headers: who ? who.auth : {}, ...(payload !== undefined ? { payload: payload as object } : {}) });
const get = (url: string, who?: TestUser) => call('GET', url, who);
const post = (url: string, payload: unknown, who: TestUser) => call('POST', url, who, payload);

async function ok<T = Record<string, unknown>>(res: Awaited<ReturnType<typeof call>>, status = 200): Promise<T> {
  expect(res.statusCode, res.body).toBe(status);
  return res.json<T>();
}

/** Waits for every event handler of both instances (sockets get their frames through them). */
async function settled(): Promise<void> {
  await api.ctx.bus.drain();
  if (other !== api) await other.ctx.bus.drain();
}

async function open(base: string, user: TestUser, conversationId: string): Promise<WsClient> {
  const client = await WsClient.connect(base, `token=${user.accessToken}`);
  clients.push(client);
  const answer = client.next((f) => f.event === 'subscribed' && f.conversation_id === conversationId);
  client.send({ event: 'subscribe', channel: 'conversation', conversation_id: conversationId });
  await answer;
  return client;
}

interface MessageJson {
  id: string;
  content: string | null;
  sender: { id: string } | null;
  message_type: string;
  metadata: Record<string, unknown> | null;
  reply_to_message: { sender: { id: string } | null; content: string | null } | null;
  read_by: Array<{ user_id: string }>;
}

/** The users a message shows: its sender and the actor of a goal/system message. */
const peopleOf = (m: MessageJson) => [m.sender?.id, m.metadata?.actor_id].filter((id): id is string => typeof id === 'string');

interface World {
  a: TestUser;
  b: TestUser;
  c: TestUser;
  goal: GoalJson;
  conversationId: string;
  sockets: { a: WsClient; b: WsClient; c: WsClient };
  sent: Array<DomainEvents['message.sent']>;
}

/** A (creator), B and C in a group goal with contributions by each and group-chat messages by each. */
async function world(): Promise<World> {
  const [a, b, c] = [await makeUser(api.ctx), await makeUser(api.ctx), await makeUser(api.ctx)];
  await makeFriends(api.ctx, a, b);
  await makeFriends(api.ctx, a, c);
  await makeFriends(api.ctx, b, c);
  const goal = await createGoal(api, a, { goal_type: 'group', participant_ids: [b.id, c.id], target_amount: 1000 });
  await ok(await post(`/api/v1/goals/${goal.id}/milestones`, { title: 'first 5', target_value: 5 }, a), 201);
  await ok(await post(`/api/v1/goals/${goal.id}/contributions`, { amount: 10, note: 'from A' }, a), 201);
  await ok(await post(`/api/v1/goals/${goal.id}/contributions`, { amount: 20, note: 'from B' }, b), 201);
  await ok(await post(`/api/v1/goals/${goal.id}/contributions`, { amount: 30, note: 'from C' }, c), 201);
  await settled();
  const list = await ok<{ conversations: Array<{ id: string; goal_id: string | null }> }>(await get('/api/v1/conversations', c));
  const conversationId = list.conversations.find((x) => x.goal_id === goal.id)!.id;
  const a1 = await ok<MessageJson>(await post(`/api/v1/conversations/${conversationId}/messages`, { content: 'hello from A' }, a), 201);
  await ok(await post(`/api/v1/conversations/${conversationId}/messages`, { content: 'hello from B' }, b), 201);
  await ok(await post(`/api/v1/conversations/${conversationId}/messages`, { content: 'C answers A', reply_to_message_id: a1.id }, c), 201);
  for (const u of [a, b, c]) await ok(await post(`/api/v1/conversations/${conversationId}/read`, {}, u));
  await settled();
  const sockets = {
    a: await open(baseA, a, conversationId),
    b: await open(baseOther, b, conversationId),
    c: await open(baseOther, c, conversationId),
  };
  const sent: World['sent'] = [];
  api.ctx.bus.onCommit('message.sent', (e) => {
    if (e.conversationId === conversationId) sent.push(e);
  });
  return { a, b, c, goal: await ok<GoalJson>(await get(`/api/v1/goals/${goal.id}`, a)), conversationId, sockets, sent };
}

async function block(blocker: TestUser, blocked: TestUser): Promise<void> {
  await ok(await post('/api/v1/settings/blocked-users', { user_id: blocked.id }, blocker), 201);
  await settled();
}

async function unblock(blocker: TestUser, blocked: TestUser): Promise<void> {
  expect((await call('DELETE', `/api/v1/settings/blocked-users/${blocked.id}`, blocker)).statusCode).toBe(204);
  await settled();
}

async function goalOf(w: World, viewer: TestUser): Promise<GoalJson> {
  return ok<GoalJson>(await get(`/api/v1/goals/${w.goal.id}`, viewer));
}

async function historyOf(w: World, viewer: TestUser): Promise<MessageJson[]> {
  return (await ok<{ messages: MessageJson[] }>(await get(`/api/v1/conversations/${w.conversationId}/messages?limit=100`, viewer))).messages;
}

async function chatEntryOf(w: World, viewer: TestUser) {
  const list = await ok<{ conversations: Array<{ id: string; unread_count: number; participants: Array<{ user_id: string }>; participants_count: number; last_message: { sender: { id: string } | null } | null }> }>(
    await get('/api/v1/conversations', viewer),
  );
  return list.conversations.find((x) => x.id === w.conversationId)!;
}

/** Everything `viewer` can see of `hidden` in the shared goal and its chat, read through the API. */
async function tracesOf(w: World, viewer: TestUser, hidden: TestUser) {
  const goal = await goalOf(w, viewer);
  const contributions = (await ok<{ contributions: Array<{ user_id: string }> }>(await get(`/api/v1/goals/${w.goal.id}/contributions`, viewer)))
    .contributions;
  const listed = (await ok<{ goals: Array<{ id: string; current_amount: number; participants_preview: Array<{ user_id: string }> }> }>(
    await get('/api/v1/goals?type=group', viewer),
  )).goals.find((g) => g.id === w.goal.id);
  const history = await historyOf(w, viewer);
  const entry = await chatEntryOf(w, viewer);
  const conversation = await ok<{ participants: Array<{ user_id: string }> }>(await get(`/api/v1/conversations/${w.conversationId}`, viewer));
  return {
    participants: goal.participants.some((p) => p.user_id === hidden.id),
    contributions: contributions.some((x) => x.user_id === hidden.id) || goal.recent_contributions.some((x) => x.user.id === hidden.id),
    milestoneCredit: goal.milestones.some((m) => m.achieved_by === hidden.id),
    preview: listed?.participants_preview.some((p) => p.user_id === hidden.id) ?? false,
    messages: history.some((m) => peopleOf(m).includes(hidden.id)),
    replyQuotes: history.some((m) => m.reply_to_message?.sender?.id === hidden.id),
    receipts: history.some((m) => m.read_by.some((r) => r.user_id === hidden.id)),
    chatMembers: entry.participants.some((p) => p.user_id === hidden.id) || conversation.participants.some((p) => p.user_id === hidden.id),
  };
}

const none = { participants: false, contributions: false, milestoneCredit: false, preview: false, messages: false, replyQuotes: false, receipts: false, chatMembers: false };
const all = { participants: true, contributions: true, milestoneCredit: false, preview: true, messages: true, replyQuotes: false, receipts: true, chatMembers: true };

const framesAbout = (client: WsClient, from: number, userId: string) =>
  client.frames.slice(from).filter((f) => JSON.stringify(f).includes(userId));
const typingSettle = () => new Promise((resolve) => setTimeout(resolve, TYPING_TIMEOUT_MS + 300));

describe('issue 15.9: a block between members of a shared group goal and its group chat', () => {
  it('both keep the goal (listed, 200, own contribution, exact totals) and see nothing of each other; C sees everyone', async () => {
    const w = await world();
    const { a, b, c } = w;
    // Before the block everyone sees everyone (A's contribution crossed the milestone).
    expect(await tracesOf(w, b, a)).toEqual({ ...all, milestoneCredit: true, replyQuotes: true });
    await block(a, b);

    for (const [viewer, hidden] of [[b, a], [a, b]] as const) {
      const listed = (await ok<{ goals: Array<{ id: string; current_amount: number; participants_count: number }> }>(await get('/api/v1/goals', viewer))).goals;
      expect(listed.find((g) => g.id === w.goal.id)).toMatchObject({ current_amount: 60, participants_count: 3 });
      const goal = await goalOf(w, viewer);
      expect(goal).toMatchObject({ current_amount: 60, progress_percentage: 6, my_role: viewer === a ? 'creator' : 'member' });
      expect(goal.recent_contributions.map((x) => x.user.id)).toContain(viewer.id);
      expect(goal.participants.map((p) => p.user_id).sort()).toEqual([viewer.id, c.id].sort());
      expect(goal.milestones[0]).toMatchObject({ achieved: true });
      expect(await tracesOf(w, viewer, hidden)).toEqual(none);
      // Their own messages and C's stay; the chat shows the exact member count.
      const history = await historyOf(w, viewer);
      expect(history.some((m) => m.sender?.id === viewer.id)).toBe(true);
      expect(history.some((m) => m.sender?.id === c.id)).toBe(true);
      expect((await chatEntryOf(w, viewer)).participants_count).toBe(3);
    }
    // C's reply to A reaches B without A's words or card.
    const reply = (await historyOf(w, b)).find((m) => m.content === 'C answers A')!;
    expect(reply.reply_to_message).toMatchObject({ sender: null, content: null });
    // C sees everyone.
    expect(await tracesOf(w, c, a)).toEqual({ ...all, milestoneCredit: true, replyQuotes: true });
    expect(await tracesOf(w, c, b)).toMatchObject({ participants: true, contributions: true, messages: true, chatMembers: true });
    // The creator keeps managing the goal, the blocked member keeps contributing.
    await ok(await post(`/api/v1/goals/${w.goal.id}/contributions`, { amount: 5 }, b), 201);
    expect((await goalOf(w, a)).current_amount).toBe(65);
    expect((await goalOf(w, c)).current_amount).toBe(65);
  });

  it('after the block neither hears the other live (messages, typing, goal updates, unread counts, pushes); C hears both', async () => {
    const w = await world();
    const { a, b, c, sockets } = w;
    await block(a, b);
    const from = { a: sockets.a.frames.length, b: sockets.b.frames.length, c: sockets.c.frames.length };
    const unreadBefore = { a: (await chatEntryOf(w, a)).unread_count, b: (await chatEntryOf(w, b)).unread_count };

    const cHearsA = sockets.c.nextNew('message.new', (f) => (f.message as MessageJson).content === 'A after the block');
    const cHearsB = sockets.c.nextNew('message.new', (f) => (f.message as MessageJson).content === 'B after the block');
    await ok(await post(`/api/v1/conversations/${w.conversationId}/messages`, { content: 'A after the block' }, a), 201);
    await ok(await post(`/api/v1/conversations/${w.conversationId}/messages`, { content: 'B after the block' }, b), 201);
    const cSeesUpdate = sockets.c.nextNew('goal.update', (f) => (f.data as { user?: { id: string } }).user?.id === a.id);
    await ok(await post(`/api/v1/goals/${w.goal.id}/contributions`, { amount: 7 }, a), 201);
    // C replies to A: B's copy quotes nothing, C's own the whole quote.
    const aFirst = (await historyOf(w, c)).find((m) => m.content === 'hello from A')!;
    const bGetsReply = sockets.b.nextNew('message.new', (f) => (f.message as MessageJson).content === 'C replies to A again');
    const cGetsReply = sockets.c.nextNew('message.new', (f) => (f.message as MessageJson).content === 'C replies to A again');
    await ok(await post(`/api/v1/conversations/${w.conversationId}/messages`, { content: 'C replies to A again', reply_to_message_id: aFirst.id }, c), 201);
    expect(((await bGetsReply).message as MessageJson).reply_to_message).toMatchObject({ sender: null, content: null });
    expect(((await cGetsReply).message as MessageJson).reply_to_message).toMatchObject({ sender: { id: a.id }, content: 'hello from A' });
    const cSeesTyping = sockets.c.nextNew('typing', (f) => (f.user as { id: string }).id === a.id && f.is_typing === true);
    sockets.a.send({ event: 'typing', conversation_id: w.conversationId, is_typing: true });
    sockets.b.send({ event: 'typing', conversation_id: w.conversationId, is_typing: true });
    await settled();
    await Promise.all([cHearsA, cHearsB, cSeesUpdate, cSeesTyping]);
    await sockets.c.nextNew('typing', (f) => (f.user as { id: string }).id === b.id);
    await typingSettle();
    await settled();

    // Nothing about the other reached either socket: no message, goal update, typing or receipt.
    expect(framesAbout(sockets.b, from.b, a.id)).toEqual([]);
    expect(framesAbout(sockets.a, from.a, b.id).filter((f) => f.event !== 'user.blocked')).toEqual([]);
    expect(sockets.b.frames.slice(from.b).some((f) => f.event === 'message.new' && (f.message as MessageJson).content === 'A after the block')).toBe(false);
    // The chat list: the other's messages neither preview nor count as unread.
    const [entryA, entryB] = [await chatEntryOf(w, a), await chatEntryOf(w, b)];
    expect(entryB.last_message?.sender?.id).not.toBe(a.id);
    expect(entryA.last_message?.sender?.id).not.toBe(b.id);
    // One unread each: C's reply; nothing of the other.
    expect(entryB.unread_count).toBe(unreadBefore.b + 1);
    expect(entryA.unread_count).toBe(unreadBefore.a + 1);
    expect((await chatEntryOf(w, c)).unread_count).toBeGreaterThanOrEqual(3);
    // Reading does not bring them back either.
    expect((await ok<{ unread_count: number }>(await post(`/api/v1/conversations/${w.conversationId}/read`, {}, b))).unread_count).toBe(0);
    // The message.sent events (realtime and push fan-out) never list the other.
    const fromA = w.sent.filter((e) => e.message.content === 'A after the block');
    expect(fromA.length).toBeGreaterThan(0);
    expect(fromA.flatMap((e) => e.participantIds)).not.toContain(b.id);
    expect(fromA.flatMap((e) => e.participantIds)).toContain(c.id);
    const fromB = w.sent.filter((e) => e.message.content === 'B after the block');
    expect(fromB.flatMap((e) => e.participantIds)).not.toContain(a.id);
  });

  it('open sockets are told at once: user.blocked to the blocker, a neutral visibility.changed to both; unblocking restores everything', async () => {
    const w = await world();
    const { a, b, sockets } = w;
    const fromB = sockets.b.frames.length;
    const aHears = sockets.a.nextNew('user.blocked');
    const aRefetch = sockets.a.nextNew('visibility.changed');
    const bRefetch = sockets.b.nextNew('visibility.changed');
    await block(a, b);
    expect(await aHears).toMatchObject({ user_id: b.id });
    for (const frame of [await aRefetch, await bRefetch]) {
      expect(frame).toMatchObject({ conversation_ids: [w.conversationId], goal_ids: [w.goal.id] });
    }
    // The blocked user is not told who or why: nothing it received names the blocker or a block.
    const toB = sockets.b.frames.slice(fromB);
    expect(toB.filter((f: Frame) => /block/i.test(JSON.stringify(f)) || JSON.stringify(f).includes(a.id))).toEqual([]);
    // The direct conversation between them keeps issue 14.8's rule: no new messages either way.
    expect((await post('/api/v1/conversations', { conversation_type: 'direct', participant_ids: [a.id] }, b)).statusCode).toBe(403);

    const aUnblocked = sockets.a.nextNew('user.unblocked');
    const bAgain = sockets.b.nextNew('visibility.changed');
    await unblock(a, b);
    expect(await aUnblocked).toMatchObject({ user_id: b.id });
    expect(await bAgain).toMatchObject({ conversation_ids: [w.conversationId], goal_ids: [w.goal.id] });
    expect(await tracesOf(w, b, a)).toEqual({ ...all, milestoneCredit: true, replyQuotes: true });
    expect(await tracesOf(w, a, b)).toEqual(all);
    // And live again.
    const bHears = sockets.b.nextNew('message.new', (f) => (f.message as MessageJson).content === 'A after the unblock');
    await ok(await post(`/api/v1/conversations/${w.conversationId}/messages`, { content: 'A after the unblock' }, a), 201);
    await bHears;
  });

  it('no token: 401 on the goal and the chat; a stranger gets 404 for both, nothing leaked; a bad block request changes nothing', async () => {
    const w = await world();
    const fromB = w.sockets.b.frames.length;
    expect((await post('/api/v1/settings/blocked-users', { user_id: 'not-a-uuid' }, w.a)).statusCode).toBe(422);
    expect((await call('DELETE', `/api/v1/settings/blocked-users/${w.b.id}`, w.a)).statusCode).toBe(404);
    await settled();
    expect(await tracesOf(w, w.b, w.a)).toEqual({ ...all, milestoneCredit: true, replyQuotes: true });
    expect(w.sockets.b.frames.slice(fromB).filter((f) => f.event === 'visibility.changed')).toEqual([]);
    await block(w.a, w.b);
    const stranger = await makeUser(api.ctx);
    expect((await get(`/api/v1/goals/${w.goal.id}`)).statusCode).toBe(401);
    expect((await get(`/api/v1/conversations/${w.conversationId}/messages`)).statusCode).toBe(401);
    expect((await get(`/api/v1/goals/${w.goal.id}`, stranger)).statusCode).toBe(404);
    expect((await get(`/api/v1/conversations/${w.conversationId}/messages`, stranger)).statusCode).toBe(404);
  });
});
