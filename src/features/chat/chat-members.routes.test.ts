import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countRows, makeFriends, makeUser, type TestUser } from '../../../test/factories.js';
import { createTestApp, type TestApp } from '../../../test/harness.js';
import {
  countWhere,
  makeBulkFriends,
  NO_RATE_LIMITS,
  openConversation,
  UNKNOWN_ID,
  type ConversationJson,
  type MessageJson,
} from './chat.test-helpers.js';
import { http } from '../../../test/http.js';
import { capture } from '../../../test/capture.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ env: NO_RATE_LIMITS });
});
afterAll(async () => t.close());

const { get, post, del } = http(() => t);
const participants = (c: { id: string }) => `/api/v1/conversations/${c.id}/participants`;
const ids = (c: ConversationJson) => c.participants.map((p) => p.user_id).sort();

async function crew() {
  const brian = await makeUser(t.ctx, { fullName: 'Brian Okuku' });
  const clarie = await makeUser(t.ctx, { fullName: 'Clarie Gor' });
  const derrick = await makeUser(t.ctx, { fullName: 'Derrick Juma' });
  const amina = await makeUser(t.ctx, { fullName: 'Amina Wanjiru' });
  for (const u of [clarie, derrick, amina]) await makeFriends(t.ctx, brian, u);
  const group = await openConversation(t, brian, 'group', [clarie], { name: 'Crew' });
  return { brian, clarie, derrick, amina, group };
}

async function newestMessage(who: TestUser, c: { id: string }): Promise<MessageJson | undefined> {
  return (await get(`/api/v1/conversations/${c.id}/messages?limit=1`, who)).json<{ messages: MessageJson[] }>().messages[0];
}

describe('POST /api/v1/conversations/:id/participants', () => {
  it('an admin adds friends: 200 with the conversation, a system message "Brian added ...", members_changed, message.sent', async () => {
    const { brian, clarie, derrick, amina, group } = await crew();
    const changes = capture(t.ctx, 'conversation.members_changed');
    const sent = capture(t.ctx, 'message.sent');
    const res = await post(participants(group), { user_ids: [derrick.id, amina.id, clarie.id] }, brian);
    expect(res.statusCode, res.body).toBe(200);
    expect(ids(res.json<ConversationJson>())).toEqual([brian.id, clarie.id, derrick.id, amina.id].sort());
    const message = await newestMessage(derrick, group);
    expect(message).toMatchObject({
      message_type: 'system',
      sender: null,
      content: 'Brian Okuku added Derrick Juma and Amina Wanjiru',
      metadata: { event: 'members_added', actor_id: brian.id, user_ids: [derrick.id, amina.id] },
    });
    await t.ctx.bus.drain();
    expect(changes.find((e) => e.conversationId === group.id)?.addedIds).toEqual([derrick.id, amina.id]);
    expect(sent.find((e) => e.conversationId === group.id)?.message).toEqual(message);
    // The actor does not get an unread for their own action; everyone else does.
    const unread = async (u: TestUser) => (await get(`/api/v1/conversations/${group.id}`, u)).json<ConversationJson>().unread_count;
    expect([await unread(brian), await unread(clarie), await unread(derrick)]).toEqual([0, 1, 1]);
  });

  it('non-friends: 422 participants_not_friends; members: 403; everyone already in: 409; outsiders: 404; nothing written', async () => {
    const { brian, clarie, derrick, group } = await crew();
    const stranger = await makeUser(t.ctx);
    const outsider = await makeUser(t.ctx);
    const before = [await countRows(t.ctx, 'conversation_participants'), await countRows(t.ctx, 'messages')];
    const notFriend = await post(participants(group), { user_ids: [stranger.id] }, brian);
    expect(notFriend.statusCode).toBe(422);
    expect(notFriend.json().error.code).toBe('participants_not_friends');
    const member = await post(participants(group), { user_ids: [derrick.id] }, clarie);
    expect(member.statusCode).toBe(403);
    expect(member.json().error.code).toBe('not_conversation_admin');
    const already = await post(participants(group), { user_ids: [clarie.id] }, brian);
    expect(already.statusCode).toBe(409);
    expect(already.json().error.code).toBe('already_participants');
    expect((await post(participants(group), { user_ids: [derrick.id] }, outsider)).statusCode).toBe(404);
    expect((await post(participants(group), { user_ids: [] }, brian)).statusCode).toBe(422);
    expect((await post(participants(group), { user_ids: ['x'] }, brian)).statusCode).toBe(422);
    expect((await post(participants(group), { user_ids: [derrick.id] })).statusCode).toBe(401);
    expect([await countRows(t.ctx, 'conversation_participants'), await countRows(t.ctx, 'messages')]).toEqual(before);
  });

  it('a group holds at most 256 people: the add that would pass it is 409 group_full and adds nobody', { timeout: 60_000 }, async () => {
    const { brian } = await crew();
    const friendIds = await makeBulkFriends(t.ctx, brian, 256);
    const res = await post('/api/v1/conversations', { conversation_type: 'group', participant_ids: friendIds.slice(0, 100) }, brian);
    expect(res.statusCode, res.body).toBe(201);
    const g = res.json<ConversationJson>();
    expect((await post(participants(g), { user_ids: friendIds.slice(100, 200) }, brian)).statusCode).toBe(200);
    const before = await countRows(t.ctx, 'conversation_participants');
    const full = await post(participants(g), { user_ids: friendIds.slice(200, 256) }, brian);
    expect(full.statusCode).toBe(409);
    expect(full.json().error.code).toBe('group_full');
    expect(await countRows(t.ctx, 'conversation_participants')).toBe(before);
    const fits = await post(participants(g), { user_ids: friendIds.slice(200, 255) }, brian);
    expect(fits.statusCode).toBe(200);
    expect(fits.json<ConversationJson>()).toMatchObject({ participants_count: 256 });
    expect(fits.json<ConversationJson>().participants).toHaveLength(256);
    // The list shows the first 10 cards, admins first, and the full count.
    const listed = (await get('/api/v1/conversations', brian)).json<{ conversations: ConversationJson[] }>().conversations.find((c) => c.id === g.id);
    expect(listed?.participants).toHaveLength(10);
    expect(listed?.participants[0]).toMatchObject({ user_id: brian.id, role: 'admin' });
    expect(listed?.participants_count).toBe(256);
  });

  it('a direct conversation never gains participants: 409 direct_conversation_fixed', async () => {
    const { brian, clarie, derrick } = await crew();
    const direct = await openConversation(t, brian, 'direct', [clarie]);
    const res = await post(participants(direct), { user_ids: [derrick.id] }, brian);
    expect(res.statusCode).toBe(409);
    expect(res.json().error.code).toBe('direct_conversation_fixed');
    expect((await del(`${participants(direct)}/${clarie.id}`, brian)).statusCode).toBe(409);
    expect(await countWhere(t.ctx, sql`select count(*)::int as n from conversation_participants where conversation_id = ${direct.id}`)).toBe(2);
  });
});

describe('DELETE /api/v1/conversations/:id/participants/:userId', () => {
  it('an admin removes a member ("Brian removed Clarie"); the removed one loses access; they can be added back', async () => {
    const { brian, clarie, group } = await crew();
    const changes = capture(t.ctx, 'conversation.members_changed');
    expect((await del(`${participants(group)}/${clarie.id}`, brian)).statusCode).toBe(204);
    expect(await newestMessage(brian, group)).toMatchObject({ content: 'Brian Okuku removed Clarie Gor', metadata: { event: 'member_removed' } });
    expect((await get(`/api/v1/conversations/${group.id}`, clarie)).statusCode).toBe(404);
    expect((await get(`/api/v1/conversations/${group.id}/messages`, clarie)).statusCode).toBe(404);
    expect(await t.ctx.services.conversations.isParticipant(group.id, clarie.id)).toBe(false);
    await t.ctx.bus.drain();
    expect(changes.find((e) => e.conversationId === group.id)).toMatchObject({ removedIds: [clarie.id], participantIds: [brian.id] });

    expect((await post(participants(group), { user_ids: [clarie.id] }, brian)).statusCode).toBe(200);
    expect(await t.ctx.services.conversations.isParticipant(group.id, clarie.id)).toBe(true);
  });

  it('anyone may remove themselves; members may not remove others (403); unknown participants 404', async () => {
    const { brian, clarie, derrick, group } = await crew();
    await post(participants(group), { user_ids: [derrick.id] }, brian);
    const refused = await del(`${participants(group)}/${derrick.id}`, clarie);
    expect(refused.statusCode).toBe(403);
    expect(refused.json().error.code).toBe('not_conversation_admin');
    const unknown = await del(`${participants(group)}/${UNKNOWN_ID}`, brian);
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().error.code).toBe('participant_not_found');
    expect((await del(`${participants(group)}/${clarie.id}`, clarie)).statusCode).toBe(204);
    expect(await newestMessage(brian, group)).toMatchObject({ content: 'Clarie Gor left the group', metadata: { event: 'member_left' } });
    expect((await del(`${participants(group)}/${derrick.id}`)).statusCode).toBe(401);
    expect((await del(`${participants(group)}/nope`, brian)).statusCode).toBe(422);
  });

  it('when the last admin leaves, the longest-standing member becomes admin', async () => {
    const { brian, clarie, derrick, group } = await crew();
    await post(participants(group), { user_ids: [derrick.id] }, brian);
    expect((await del(`${participants(group)}/${brian.id}`, brian)).statusCode).toBe(204);
    const view = (await get(`/api/v1/conversations/${group.id}`, clarie)).json<ConversationJson>();
    expect(view.participants.filter((p) => p.role === 'admin').map((p) => p.user_id)).toEqual([clarie.id]);
    expect(view.role).toBe('admin');
  });
});
