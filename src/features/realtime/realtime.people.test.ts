import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeUser } from '../../../test/factories.js';
import { createTestApp, type TestApp } from '../../../test/harness.js';
import { listen, makeConversation, WsClient } from '../../../test/realtime-helpers.js';
import { realtimePeople } from './realtime.people.js';
import { captureLogs } from '../../../test/capture.js';

const { logger, lines } = captureLogs('info');
let t: TestApp;
let base: string;
const clients: WsClient[] = [];

beforeAll(async () => {
  t = await createTestApp({ env: { RATE_LIMIT_ENABLED: 'false' }, overrides: { logger } });
  base = await listen(t);
});

afterAll(async () => {
  await Promise.all(clients.map((c) => c.close().catch(() => undefined)));
  await t.close();
});

/** Runs `work` while this test app's own `users` table is renamed away: user lookups fail in the driver. */
async function withUsersTableGone<T>(work: () => Promise<T>): Promise<T> {
  await t.ctx.database.db.execute(sql`alter table users rename to users_away`);
  try {
    return await work();
  } finally {
    await t.ctx.database.db.execute(sql`alter table users_away rename to users`);
  }
}

describe('issue 15.6: realtime people lookups do not take a failure for "nobody"', () => {
  it('profile(): undefined for an unknown or deleted account, a rejection when the database fails', async () => {
    const people = realtimePeople(t.ctx.services.users, t.ctx.services.friends);
    const user = await makeUser(t.ctx, { fullName: 'Amina Odhiambo' });
    expect(await people.profile(user.id)).toMatchObject({ card: { id: user.id, full_name: 'Amina Odhiambo' } });
    expect(await people.profile('00000000-0000-4000-8000-000000000000')).toBeUndefined();
    await t.ctx.database.db.execute(sql`update users set deleted_at = now() where id = ${user.id}`);
    expect(await people.profile(user.id)).toBeUndefined();
    const other = await makeUser(t.ctx);
    await withUsersTableGone(async () => {
      await expect(people.profile(other.id)).rejects.toThrow();
    });
  });

  it('typing while the user lookup fails answers internal_error and is logged, instead of being dropped silently', async () => {
    const [a, b] = [await makeUser(t.ctx), await makeUser(t.ctx)];
    const conversationId = await makeConversation(t.ctx, [a, b]);
    const typist = await WsClient.connect(base, `token=${a.accessToken}`);
    const watcher = await WsClient.connect(base, `token=${b.accessToken}`);
    clients.push(typist, watcher);
    for (const c of [typist, watcher]) {
      c.send({ event: 'subscribe', channel: 'conversation', conversation_id: conversationId });
      await c.nextNew('subscribed');
    }
    await withUsersTableGone(async () => {
      const failed = typist.nextNew('error');
      typist.send({ event: 'typing', conversation_id: conversationId, is_typing: true });
      expect(await failed).toMatchObject({ code: 'internal_error', request_event: 'typing' });
    });
    expect(lines.some((l) => l.includes('websocket event failed') && l.includes('"event":"typing"'))).toBe(true);
    expect(watcher.frames.some((f) => f.event === 'typing')).toBe(false);
    // With the database back, typing works again.
    const started = watcher.nextNew('typing', (f) => f.is_typing === true);
    typist.send({ event: 'typing', conversation_id: conversationId, is_typing: true });
    expect(await started).toMatchObject({ user: { id: a.id }, is_typing: true });
  });
});
