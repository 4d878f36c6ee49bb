import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../test/harness.js';
import { makeFriends, makeUser, type TestUser } from '../../../test/factories.js';
import { listen, makeConversation, WsClient } from '../../../test/realtime-helpers.js';

const TYPING_TIMEOUT_MS = 300;

let t: TestApp;
let base: string;
const clients: WsClient[] = [];

beforeAll(async () => {
  t = await createTestApp({ env: { WS_TYPING_TIMEOUT_MS: String(TYPING_TIMEOUT_MS), RATE_LIMIT_ENABLED: 'false' } });
  base = await listen(t);
});

afterAll(async () => {
  await Promise.all(clients.map((c) => c.close().catch(() => undefined)));
  await t.close();
});

async function open(user: TestUser): Promise<WsClient> {
  const client = await WsClient.connect(base, `token=${user.accessToken}`);
  clients.push(client);
  return client;
}

/** Two friends and their direct conversation, created through the REST API. */
async function directPair(): Promise<{ a: TestUser; b: TestUser; conversationId: string }> {
  const [a, b] = await Promise.all([makeUser(t.ctx), makeUser(t.ctx)]);
  await makeFriends(t.ctx, a, b);
  const res = await t.app.inject({
    method: 'POST',
    url: '/api/v1/conversations',
    headers: a.auth,
    payload: { conversation_type: 'direct', participant_ids: [b.id] },
  });
  expect(res.statusCode, res.body).toBe(201);
  return { a, b, conversationId: res.json<{ id: string }>().id };
}

/** `blocker` blocks `blocked` through the REST API; resolves once the block's event handlers ran. */
async function block(blocker: TestUser, blocked: TestUser): Promise<void> {
  const res = await t.app.inject({ method: 'POST', url: '/api/v1/settings/blocked-users', headers: blocker.auth, payload: { user_id: blocked.id } });
  expect(res.statusCode, res.body).toBe(201);
  await t.ctx.bus.drain();
}

/** Sends subscribe; resolves with its answer (`subscribed`, or an `error` naming subscribe). */
async function subscribe(client: WsClient, conversationId: string) {
  const from = client.frames.length;
  const answer = client.next(
    (f) =>
      client.frames.indexOf(f) >= from &&
      ((f.event === 'subscribed' && f.conversation_id === conversationId) || (f.event === 'error' && f.request_event === 'subscribe')),
  );
  client.send({ event: 'subscribe', channel: 'conversation', conversation_id: conversationId });
  return answer;
}

const typingFrames = (client: WsClient, conversationId: string) =>
  client.frames.filter((f) => f.event === 'typing' && f.conversation_id === conversationId);

/** Long enough for a relayed typing (and a typing:false after the timeout) to have arrived. */
const settle = () => new Promise((resolve) => setTimeout(resolve, TYPING_TIMEOUT_MS + 300));

describe('issue 14.8: block bypasses (WebSocket subscribe and typing)', () => {
  it('control: without a block both sides of a direct conversation subscribe and see each other typing', async () => {
    const { a, b, conversationId } = await directPair();
    const [onA, onB] = [await open(a), await open(b)];
    expect(await subscribe(onA, conversationId)).toMatchObject({ event: 'subscribed' });
    expect(await subscribe(onB, conversationId)).toMatchObject({ event: 'subscribed' });
    const seenByB = onB.nextNew('typing', (f) => f.is_typing === true);
    onA.send({ event: 'typing', conversation_id: conversationId, is_typing: true });
    expect(await seenByB).toMatchObject({ conversation_id: conversationId, user: { id: a.id } });
    const seenByA = onA.nextNew('typing', (f) => f.is_typing === true);
    onB.send({ event: 'typing', conversation_id: conversationId, is_typing: true });
    expect(await seenByA).toMatchObject({ conversation_id: conversationId, user: { id: b.id } });
  });

  it.each([
    ['the other blocked the caller', true],
    ['the caller blocked the other', false],
  ])('when %s, neither may subscribe to their direct conversation and typing is refused, reaching nobody', async (_, otherBlocks) => {
    const { a, b, conversationId } = await directPair();
    await (otherBlocks ? block(b, a) : block(a, b));
    const [onA, onB] = [await open(a), await open(b)];
    for (const client of [onA, onB]) {
      expect(await subscribe(client, conversationId)).toMatchObject({ event: 'error', code: 'conversation_not_found', request_event: 'subscribe' });
      client.send({ event: 'typing', conversation_id: conversationId, is_typing: true });
      expect(await client.nextNew('error')).toMatchObject({ code: 'conversation_not_found', request_event: 'typing' });
    }
    await settle();
    expect(typingFrames(onA, conversationId)).toEqual([]);
    expect(typingFrames(onB, conversationId)).toEqual([]);
  });

  it('a new block drops both users’ subscriptions of their direct conversation: no typing reaches either, not even typing:false', async () => {
    const { a, b, conversationId } = await directPair();
    const [onA, onB] = [await open(a), await open(b)];
    await subscribe(onA, conversationId);
    await subscribe(onB, conversationId);
    // The blocked user is shown typing when the block comes: the pending typing:false must not reach the blocker either.
    const seen = onB.nextNew('typing', (f) => f.is_typing === true);
    onA.send({ event: 'typing', conversation_id: conversationId, is_typing: true });
    await seen;
    const seenByB = typingFrames(onB, conversationId).length;

    await block(b, a);
    for (const client of [onA, onB]) {
      client.send({ event: 'typing', conversation_id: conversationId, is_typing: true });
      expect(await client.nextNew('error')).toMatchObject({ code: 'conversation_not_found', request_event: 'typing' });
    }
    await settle();
    expect(typingFrames(onB, conversationId)).toHaveLength(seenByB);
    expect(typingFrames(onA, conversationId)).toEqual([]);
    expect(await t.ctx.services.realtime.watchingAmong(conversationId, [a.id, b.id])).toEqual(new Set());
  });

  it('after unblocking, the pair may subscribe to their direct conversation again', async () => {
    const { a, b, conversationId } = await directPair();
    await block(b, a);
    const onA = await open(a);
    expect(await subscribe(onA, conversationId)).toMatchObject({ event: 'error', code: 'conversation_not_found' });
    const res = await t.app.inject({ method: 'DELETE', url: `/api/v1/settings/blocked-users/${a.id}`, headers: b.auth });
    expect(res.statusCode, res.body).toBe(204);
    expect(await subscribe(onA, conversationId)).toMatchObject({ event: 'subscribed' });
  });

  // Issue 15.9 changed the group rule: both stay members and subscribed, but neither sees the other's typing.
  it('issue 15.9: in a group conversation both still subscribe, and a block hides each one’s typing from the other only', async () => {
    const [a, b, c] = await Promise.all([makeUser(t.ctx), makeUser(t.ctx), makeUser(t.ctx)]);
    const conversationId = await makeConversation(t.ctx, [a, b, c]);
    const [onA, onB, onC] = [await open(a), await open(b), await open(c)];
    await subscribe(onA, conversationId);
    await subscribe(onB, conversationId);
    await subscribe(onC, conversationId);
    await block(b, a);
    expect(await subscribe(onA, conversationId)).toMatchObject({ event: 'subscribed' });
    const seenByC = onC.nextNew('typing', (f) => f.is_typing === true && (f.user as { id: string }).id === a.id);
    onA.send({ event: 'typing', conversation_id: conversationId, is_typing: true });
    expect(await seenByC).toMatchObject({ conversation_id: conversationId, user: { id: a.id } });
    await settle();
    expect(typingFrames(onB, conversationId)).toEqual([]);
  });
});
