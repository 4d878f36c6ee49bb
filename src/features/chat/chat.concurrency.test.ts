import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeFriends, makeUser } from '../../../test/factories.js';
import { createTestApp, productionMode, type TestApp } from '../../../test/harness.js';
import { countWhere, NO_RATE_LIMITS, openConversation, unreadOf, type ConversationJson, type MessageJson } from './chat.test-helpers.js';
import { capture } from '../../../test/capture.js';

/**
 * Chat under concurrency. On PostgreSQL (production mode) the requests really run in parallel on a
 * connection pool; on PGlite they are serialised by its single connection, so there the same
 * assertions check the bookkeeping on a smaller load.
 */
let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ env: NO_RATE_LIMITS });
});
afterAll(async () => t.close());

const SCALE = productionMode ? 1 : 0.25;
const n = (count: number) => Math.max(4, Math.round(count * SCALE));

describe(`chat concurrency (${productionMode ? 'PostgreSQL' : 'PGlite'})`, () => {
  it('concurrent retries of one send (same client_message_id) store one message, answer the same id, publish once', { timeout: 120_000 }, async () => {
    const me = await makeUser(t.ctx);
    const other = await makeUser(t.ctx);
    await makeFriends(t.ctx, me, other);
    const c = await openConversation(t, me, 'direct', [other]);
    const sent = capture(t.ctx, 'message.sent');
    const tries = n(40);
    const responses = await Promise.all(
      Array.from({ length: tries }, () =>
        t.app.inject({ method: 'POST', url: `/api/v1/conversations/${c.id}/messages`, headers: me.auth, payload: { content: 'hello', client_message_id: 'retry-1' } }),
      ),
    );
    expect(responses.filter((r) => r.statusCode === 201)).toHaveLength(1);
    expect(responses.filter((r) => r.statusCode === 200)).toHaveLength(tries - 1);
    expect(new Set(responses.map((r) => r.json<MessageJson>().id)).size).toBe(1);
    expect(await countWhere(t.ctx, sql`select count(*)::int as n from messages where conversation_id = ${c.id}`)).toBe(1);
    expect(await unreadOf(t.ctx, other, c.id)).toBe(1);
    await t.ctx.bus.drain();
    expect(sent.filter((e) => e.conversationId === c.id)).toHaveLength(1);
  });

  it('concurrent requests for the same direct conversation from both sides end with one conversation', { timeout: 120_000 }, async () => {
    const a = await makeUser(t.ctx);
    const b = await makeUser(t.ctx);
    await makeFriends(t.ctx, a, b);
    const responses = await Promise.all(
      Array.from({ length: n(20) }, (_, i) => {
        const [from, to] = i % 2 ? [a, b] : [b, a];
        return t.app.inject({ method: 'POST', url: '/api/v1/conversations', headers: from.auth, payload: { conversation_type: 'direct', participant_ids: [to.id] } });
      }),
    );
    expect(responses.filter((r) => r.statusCode === 201)).toHaveLength(1);
    expect(responses.every((r) => r.statusCode === 200 || r.statusCode === 201)).toBe(true);
    expect(new Set(responses.map((r) => r.json<ConversationJson>().id)).size).toBe(1);
    const pair = [a.id, b.id].sort().join(':');
    expect(await countWhere(t.ctx, sql`select count(*)::int as n from conversations where direct_key = ${pair}`)).toBe(1);
    expect(await countWhere(t.ctx, sql`select count(*)::int as n from conversation_participants p join conversations c on c.id = p.conversation_id where c.direct_key = ${pair}`)).toBe(2);
  });

  it('six members sending at once while two read never deadlock: every send is a 201, every count exact', { timeout: 180_000 }, async () => {
    const admin = await makeUser(t.ctx);
    const members = [];
    for (let i = 0; i < 6; i++) {
      const m = await makeUser(t.ctx);
      await makeFriends(t.ctx, admin, m);
      members.push(m);
    }
    const g = await openConversation(t, admin, 'group', members);
    const perSender = n(15);
    const calls: Array<Promise<{ statusCode: number; body: string }>> = [];
    for (let i = 0; i < perSender; i++) {
      for (const m of members) {
        calls.push(t.app.inject({ method: 'POST', url: `/api/v1/conversations/${g.id}/messages`, headers: m.auth, payload: { content: `m${i}` } }));
      }
      for (const reader of [admin, members[0]!]) {
        calls.push(t.app.inject({ method: 'POST', url: `/api/v1/conversations/${g.id}/read`, headers: reader.auth, payload: {} }));
      }
    }
    const failed = (await Promise.all(calls)).filter((r) => r.statusCode !== 200 && r.statusCode !== 201).map((r) => r.body);
    expect(failed).toEqual([]);
    expect(await countWhere(t.ctx, sql`select count(*)::int as n from messages where conversation_id = ${g.id}`)).toBe(perSender * 6);
    // A member who never reads has every message of the five others unread.
    expect(await unreadOf(t.ctx, members[5]!, g.id)).toBe(perSender * 5);
  });

  it('unread counts stay exact while two members send and a third reads at the same time', { timeout: 180_000 }, async () => {
    const admin = await makeUser(t.ctx);
    const a = await makeUser(t.ctx);
    const b = await makeUser(t.ctx);
    await makeFriends(t.ctx, admin, a);
    await makeFriends(t.ctx, admin, b);
    const g = await openConversation(t, admin, 'group', [a, b]);
    const perSender = n(60);
    const send = (who: typeof a, i: number) =>
      t.app.inject({ method: 'POST', url: `/api/v1/conversations/${g.id}/messages`, headers: who.auth, payload: { content: `m${i}` } });
    const read = () => t.app.inject({ method: 'POST', url: `/api/v1/conversations/${g.id}/read`, headers: admin.auth, payload: {} });
    const calls: Array<Promise<{ statusCode: number }>> = [];
    for (let i = 0; i < perSender; i++) {
      calls.push(send(a, i), send(b, i));
      if (i % 3 === 0) calls.push(read());
    }
    const results = await Promise.all(calls);
    expect(results.filter((r) => r.statusCode !== 200 && r.statusCode !== 201)).toEqual([]);

    const total = perSender * 2;
    expect(await countWhere(t.ctx, sql`select count(*)::int as n from messages where conversation_id = ${g.id}`)).toBe(total);
    // Senders never read: each has exactly the other's messages unread.
    expect([await unreadOf(t.ctx, a, g.id), await unreadOf(t.ctx, b, g.id)]).toEqual([perSender, perSender]);
    // The reader: unread is exactly the messages without their receipt, whatever the interleaving.
    const unreceipted = await countWhere(
      t.ctx,
      sql`select count(*)::int as n from messages m where m.conversation_id = ${g.id}
        and not exists (select 1 from message_reads r where r.message_id = m.id and r.user_id = ${admin.id})`,
    );
    expect(await unreadOf(t.ctx, admin, g.id)).toBe(unreceipted);
    expect((await read()).statusCode).toBe(200);
    expect(await unreadOf(t.ctx, admin, g.id)).toBe(0);
    expect(await countWhere(t.ctx, sql`select count(*)::int as n from message_reads where user_id = ${admin.id}`)).toBe(total);
  });
});
