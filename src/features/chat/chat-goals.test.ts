import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeFriends, makeUser, type TestUser } from '../../../test/factories.js';
import { createTestApp, type TestApp } from '../../../test/harness.js';
import { countWhere, NO_RATE_LIMITS, type ConversationJson, type MessageJson } from './chat.test-helpers.js';
import { capture } from '../../../test/capture.js';
import { http } from '../../../test/http.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ env: NO_RATE_LIMITS });
});
afterAll(async () => t.close());

const { get, post, del } = http(() => t);

async function goal(creator: TestUser, members: TestUser[], goalType: 'group' | 'individual' = 'group'): Promise<string> {
  const res = await post(
    '/api/v1/goals',
    {
      title: 'Run 10k this week',
      goal_type: goalType,
      target_type: 'amount',
      target_amount: 100,
      target_currency: 'KES',
      ...(members.length > 0 ? { participant_ids: members.map((m) => m.id) } : {}),
    },
    creator,
  );
  expect(res.statusCode, res.body).toBe(201);
  await t.ctx.bus.drain();
  return res.json<{ id: string }>().id;
}

async function goalChat(who: TestUser, goalId: string): Promise<ConversationJson | undefined> {
  const list = (await get('/api/v1/conversations', who)).json<{ conversations: ConversationJson[] }>().conversations;
  return list.find((c) => c.goal_id === goalId);
}

async function messages(who: TestUser, conversationId: string): Promise<MessageJson[]> {
  return (await get(`/api/v1/conversations/${conversationId}/messages`, who)).json<{ messages: MessageJson[] }>().messages;
}

async function team() {
  const brian = await makeUser(t.ctx, { fullName: 'Brian Okuku' });
  const clarie = await makeUser(t.ctx, { fullName: 'Clarie Gor' });
  const derrick = await makeUser(t.ctx, { fullName: 'Derrick Juma' });
  await makeFriends(t.ctx, brian, clarie);
  await makeFriends(t.ctx, brian, derrick);
  return { brian, clarie, derrick };
}

describe('group goal chats', () => {
  it('creating a group goal creates its chat with the goal’s participants, the creator as admin', async () => {
    const { brian, clarie } = await team();
    const goalId = await goal(brian, [clarie]);
    const chat = await goalChat(clarie, goalId);
    expect(chat).toMatchObject({ conversation_type: 'group', is_group: true, name: 'Run 10k this week', goal_id: goalId, role: 'member' });
    expect(chat?.participants.map((p) => [p.user_id, p.role]).sort()).toEqual(
      [[brian.id, 'admin'], [clarie.id, 'member']].sort(),
    );
  });

  it('individual goals get no chat', async () => {
    const { brian } = await team();
    const goalId = await goal(brian, [], 'individual');
    expect(await countWhere(t.ctx, sql`select count(*)::int as n from conversations where goal_id = ${goalId}`)).toBe(0);
  });

  it('contributions, milestones and completion post goal messages with metadata, and publish message.sent', async () => {
    const { brian, clarie } = await team();
    const goalId = await goal(brian, [clarie]);
    const sent = capture(t.ctx, 'message.sent');
    expect((await post(`/api/v1/goals/${goalId}/milestones`, { title: 'Halfway', target_value: 50 }, brian)).statusCode).toBe(201);
    expect((await post(`/api/v1/goals/${goalId}/contributions`, { amount: 60 }, clarie)).statusCode).toBe(201);
    await t.ctx.bus.drain();
    expect((await post(`/api/v1/goals/${goalId}/complete`, {}, brian)).statusCode).toBe(200);
    await t.ctx.bus.drain();

    const chat = (await goalChat(brian, goalId)) as ConversationJson;
    const list = await messages(brian, chat.id);
    const byEvent = (event: string) => list.find((m) => m.metadata?.event === event);
    expect(byEvent('contribution_added')).toMatchObject({
      message_type: 'goal_update',
      sender: null,
      content: "Clarie Gor contributed KES 60.00 to 'Run 10k this week' (60% done)",
      metadata: { goal_id: goalId, goal_title: 'Run 10k this week', amount: 60, currency: 'KES', actor_id: clarie.id },
    });
    expect(byEvent('milestone_achieved')).toMatchObject({ message_type: 'goal_update', metadata: { goal_id: goalId, milestone_title: 'Halfway' } });
    expect(byEvent('goal_completed')).toMatchObject({
      message_type: 'system',
      content: "Brian Okuku completed the 'Run 10k this week' goal!",
      metadata: { goal_id: goalId, goal_title: 'Run 10k this week' },
    });
    const published = sent.filter((e) => e.conversationId === chat.id).map((e) => e.message.id).sort();
    expect(published).toEqual(list.map((m) => m.id).sort());
    // What Clarie's own actions produced (her contribution, the milestone it reached) is not unread for her.
    expect(list.filter((m) => m.metadata?.actor_id === clarie.id)).toHaveLength(2);
    expect((await goalChat(clarie, goalId))?.unread_count).toBe(list.length - 2);
  });

  it('a goal event delivered twice posts one message', async () => {
    const { brian, clarie } = await team();
    const goalId = await goal(brian, [clarie]);
    const payload = {
      goal: { goalId, title: 'Run 10k this week', goalType: 'group' as const, category: null, isPublic: false, creatorId: brian.id, participantIds: [brian.id, clarie.id] },
      actor: { id: clarie.id, username: clarie.username, fullName: 'Clarie Gor', profileImageUrl: null },
      milestoneId: '11111111-1111-4111-8111-111111111111',
      milestoneTitle: 'Week one',
      at: new Date().toISOString(),
    };
    const deliver = () => t.ctx.bus.publish(t.ctx.database.db, 'goal.milestone_achieved', payload);
    await Promise.all([deliver(), deliver()]);
    await t.ctx.bus.drain();
    await deliver();
    await t.ctx.bus.drain();
    const chat = (await goalChat(brian, goalId)) as ConversationJson;
    expect((await messages(brian, chat.id)).filter((m) => m.metadata?.milestone_id === payload.milestoneId)).toHaveLength(1);
  });

  it('participants added to or removed from the goal join or leave its chat, with system messages', async () => {
    const { brian, clarie, derrick } = await team();
    const goalId = await goal(brian, [clarie]);
    const changes = capture(t.ctx, 'conversation.members_changed');
    expect((await post(`/api/v1/goals/${goalId}/participants`, { user_id: derrick.id }, brian)).statusCode).toBe(201);
    await t.ctx.bus.drain();
    const chat = (await goalChat(derrick, goalId)) as ConversationJson;
    expect(chat.participants.map((p) => p.user_id).sort()).toEqual([brian.id, clarie.id, derrick.id].sort());
    expect((await messages(derrick, chat.id))[0]).toMatchObject({ message_type: 'system', content: 'Brian Okuku added Derrick Juma to the goal' });

    expect((await del(`/api/v1/goals/${goalId}/participants/${clarie.id}`, clarie)).statusCode).toBe(204);
    await t.ctx.bus.drain();
    expect(await goalChat(clarie, goalId)).toBeUndefined();
    expect((await messages(brian, chat.id))[0]).toMatchObject({ content: 'Clarie Gor left the goal' });
    expect(changes.filter((e) => e.conversationId === chat.id).map((e) => [e.addedIds, e.removedIds])).toEqual([
      [[derrick.id], []],
      [[], [clarie.id]],
    ]);
  });
});
