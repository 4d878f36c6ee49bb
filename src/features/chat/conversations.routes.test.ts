import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { countRows, makeBlock, makeFriends, makeUser, type TestUser } from '../../../test/factories.js';
import { createTestApp, type TestApp } from '../../../test/harness.js';
import {
  countWhere,
  NO_RATE_LIMITS,
  openConversation,
  sendMessage,
  setMessageAudience,
  UNKNOWN_ID,
  type ConversationJson,
} from './chat.test-helpers.js';
import { http } from '../../../test/http.js';
import { capture } from '../../../test/capture.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ env: NO_RATE_LIMITS });
});
afterAll(async () => t.close());

const { get, post, put, del } = http(() => t);

async function friends(n: number): Promise<[TestUser, ...TestUser[]]> {
  const me = await makeUser(t.ctx, { fullName: 'Brian Okuku' });
  const others: TestUser[] = [];
  for (let i = 0; i < n; i++) {
    const other = await makeUser(t.ctx, { fullName: `Friend ${i}` });
    await makeFriends(t.ctx, me, other);
    others.push(other);
  }
  return [me, ...others];
}

describe('POST /api/v1/conversations (direct)', () => {
  it('between friends: 201 with the conversation; asking again (either side) returns the same one with 200', async () => {
    const [me, other] = (await friends(1)) as [TestUser, TestUser];
    const res = await post('/api/v1/conversations', { conversation_type: 'direct', participant_ids: [other.id] }, me);
    expect(res.statusCode, res.body).toBe(201);
    const body = res.json<ConversationJson>();
    expect(body).toMatchObject({
      conversation_type: 'direct',
      is_group: false,
      name: null,
      goal_id: null,
      participants_count: 2,
      last_message: null,
      unread_count: 0,
      is_muted: false,
      is_archived: false,
      last_message_at: null,
    });
    expect(body.participants.map((p) => p.user_id).sort()).toEqual([me.id, other.id].sort());
    expect(body.participants.find((p) => p.user_id === other.id)).toMatchObject({ username: other.username, full_name: 'Friend 0', profile_image_url: null });

    const again = await post('/api/v1/conversations', { conversation_type: 'direct', participant_ids: [other.id] }, me);
    expect(again.statusCode).toBe(200);
    expect(again.json<ConversationJson>().id).toBe(body.id);
    // Their own id (in any letter case) is not another user.
    const self = await post('/api/v1/conversations', { conversation_type: 'direct', participant_ids: [other.id.toUpperCase()] }, other);
    expect(self.statusCode).toBe(422);
    const fromOther = await post('/api/v1/conversations', { conversation_type: 'direct', participant_ids: [me.id] }, other);
    expect(fromOther.statusCode).toBe(200);
    expect(fromOther.json<ConversationJson>().id).toBe(body.id);
    expect(await countWhere(t.ctx, sql`select count(*)::int as n from conversations where direct_key like ${`%${me.id}%`}`)).toBe(1);
  });

  it('to a stranger who accepts messages only from friends (the default): 403 messages_not_allowed, nothing written', async () => {
    const me = await makeUser(t.ctx);
    const stranger = await makeUser(t.ctx);
    const before = await countRows(t.ctx, 'conversations');
    const res = await post('/api/v1/conversations', { conversation_type: 'direct', participant_ids: [stranger.id] }, me);
    expect(res.statusCode).toBe(403);
    expect(res.json().error.code).toBe('messages_not_allowed');
    expect(await countRows(t.ctx, 'conversations')).toBe(before);
  });

  it('to a stranger who accepts messages from everyone: 201; but never across a block (403), even between friends', async () => {
    const me = await makeUser(t.ctx);
    const open = await makeUser(t.ctx);
    await setMessageAudience(t.ctx, open, 'everyone');
    expect((await post('/api/v1/conversations', { conversation_type: 'direct', participant_ids: [open.id] }, me)).statusCode).toBe(201);

    const blocker = await makeUser(t.ctx);
    await setMessageAudience(t.ctx, blocker, 'everyone');
    await makeFriends(t.ctx, me, blocker);
    await makeBlock(t.ctx, blocker, me);
    const res = await post('/api/v1/conversations', { conversation_type: 'direct', participant_ids: [blocker.id] }, me);
    expect(res.statusCode).toBe(403);
    expect(res.json().error.code).toBe('messages_not_allowed');
    const reverse = await post('/api/v1/conversations', { conversation_type: 'direct', participant_ids: [me.id] }, blocker);
    expect(reverse.statusCode).toBe(403);
  });

  it('bad requests: 422 with a clear code, nothing written', async () => {
    const [me, a, b] = (await friends(2)) as [TestUser, TestUser, TestUser];
    const before = await countRows(t.ctx, 'conversations');
    const cases: Array<[unknown, string]> = [
      [{ conversation_type: 'direct', participant_ids: [me.id] }, 'invalid_participants'],
      [{ conversation_type: 'direct', participant_ids: [a.id, b.id] }, 'invalid_participants'],
      [{ conversation_type: 'direct', participant_ids: [a.id], name: 'Us' }, 'invalid_field'],
      [{ conversation_type: 'ai_coach', participant_ids: [a.id] }, 'validation_failed'],
      [{ conversation_type: 'direct', participant_ids: ['nope'] }, 'validation_failed'],
      [{ conversation_type: 'direct', participant_ids: [] }, 'validation_failed'],
      [{ conversation_type: 'group', participant_ids: [a.id], is_group: true }, 'validation_failed'],
      [{ conversation_type: 'group', participant_ids: [a.id], image_url: 'javascript:alert(1)' }, 'validation_failed'],
      [{ conversation_type: 'group', participant_ids: [a.id], name: 'nul \u0000' }, 'validation_failed'],
    ];
    for (const [payload, code] of cases) {
      const res = await post('/api/v1/conversations', payload, me);
      expect(res.statusCode, JSON.stringify(payload)).toBe(422);
      expect(res.json().error.code, JSON.stringify(payload)).toBe(code);
    }
    expect(await countRows(t.ctx, 'conversations')).toBe(before);
  });

  it('an unknown user: 404 user_not_found; no token or a bad token: 401', async () => {
    const me = await makeUser(t.ctx);
    const res = await post('/api/v1/conversations', { conversation_type: 'direct', participant_ids: [UNKNOWN_ID] }, me);
    expect(res.statusCode).toBe(404);
    expect(res.json().error.code).toBe('user_not_found');
    expect((await post('/api/v1/conversations', { conversation_type: 'direct', participant_ids: [me.id] })).statusCode).toBe(401);
    const bad = await t.app.inject({
      method: 'POST',
      url: '/api/v1/conversations',
      headers: { authorization: 'Bearer not-a-token' },
      payload: { conversation_type: 'direct', participant_ids: [me.id] },
    });
    expect(bad.statusCode).toBe(401);
  });
});

describe('POST /api/v1/conversations (group)', () => {
  it('with friends: 201, the creator is admin, others members; conversation.members_changed names everyone', async () => {
    const [me, a, b] = (await friends(2)) as [TestUser, TestUser, TestUser];
    const events = capture(t.ctx, 'conversation.members_changed');
    const res = await post('/api/v1/conversations', { conversation_type: 'group', participant_ids: [a.id, b.id], name: 'Marathon Crew' }, me);
    expect(res.statusCode, res.body).toBe(201);
    const body = res.json<ConversationJson>();
    expect(body).toMatchObject({ conversation_type: 'group', is_group: true, name: 'Marathon Crew', participants_count: 3, role: 'admin' });
    expect(body.participants.find((p) => p.user_id === me.id)?.role).toBe('admin');
    expect(body.participants.filter((p) => p.role === 'member').map((p) => p.user_id).sort()).toEqual([a.id, b.id].sort());
    await t.ctx.bus.drain();
    const mine = events.filter((e) => e.conversationId === body.id);
    expect(mine).toHaveLength(1);
    expect(mine[0]?.addedIds.sort()).toEqual([me.id, a.id, b.id].sort());
  });

  it('with someone who is not a friend: 422 participants_not_friends naming them, nothing written', async () => {
    const [me, a] = (await friends(1)) as [TestUser, TestUser];
    const stranger = await makeUser(t.ctx);
    const before = await countRows(t.ctx, 'conversation_participants');
    const res = await post('/api/v1/conversations', { conversation_type: 'group', participant_ids: [a.id, stranger.id] }, me);
    expect(res.statusCode).toBe(422);
    expect(res.json().error).toMatchObject({ code: 'participants_not_friends', details: [{ field: 'participant_ids', user_id: stranger.id }] });
    expect(await countRows(t.ctx, 'conversation_participants')).toBe(before);
  });
});

describe('GET /api/v1/conversations', () => {
  it('newest activity first, with last message, the caller’s unread count, participants; ai_coach included; paginated', async () => {
    const [me, a, b] = (await friends(2)) as [TestUser, TestUser, TestUser];
    const first = await openConversation(t, me, 'direct', [a]);
    const group = await openConversation(t, me, 'group', [a, b], { name: 'Crew' });
    const second = await openConversation(t, me, 'direct', [b]);
    await sendMessage(t, a, first.id, 'hello');
    await sendMessage(t, b, group.id, 'group hi');
    await sendMessage(t, a, group.id, 'second');
    await t.ctx.database.db.execute(sql`with c as (insert into conversations (conversation_type, name) values ('ai_coach', 'Tribe Coach') returning id)
      insert into conversation_participants (conversation_id, user_id) select id, ${me.id} from c`);

    const res = await get('/api/v1/conversations', me);
    expect(res.statusCode, res.body).toBe(200);
    const list = res.json<{ conversations: ConversationJson[]; pagination: unknown }>();
    expect(list.conversations.map((c) => c.name ?? c.id)).toEqual(['Tribe Coach', 'Crew', first.id, second.id]);
    const crew = list.conversations[1] as ConversationJson;
    expect(crew).toMatchObject({ unread_count: 2, last_message: { content: 'second', message_type: 'text', sender: { id: a.id } }, participants_count: 3 });
    expect(list.conversations[2]).toMatchObject({ unread_count: 1, last_message: { content: 'hello' } });
    expect(list.conversations[3]).toMatchObject({ unread_count: 0, last_message: null });
    expect(list.pagination).toEqual({ page: 1, limit: 20, total: 4, total_pages: 1 });

    const page2 = await get('/api/v1/conversations?limit=3&page=2', me);
    expect(page2.json<{ conversations: ConversationJson[] }>().conversations.map((c) => c.id)).toEqual([second.id]);
    expect((await get('/api/v1/conversations?limit=101', me)).statusCode).toBe(422);
    expect((await get('/api/v1/conversations?archived=maybe', me)).statusCode).toBe(422);
    expect((await get('/api/v1/conversations')).statusCode).toBe(401);
  });

  it('costs the same number of statements for 2 or 12 conversations (no N+1)', async () => {
    const [me, ...others] = await friends(12);
    const statements = async () => {
      const spy = vi.spyOn(t.ctx.database.db, 'execute');
      const res = await get('/api/v1/conversations?limit=100', me);
      const n = spy.mock.calls.length;
      spy.mockRestore();
      return { n, count: res.json<{ conversations: unknown[] }>().conversations.length };
    };
    for (const o of others.slice(0, 2)) await sendMessage(t, me, (await openConversation(t, me, 'direct', [o])).id, 'hi');
    const few = await statements();
    for (const o of others.slice(2)) await sendMessage(t, me, (await openConversation(t, me, 'direct', [o])).id, 'hi');
    const many = await statements();
    expect([few.count, many.count]).toEqual([2, 12]);
    expect(many.n).toBe(few.n);
    expect(many.n).toBeLessThanOrEqual(4);
  });

  it('archived conversations only with ?archived=true; a hidden direct chat comes back with the next message', async () => {
    const [me, a, b] = (await friends(2)) as [TestUser, TestUser, TestUser];
    const archived = await openConversation(t, me, 'direct', [a]);
    const hidden = await openConversation(t, me, 'direct', [b]);
    await sendMessage(t, b, hidden.id, 'before hiding');
    expect((await put(`/api/v1/conversations/${archived.id}`, { is_archived: true }, me)).statusCode).toBe(200);
    expect((await del(`/api/v1/conversations/${hidden.id}`, me)).statusCode).toBe(204);

    const ids = async (url: string, who: TestUser) => (await get(url, who)).json<{ conversations: ConversationJson[] }>().conversations.map((c) => c.id);
    expect(await ids('/api/v1/conversations', me)).toEqual([]);
    expect(await ids('/api/v1/conversations?archived=true', me)).toEqual([archived.id]);
    expect(await ids('/api/v1/conversations', a)).toEqual([archived.id]);
    expect(await ids('/api/v1/conversations', b)).toEqual([hidden.id]);
    // Hidden, not gone: the caller still reads it by id.
    expect((await get(`/api/v1/conversations/${hidden.id}`, me)).statusCode).toBe(200);

    await sendMessage(t, b, hidden.id, 'are you there?');
    expect(await ids('/api/v1/conversations', me)).toEqual([hidden.id]);
  });
});

describe('ConversationsService.isParticipant (the realtime gateway’s check)', () => {
  it('true only for current participants; false after leaving, for outsiders and for malformed ids', async () => {
    const [me, a, b] = (await friends(2)) as [TestUser, TestUser, TestUser];
    const outsider = await makeUser(t.ctx);
    const g = await openConversation(t, me, 'group', [a, b]);
    const check = (id: string, who: string) => t.ctx.services.conversations.isParticipant(id, who);
    expect(await check(g.id, a.id)).toBe(true);
    expect(await check(g.id.toUpperCase(), a.id)).toBe(true);
    expect(await check(g.id, outsider.id)).toBe(false);
    expect(await check('not-a-uuid', a.id)).toBe(false);
    expect(await check(UNKNOWN_ID, a.id)).toBe(false);
    expect((await del(`/api/v1/conversations/${g.id}`, a)).statusCode).toBe(204);
    expect(await check(g.id, a.id)).toBe(false);
  });
});

describe('muted and hidden conversations', () => {
  it('message.sent names muted participants; asking for a hidden direct chat again shows it again', async () => {
    const [me, a] = (await friends(1)) as [TestUser, TestUser];
    const d = await openConversation(t, me, 'direct', [a]);
    await put(`/api/v1/conversations/${d.id}`, { is_muted: true }, a);
    const sent = capture(t.ctx, 'message.sent');
    await sendMessage(t, me, d.id, 'psst');
    await t.ctx.bus.drain();
    expect(sent.find((e) => e.conversationId === d.id)).toMatchObject({ mutedParticipantIds: [a.id] });

    expect((await del(`/api/v1/conversations/${d.id}`, me)).statusCode).toBe(204);
    const listed = async () => (await get('/api/v1/conversations', me)).json<{ conversations: ConversationJson[] }>().conversations.map((c) => c.id);
    expect(await listed()).toEqual([]);
    const again = await post('/api/v1/conversations', { conversation_type: 'direct', participant_ids: [a.id] }, me);
    expect(again.statusCode).toBe(200);
    expect(again.json<ConversationJson>().id).toBe(d.id);
    expect(await listed()).toEqual([d.id]);
  });
});

describe('GET /api/v1/conversations/:id', () => {
  it('participants read it; anyone else and unknown ids get the same 404; a malformed id is 422', async () => {
    const [me, a] = (await friends(1)) as [TestUser, TestUser];
    const outsider = await makeUser(t.ctx);
    const c = await openConversation(t, me, 'direct', [a]);
    const res = await get(`/api/v1/conversations/${c.id}`, a);
    expect(res.statusCode).toBe(200);
    expect(res.json<ConversationJson>().id).toBe(c.id);
    const hidden = await get(`/api/v1/conversations/${c.id}`, outsider);
    const unknown = await get(`/api/v1/conversations/${UNKNOWN_ID}`, outsider);
    expect([hidden.statusCode, unknown.statusCode]).toEqual([404, 404]);
    expect(hidden.json()).toEqual(unknown.json());
    expect(hidden.json().error.code).toBe('conversation_not_found');
    expect((await get('/api/v1/conversations/123', me)).statusCode).toBe(422);
    expect((await get(`/api/v1/conversations/${c.id}`)).statusCode).toBe(401);
  });
});

describe('PUT /api/v1/conversations/:id', () => {
  it('admins rename a group; members may not (403); mute and archive are per caller', async () => {
    const [me, a] = (await friends(1)) as [TestUser, TestUser];
    const g = await openConversation(t, me, 'group', [a], { name: 'Old' });
    // The group image must be the admin's own upload (issue 14.9): chat-media.test.ts sets one.
    const renamed = await put(`/api/v1/conversations/${g.id}`, { name: 'New' }, me);
    expect(renamed.statusCode, renamed.body).toBe(200);
    expect(renamed.json()).toMatchObject({
      name: 'New',
      image_url: null,
      last_message: { message_type: 'system', content: 'Brian Okuku renamed the group to "New"' },
    });
    expect((await get(`/api/v1/conversations/${g.id}`, a)).json()).toMatchObject({ unread_count: 1 });
    // The same values again change nothing and say nothing.
    await put(`/api/v1/conversations/${g.id}`, { name: 'New' }, me);
    expect((await get(`/api/v1/conversations/${g.id}`, a)).json()).toMatchObject({ unread_count: 1 });

    const refused = await put(`/api/v1/conversations/${g.id}`, { name: 'Mine now' }, a);
    expect(refused.statusCode).toBe(403);
    expect(refused.json().error.code).toBe('not_conversation_admin');
    expect((await get(`/api/v1/conversations/${g.id}`, a)).json()).toMatchObject({ name: 'New' });

    const muted = await put(`/api/v1/conversations/${g.id}`, { is_muted: true }, a);
    expect(muted.json()).toMatchObject({ is_muted: true, is_archived: false });
    expect((await get(`/api/v1/conversations/${g.id}`, me)).json()).toMatchObject({ is_muted: false });
  });

  it('a direct conversation has no name (409); empty or unknown fields 422; outsiders 404; no token 401', async () => {
    const [me, a] = (await friends(1)) as [TestUser, TestUser];
    const outsider = await makeUser(t.ctx);
    const d = await openConversation(t, me, 'direct', [a]);
    const named = await put(`/api/v1/conversations/${d.id}`, { name: 'x' }, me);
    expect(named.statusCode).toBe(409);
    expect(named.json().error.code).toBe('not_a_group_conversation');
    expect((await put(`/api/v1/conversations/${d.id}`, {}, me)).statusCode).toBe(422);
    expect((await put(`/api/v1/conversations/${d.id}`, { is_muted: 'yes' }, me)).statusCode).toBe(422);
    expect((await put(`/api/v1/conversations/${d.id}`, { unread_count: 0 }, me)).statusCode).toBe(422);
    expect((await put(`/api/v1/conversations/${d.id}`, { is_muted: true }, outsider)).statusCode).toBe(404);
    expect((await put(`/api/v1/conversations/${d.id}`, { is_muted: true })).statusCode).toBe(401);
    expect(await countWhere(t.ctx, sql`select count(*)::int as n from conversation_participants where conversation_id = ${d.id} and is_muted`)).toBe(0);
  });
});

describe('DELETE /api/v1/conversations/:id', () => {
  it('leaving a group: 204, a system message, members_changed; the group keeps an admin; then 404 for the leaver', async () => {
    const [me, a, b] = (await friends(2)) as [TestUser, TestUser, TestUser];
    const g = await openConversation(t, me, 'group', [a, b]);
    const changes = capture(t.ctx, 'conversation.members_changed');
    const sent = capture(t.ctx, 'message.sent');
    expect((await del(`/api/v1/conversations/${g.id}`, me)).statusCode).toBe(204);
    await t.ctx.bus.drain();
    const mine = changes.filter((e) => e.conversationId === g.id);
    expect(mine).toEqual([expect.objectContaining({ removedIds: [me.id], addedIds: [] })]);
    expect(mine[0]?.participantIds.sort()).toEqual([a.id, b.id].sort());
    const system = sent.find((e) => e.conversationId === g.id);
    expect(system?.message).toMatchObject({ message_type: 'system', sender: null, content: 'Brian Okuku left the group' });
    const view = (await get(`/api/v1/conversations/${g.id}`, a)).json<ConversationJson>();
    expect(view.participants.map((p) => p.user_id).sort()).toEqual([a.id, b.id].sort());
    expect(view.participants.filter((p) => p.role === 'admin')).toHaveLength(1);
    expect(view).toMatchObject({ unread_count: 1, last_message: { message_type: 'system' } });
    expect((await get(`/api/v1/conversations/${g.id}`, me)).statusCode).toBe(404);
    expect((await del(`/api/v1/conversations/${g.id}`, me)).statusCode).toBe(404);
  });

  it('outsiders: 404 and nothing changes; no token: 401', async () => {
    const [me, a] = (await friends(1)) as [TestUser, TestUser];
    const outsider = await makeUser(t.ctx);
    const d = await openConversation(t, me, 'direct', [a]);
    expect((await del(`/api/v1/conversations/${d.id}`, outsider)).statusCode).toBe(404);
    expect((await del(`/api/v1/conversations/${d.id}`)).statusCode).toBe(401);
    expect(await countWhere(t.ctx, sql`select count(*)::int as n from conversation_participants where conversation_id = ${d.id} and hidden_at is null`)).toBe(2);
  });
});
