import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeFriends, makeUser, type TestUser } from '../../../test/factories.js';
import { createTestApp, type TestApp } from '../../../test/harness.js';
import { http } from '../../../test/http.js';
import { redeliver } from '../../../test/redeliver.js';
import { queryRows } from '../../infra/db/rows.js';
import { openConversation, sendMessage } from '../chat/chat.test-helpers.js';
import { makePost } from '../posts/posts.test-helpers.js';
import { NO_RATE_LIMITS, notificationsOf, scalar } from './notifications.test-helpers.js';

/**
 * The notifications subscriber's jobs run at least once: each test redelivers the jobs it caused
 * (as pg-boss does when a worker died after the handler's commit, before the job's completion) and
 * checks every effect — notification rows, like counts, push_outbox rows — exists exactly once.
 */
let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ env: NO_RATE_LIMITS, overrides: { pushDelivery: { kickOnEnqueue: false } } });
});
afterAll(async () => t.close());

const { post } = http(() => t);
let devices = 0;
async function device(user: TestUser): Promise<void> {
  const token = `log-device-${++devices}-${Math.random().toString(36).slice(2)}:APA91b${'z'.repeat(24)}`;
  const res = await post('/api/v1/notifications/push-tokens', { token, device_type: 'android' }, user);
  if (res.statusCode !== 201) throw new Error(res.body);
}
const pushes = (user: TestUser, kind: 'notification' | 'message') =>
  scalar<number>(t.ctx, sql`select count(*)::int from push_outbox where user_id = ${user.id} and payload->>'kind' = ${kind}`);
const receipts = (eventName: string) =>
  scalar<number>(
    t.ctx,
    sql`select count(*)::int from event_receipts r join pgboss.job j on j.id = r.event_id
      where r.subscriber = 'notifications' and j.name = 'events.notifications' and j.data->>'event' = ${eventName}`,
  );

describe('notifications: a redelivered event notifies, counts and pushes once', () => {
  it('friend request and acceptance: one notification and one push each', async () => {
    const [ann, ben] = [await makeUser(t.ctx, { fullName: 'Ann Wanjiru' }), await makeUser(t.ctx, { fullName: 'Ben Kamau' })];
    await device(ann);
    await device(ben);
    await makeFriends(t.ctx, ann, ben);
    expect((await notificationsOf(t.ctx, ben, 'friend_request')).length).toBe(1);

    expect(await redeliver(t.ctx, 'notifications', 'friend.request_sent', { toUserId: ben.id })).toBe(1);
    expect(await redeliver(t.ctx, 'notifications', 'friend.request_accepted', { requesterId: ann.id })).toBe(1);

    expect((await notificationsOf(t.ctx, ben, 'friend_request')).length).toBe(1);
    expect((await notificationsOf(t.ctx, ann, 'friend_accepted')).length).toBe(1);
    expect(await pushes(ben, 'notification')).toBe(1);
    expect(await pushes(ann, 'notification')).toBe(1);
  });

  it('likes: a retried like is not counted twice in the collapsed notification ("B and 1 other")', async () => {
    const author = await makeUser(t.ctx, { fullName: 'Cate Njeri' });
    const first = await makeUser(t.ctx, { fullName: 'Dan Otieno' });
    const second = await makeUser(t.ctx, { fullName: 'Eve Achieng' });
    await device(author);
    await makeFriends(t.ctx, author, first);
    await makeFriends(t.ctx, author, second);
    const postId = await makePost(t.ctx, author);
    expect((await post(`/api/v1/posts/${postId}/like`, undefined, first)).statusCode).toBe(201);
    expect((await post(`/api/v1/posts/${postId}/like`, undefined, second)).statusCode).toBe(201);
    const [before] = await notificationsOf(t.ctx, author, 'post_like');
    expect(before).toMatchObject({ actor_count: 2, message: 'Eve Achieng and 1 other liked your memory' });

    // Both likes' jobs run again — the first one after the second like: without its receipt it would
    // count Dan a second time (the notification's newest actor is Eve).
    expect(await redeliver(t.ctx, 'notifications', 'post.liked', { postId })).toBe(2);

    const after = await notificationsOf(t.ctx, author, 'post_like');
    expect(after).toHaveLength(1);
    expect(after[0]).toMatchObject({ id: before!.id, actor_count: 2, message: 'Eve Achieng and 1 other liked your memory' });
    expect(await scalar<number>(t.ctx, sql`select count(*)::int from push_outbox where notification_id = ${before!.id}`)).toBe(1);
    expect(await receipts('post.liked')).toBeGreaterThanOrEqual(2);
  });

  it('a reply: the comment author and the post author are notified once each', async () => {
    const [author, commenter, replier] = [await makeUser(t.ctx), await makeUser(t.ctx), await makeUser(t.ctx)];
    await makeFriends(t.ctx, author, commenter);
    await makeFriends(t.ctx, author, replier);
    const postId = await makePost(t.ctx, author);
    const comment = await post(`/api/v1/posts/${postId}/comments`, { content: 'Well done' }, commenter);
    expect(comment.statusCode, comment.body).toBe(201);
    const reply = await post(`/api/v1/posts/${postId}/comments`, { content: 'Agreed', parent_comment_id: comment.json().id }, replier);
    expect(reply.statusCode, reply.body).toBe(201);

    expect(await redeliver(t.ctx, 'notifications', 'comment.replied', { postId })).toBe(1);
    expect(await redeliver(t.ctx, 'notifications', 'post.commented', { postId })).toBeGreaterThanOrEqual(1);

    expect((await notificationsOf(t.ctx, commenter, 'comment_reply')).length).toBe(1);
    expect((await notificationsOf(t.ctx, author, 'comment')).map((n) => n.related_user_id).sort()).toEqual([commenter.id, replier.id].sort());
  });

  it('a chat message: one push per recipient device', async () => {
    const [sender, reader] = [await makeUser(t.ctx, { fullName: 'Faith Muthoni' }), await makeUser(t.ctx)];
    await makeFriends(t.ctx, sender, reader);
    await device(reader);
    const conversation = await openConversation(t, sender, 'direct', [reader]);
    await sendMessage(t, sender, conversation.id, 'Morning run?');
    await t.ctx.bus.drain();
    expect(await pushes(reader, 'message')).toBe(1);

    expect(await redeliver(t.ctx, 'notifications', 'message.sent', { conversationId: conversation.id })).toBe(1);

    expect(await pushes(reader, 'message')).toBe(1);
    const rows = await queryRows<{ n: number }>(t.ctx.database.db, sql`select count(*)::int as n from notifications where user_id = ${reader.id} and notification_type = 'message'`);
    expect(rows[0]!.n).toBe(0);
  });
});
