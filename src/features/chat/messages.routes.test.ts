import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countRows, makeBlock, makeFriends, makeUser } from '../../../test/factories.js';
import { createTestApp, type TestApp } from '../../../test/harness.js';
import {
  countWhere,
  NO_RATE_LIMITS,
  openConversation,
  sendMessage,
  setMessageAudience,
  statementsDuring,
  transactionOf,
  UNKNOWN_ID,
  unreadOf,
  type ConversationJson,
  type MessageJson,
} from './chat.test-helpers.js';
import { http } from '../../../test/http.js';
import { capture } from '../../../test/capture.js';
import type { SendMessageInput } from './messages.service.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ env: NO_RATE_LIMITS });
});
afterAll(async () => t.close());

const { get, post, put, del } = http(() => t);
const url = (c: { id: string }, rest = '') => `/api/v1/conversations/${c.id}/messages${rest}`;
type Page = { messages: MessageJson[]; pagination: { has_more: boolean; next_cursor: string | null } };

/** Three friends (me, a, b) in a group, and a direct chat me–a. */
async function world() {
  const me = await makeUser(t.ctx, { fullName: 'Brian Okuku' });
  const a = await makeUser(t.ctx, { fullName: 'Clarie Gor' });
  const b = await makeUser(t.ctx, { fullName: 'Derrick Juma' });
  await makeFriends(t.ctx, me, a);
  await makeFriends(t.ctx, me, b);
  const group = await openConversation(t, me, 'group', [a, b], { name: 'Crew' });
  const direct = await openConversation(t, me, 'direct', [a]);
  return { me, a, b, group, direct };
}

describe('POST /api/v1/conversations/:id/messages', () => {
  it('201 with the plan’s body; bumps activity, unread counts of the others, and publishes message.sent with the GET JSON', async () => {
    const { me, a, b, group } = await world();
    const sent = capture(t.ctx, 'message.sent');
    const res = await post(url(group), { content: 'Awesome! Great job!', message_type: 'text' }, me);
    expect(res.statusCode, res.body).toBe(201);
    const body = res.json<MessageJson>();
    expect(body).toMatchObject({
      conversation_id: group.id,
      sender: { id: me.id, username: me.username, full_name: 'Brian Okuku', profile_image_url: null },
      content: 'Awesome! Great job!',
      message_type: 'text',
      media_url: null,
      reply_to_message: null,
      is_edited: false,
      is_deleted: false,
      read_by: [],
    });
    expect([await unreadOf(t.ctx, me, group.id), await unreadOf(t.ctx, a, group.id), await unreadOf(t.ctx, b, group.id)]).toEqual([0, 1, 1]);
    const listed = (await get(url(group), a)).json<Page>().messages[0];
    expect(listed).toEqual(body);
    await t.ctx.bus.drain();
    const event = sent.find((e) => e.message.id === body.id);
    expect(event?.message).toEqual(listed);
    expect(event?.participantIds.sort()).toEqual([me.id, a.id, b.id].sort());
    expect(event).toMatchObject({ senderId: me.id, mutedParticipantIds: [] });
    expect((await get(`/api/v1/conversations/${group.id}`, a)).json()).toMatchObject({ last_message_at: body.created_at, unread_count: 1 });
  });

  it('a retry with the same client_message_id returns the same message with 200: one row, one event, one unread', async () => {
    const { me, a, direct } = await world();
    const sent = capture(t.ctx, 'message.sent');
    const first = await post(url(direct), { content: 'once', client_message_id: 'abc-1' }, me);
    const retry = await post(url(direct), { content: 'once', client_message_id: 'abc-1' }, me);
    expect([first.statusCode, retry.statusCode]).toEqual([201, 200]);
    expect(retry.json<MessageJson>().id).toBe(first.json<MessageJson>().id);
    // Another sender may use the same client id.
    expect((await post(url(direct), { content: 'mine', client_message_id: 'abc-1' }, a)).statusCode).toBe(201);
    expect(await countWhere(t.ctx, sql`select count(*)::int as n from messages where conversation_id = ${direct.id}`)).toBe(2);
    expect(await unreadOf(t.ctx, a, direct.id)).toBe(1);
    await t.ctx.bus.drain();
    expect(sent.filter((e) => e.conversationId === direct.id)).toHaveLength(2);
  });

  it('replies quote a short preview of a message of the same conversation; others are 422', async () => {
    const { me, a, group, direct } = await world();
    const long = await sendMessage(t, a, group.id, 'x'.repeat(300));
    const reply = await sendMessage(t, me, group.id, 'agreed', { reply_to_message_id: long.id });
    expect(reply.reply_to_message).toEqual({
      id: long.id,
      sender: { id: a.id, username: a.username, full_name: 'Clarie Gor', profile_image_url: null },
      content: `${'x'.repeat(99)}…`,
      message_type: 'text',
      is_deleted: false,
    });
    const elsewhere = await post(url(direct), { content: 'hm', reply_to_message_id: long.id }, me);
    expect(elsewhere.statusCode).toBe(422);
    expect(elsewhere.json().error.code).toBe('invalid_reply_to');
  });

  it('bad input: 422 with a clear code and nothing written', async () => {
    const { me, group } = await world();
    const before = await countRows(t.ctx, 'messages');
    const cases: Array<[unknown, string]> = [
      [{ content: 'x'.repeat(4001) }, 'validation_failed'],
      [{ content: '   ' }, 'message_content_required'],
      [{}, 'message_content_required'],
      [{ content: 'pic', message_type: 'image' }, 'media_url_required'],
      [{ content: 'hi', message_type: 'system' }, 'validation_failed'],
      [{ content: 'hi', media_url: 'file:///etc/passwd', message_type: 'file' }, 'validation_failed'],
      [{ content: 'hi', sender_id: me.id }, 'validation_failed'],
      [{ content: 'hi', client_message_id: 'x'.repeat(101) }, 'validation_failed'],
      [{ content: 'hi', reply_to_message_id: UNKNOWN_ID }, 'invalid_reply_to'],
      [{ content: 'nul \u0000 byte' }, 'validation_failed'],
      // Media must be the sender's own upload (issue 14.9): chat-media.test.ts has the accepted cases.
      [{ message_type: 'image', media_url: 'https://cdn.example.com/a.jpg' }, 'invalid_media_url'],
    ];
    for (const [payload, code] of cases) {
      const res = await post(url(group), payload, me);
      expect(res.statusCode, JSON.stringify(payload).slice(0, 80)).toBe(422);
      expect(res.json().error.code, JSON.stringify(payload).slice(0, 80)).toBe(code);
    }
    expect(await countRows(t.ctx, 'messages')).toBe(before);
  });

  it('outsiders (and unknown conversations) get 404 and write nothing; no token 401', async () => {
    const { group } = await world();
    const outsider = await makeUser(t.ctx);
    const before = await countRows(t.ctx, 'messages');
    const res = await post(url(group), { content: 'let me in' }, outsider);
    expect(res.statusCode).toBe(404);
    expect(res.json().error.code).toBe('conversation_not_found');
    expect((await post(url({ id: UNKNOWN_ID }), { content: 'x' }, outsider)).statusCode).toBe(404);
    expect((await post(url(group), { content: 'x' })).statusCode).toBe(401);
    expect(await countRows(t.ctx, 'messages')).toBe(before);
  });

  it('direct messages re-check who_can_send_messages and blocks at send time: 403 messages_not_allowed', async () => {
    const { me, a, direct } = await world();
    await sendMessage(t, me, direct.id, 'while friends');
    await t.ctx.database.db.execute(sql`delete from friendships where (user_id = ${me.id} and friend_id = ${a.id}) or (user_id = ${a.id} and friend_id = ${me.id})`);
    const before = await countRows(t.ctx, 'messages');
    const refused = await post(url(direct), { content: 'still there?' }, me);
    expect(refused.statusCode).toBe(403);
    expect(refused.json().error.code).toBe('messages_not_allowed');
    await setMessageAudience(t.ctx, a, 'everyone');
    expect((await post(url(direct), { content: 'now allowed' }, me)).statusCode).toBe(201);
    await makeBlock(t.ctx, a, me);
    expect((await post(url(direct), { content: 'blocked' }, me)).statusCode).toBe(403);
    expect((await post(url(direct), { content: 'blocked' }, a)).statusCode).toBe(403);
    expect(await countRows(t.ctx, 'messages')).toBe(before + 1);
  });
});

describe('issues 16 and 17: a message is one statement, in a transaction with its events’ jobs', () => {
  const SEND = /^\s*with context as/i;
  const JOB_INSERT = /insert into pgboss\.job/i;
  /** The send's statements: what ran before its transaction (nothing) and inside it, each named. */
  const sendStatements = async (work: () => Promise<unknown>) => {
    await t.ctx.bus.drain();
    const { before, inside } = transactionOf(await statementsDuring(t.ctx.database, work), SEND);
    const name = (text: string) => (SEND.test(text) ? 'send' : JOB_INSERT.test(text) ? 'job insert' : text);
    return { before: before.map(name), inside: inside.map(name) };
  };
  const text = (content: string, clientMessageId: string | null = null): SendMessageInput => ({
    content,
    messageType: 'text',
    mediaUrl: null,
    replyToMessageId: null,
    clientMessageId,
  });

  it('a direct message, like a group message, runs ONE data statement (the recipient’s rules are checked inside it) and the job insert, in one transaction', async () => {
    const { me, a, group, direct } = await world();
    const messages = t.ctx.services.messages;
    await messages.send(me.id, group.id, text('warm up the connections'));
    const directStatements = await sendStatements(() => messages.send(me.id, direct.id, text('hi')));
    const groupStatements = await sendStatements(() => messages.send(me.id, group.id, text('hi all')));
    // A stranger who accepts messages from everyone: the other branch of the rule, one statement too.
    const stranger = await makeUser(t.ctx);
    await setMessageAudience(t.ctx, stranger, 'everyone');
    const open = await openConversation(t, me, 'direct', [stranger]);
    const strangerStatements = await sendStatements(() => messages.send(me.id, open.id, text('hello stranger')));
    const oneSend = { before: [], inside: ['send', 'job insert'] };
    expect([directStatements, groupStatements, strangerStatements]).toEqual([oneSend, oneSend, oneSend]);
    expect(await countWhere(t.ctx, sql`select count(*)::int as n from messages where conversation_id = ${direct.id} and sender_id = ${me.id}`)).toBe(1);
    expect(await unreadOf(t.ctx, a, direct.id)).toBe(1);
  });

  it('a message the recipient refuses (their setting, a block either way) is 403 in one statement and writes nothing: no row, no unread, no activity, no event, no job', async () => {
    const { me, a, direct } = await world();
    const first = await sendMessage(t, me, direct.id, 'while friends');
    const activity = async () =>
      countWhere(t.ctx, sql`select extract(epoch from last_message_at)::float8 * 1000 as n from conversations where id = ${direct.id}`);
    const lastActivity = await activity();
    const sent = capture(t.ctx, 'message.sent');
    await t.ctx.database.db.execute(sql`delete from friendships where (user_id = ${me.id} and friend_id = ${a.id}) or (user_id = ${a.id} and friend_id = ${me.id})`);
    let refusal: unknown;
    const statements = await sendStatements(() => t.ctx.services.messages.send(me.id, direct.id, text('still there?')).catch((err: unknown) => (refusal = err)));
    expect(statements).toEqual({ before: [], inside: ['send'] });
    expect(refusal).toMatchObject({ code: 'messages_not_allowed' });
    await setMessageAudience(t.ctx, a, 'everyone');
    await makeBlock(t.ctx, a, me);
    for (const [sender, content] of [[me, 'blocked'], [a, 'blocked back']] as const) {
      const res = await post(url(direct), { content }, sender);
      expect([res.statusCode, res.json().error.code]).toEqual([403, 'messages_not_allowed']);
    }
    await t.ctx.bus.drain();
    expect(sent).toEqual([]);
    expect(await countWhere(t.ctx, sql`select count(*)::int as n from messages where conversation_id = ${direct.id}`)).toBe(1);
    expect([await unreadOf(t.ctx, me, direct.id), await unreadOf(t.ctx, a, direct.id)]).toEqual([0, 1]);
    expect(await activity()).toBe(lastActivity);
    expect((await get(url(direct), me)).json<Page>().messages.map((m) => m.id)).toEqual([first.id]);
  });

  it('a retry of a message sent before the recipient blocked the sender returns the first message (200) and writes nothing; a new message is 403', async () => {
    const { me, a, direct } = await world();
    const first = await post(url(direct), { content: 'before the block', client_message_id: 'pre-block-1' }, me);
    expect(first.statusCode).toBe(201);
    await makeBlock(t.ctx, a, me);
    const retry = await post(url(direct), { content: 'before the block', client_message_id: 'pre-block-1' }, me);
    expect([retry.statusCode, retry.json<MessageJson>().id]).toEqual([200, first.json<MessageJson>().id]);
    expect((await post(url(direct), { content: 'after the block', client_message_id: 'post-block-1' }, me)).statusCode).toBe(403);
    expect(await countWhere(t.ctx, sql`select count(*)::int as n from messages where conversation_id = ${direct.id}`)).toBe(1);
    expect(await unreadOf(t.ctx, a, direct.id)).toBe(1);
  });
});

describe('GET /api/v1/conversations/:id/messages', () => {
  it('newest first with cursor pages (before/next_cursor/has_more), read_by, and deleted messages without content', async () => {
    const { me, a, group } = await world();
    const sentIds: string[] = [];
    for (let i = 0; i < 5; i++) sentIds.push((await sendMessage(t, i % 2 ? a : me, group.id, `m${i}`)).id);
    const first = (await get(url(group, '?limit=2'), me)).json<Page>();
    expect(first.messages.map((m) => m.content)).toEqual(['m4', 'm3']);
    expect(first.pagination).toEqual({ has_more: true, next_cursor: sentIds[3] });
    const second = (await get(url(group, `?limit=2&before=${first.pagination.next_cursor}`), me)).json<Page>();
    expect(second.messages.map((m) => m.content)).toEqual(['m2', 'm1']);
    const last = (await get(url(group, `?limit=2&before=${second.pagination.next_cursor}`), me)).json<Page>();
    expect(last.messages.map((m) => m.content)).toEqual(['m0']);
    expect(last.pagination).toEqual({ has_more: false, next_cursor: null });

    expect((await post(`/api/v1/conversations/${group.id}/read`, {}, a)).statusCode).toBe(200);
    expect((await del(url(group, `/${sentIds[2]}`), me)).statusCode).toBe(204);
    const all = (await get(url(group), me)).json<Page>().messages;
    const byContent = (c: string) => all.find((m) => m.content === c);
    expect(byContent('m4')?.read_by.map((r) => r.user_id)).toEqual([a.id]);
    expect(byContent('m3')?.read_by).toEqual([]);
    const deleted = all.find((m) => m.id === sentIds[2]);
    expect(deleted).toMatchObject({ is_deleted: true, content: null, media_url: null, sender: { id: me.id } });
  });

  it('a cursor from another conversation: 422 invalid_cursor; outsiders 404; no token 401; limit over 100 is 422', async () => {
    const { me, group, direct } = await world();
    const outsider = await makeUser(t.ctx);
    const other = await sendMessage(t, me, direct.id, 'elsewhere');
    const res = await get(url(group, `?before=${other.id}`), me);
    expect(res.statusCode).toBe(422);
    expect(res.json().error.code).toBe('invalid_cursor');
    expect((await get(url(group), outsider)).statusCode).toBe(404);
    expect((await get(url(group))).statusCode).toBe(401);
    expect((await get(url(group, '?limit=101'), me)).statusCode).toBe(422);
    expect((await get(url(group, '?before=zzz'), me)).statusCode).toBe(422);
  });
});

describe('PUT and DELETE /api/v1/conversations/:id/messages/:messageId', () => {
  it('the sender edits (is_edited, message.edited) and deletes (soft, message.deleted); others 403; outsiders 404', async () => {
    const { me, a, group } = await world();
    const outsider = await makeUser(t.ctx);
    const edited = capture(t.ctx, 'message.edited');
    const deleted = capture(t.ctx, 'message.deleted');
    const m = await sendMessage(t, me, group.id, 'typo');

    const res = await put(url(group, `/${m.id}`), { content: 'fixed' }, me);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ id: m.id, content: 'fixed', is_edited: true });
    const notMine = await put(url(group, `/${m.id}`), { content: 'hacked' }, a);
    expect(notMine.statusCode).toBe(403);
    expect(notMine.json().error.code).toBe('not_message_sender');
    expect((await put(url(group, `/${m.id}`), { content: 'x' }, outsider)).statusCode).toBe(404);
    expect((await put(url(group, `/${UNKNOWN_ID}`), { content: 'x' }, me)).statusCode).toBe(404);
    expect((await put(url(group, `/${m.id}`), { content: '' }, me)).statusCode).toBe(422);
    expect((await put(url(group, `/${m.id}`), { content: 'x' })).statusCode).toBe(401);

    expect((await del(url(group, `/${m.id}`), a)).statusCode).toBe(403);
    expect((await del(url(group, `/${m.id}`), outsider)).statusCode).toBe(404);
    expect((await del(url(group, `/${m.id}`))).statusCode).toBe(401);
    expect((await del(url(group, `/${m.id}`), me)).statusCode).toBe(204);
    expect((await del(url(group, `/${m.id}`), me)).statusCode).toBe(204);
    const again = await put(url(group, `/${m.id}`), { content: 'back' }, me);
    expect(again.statusCode).toBe(409);
    expect(again.json().error.code).toBe('message_deleted');
    expect(await countWhere(t.ctx, sql`select count(*)::int as n from messages where id = ${m.id} and is_deleted and content = ''`)).toBe(1);

    await t.ctx.bus.drain();
    expect(edited.filter((e) => e.message.id === m.id).map((e) => e.message.content)).toEqual(['fixed']);
    expect(deleted.filter((e) => e.messageId === m.id)).toHaveLength(1);
    expect(deleted.find((e) => e.messageId === m.id)?.participantIds).toHaveLength(3);
  });
});

describe('POST /api/v1/conversations/:id/read', () => {
  it('marks up to the newest message by default: unread 0, receipts for the others’ messages, message.read', async () => {
    const { me, a, b, group } = await world();
    const reads = capture(t.ctx, 'message.read');
    await sendMessage(t, a, group.id, 'one');
    await sendMessage(t, me, group.id, 'mine');
    const last = await sendMessage(t, b, group.id, 'three');
    expect(await unreadOf(t.ctx, me, group.id)).toBe(2);
    const res = await post(`/api/v1/conversations/${group.id}/read`, undefined, me);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ conversation_id: group.id, message_id: last.id, unread_count: 0 });
    expect(await unreadOf(t.ctx, me, group.id)).toBe(0);
    expect(await countWhere(t.ctx, sql`select count(*)::int as n from message_reads where user_id = ${me.id}`)).toBe(2);
    await t.ctx.bus.drain();
    expect(reads.filter((e) => e.conversationId === group.id)).toEqual([
      expect.objectContaining({ userId: me.id, messageId: last.id }),
    ]);
    // Reading again changes nothing and tells nobody.
    expect((await post(`/api/v1/conversations/${group.id}/read`, {}, me)).json()).toMatchObject({ unread_count: 0 });
    await t.ctx.bus.drain();
    expect(reads.filter((e) => e.conversationId === group.id)).toHaveLength(1);
  });

  it('up to a given message: unread_count is what came after it; an older message never moves the mark back', async () => {
    const { me, a, direct } = await world();
    const m1 = await sendMessage(t, a, direct.id, '1');
    const m2 = await sendMessage(t, a, direct.id, '2');
    await sendMessage(t, a, direct.id, '3');
    await sendMessage(t, a, direct.id, '4');
    const res = await post(`/api/v1/conversations/${direct.id}/read`, { message_id: m2.id }, me);
    expect(res.json()).toMatchObject({ message_id: m2.id, unread_count: 2 });
    expect(await countWhere(t.ctx, sql`select count(*)::int as n from message_reads where user_id = ${me.id}`)).toBe(2);
    expect((await post(`/api/v1/conversations/${direct.id}/read`, { message_id: m1.id }, me)).json()).toMatchObject({ unread_count: 2 });
    const view = (await get(`/api/v1/conversations/${direct.id}`, me)).json<ConversationJson>();
    expect(view.unread_count).toBe(2);
  });

  it('outsiders 404 (nothing written); a message of another conversation 404; bad ids 422; no token 401', async () => {
    const { me, a, group, direct } = await world();
    const outsider = await makeUser(t.ctx);
    const m = await sendMessage(t, a, direct.id, 'hi');
    const before = await countRows(t.ctx, 'message_reads');
    expect((await post(`/api/v1/conversations/${direct.id}/read`, {}, outsider)).statusCode).toBe(404);
    const wrong = await post(`/api/v1/conversations/${group.id}/read`, { message_id: m.id }, me);
    expect(wrong.statusCode).toBe(404);
    expect(wrong.json().error.code).toBe('message_not_found');
    expect((await post(`/api/v1/conversations/${group.id}/read`, { message_id: 'x' }, me)).statusCode).toBe(422);
    expect((await post(`/api/v1/conversations/${group.id}/read`, {})).statusCode).toBe(401);
    expect(await countRows(t.ctx, 'message_reads')).toBe(before);
  });
});
