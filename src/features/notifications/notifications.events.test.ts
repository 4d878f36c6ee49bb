import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeClock } from '../../infra/clock/clock.js';
import { makeBlock, makeFriends, makeUser, type TestUser } from '../../../test/factories.js';
import { createTestApp, type TestApp } from '../../../test/harness.js';
import { makePost } from '../posts/posts.test-helpers.js';
import { clearNotifications, NO_RATE_LIMITS, notificationsOf as allNotificationsOf, setPreferences } from './notifications.test-helpers.js';
import { http } from '../../../test/http.js';
import { capture } from '../../../test/capture.js';

let t: TestApp;
const clock = new FakeClock('2026-04-01T10:00:00Z');
beforeAll(async () => {
  t = await createTestApp({
    env: { ...NO_RATE_LIMITS, ACCESS_TOKEN_EXPIRE_MINUTES: '1440' },
    clock,
    overrides: { pushDelivery: { kickOnEnqueue: false } },
  });
});
afterAll(async () => t.close());

const { post, put, del } = http(() => t);
type Users = [TestUser, TestUser, TestUser, TestUser, TestUser, ...TestUser[]];
/** `n` new users (destructure at most five by position), named after `names` where given. */
const users = async (n: number, names: string[] = []): Promise<Users> => {
  const out: TestUser[] = [];
  for (let i = 0; i < n; i++) out.push(await makeUser(t.ctx, names[i] ? { fullName: names[i] } : {}));
  return out as Users;
};
/** Notifications other than achievements (posting and befriending earn badges along the way). */
const notificationsOf = async (ctx: TestApp['ctx'], user: TestUser) =>
  (await allNotificationsOf(ctx, user)).filter((n) => n.notification_type !== 'achievement');
/** Friend requests from anyone (the default is friends of friends). */
const openToRequests = (u: TestUser) => put('/api/v1/settings/privacy', { who_can_send_friend_requests: 'everyone' }, u);

describe('friends and partners', () => {
  it('a friend request notifies the addressee (not the sender); accepting notifies the requester (not the accepter)', async () => {
    const [ann, ben] = await users(2, ['Ann Akinyi', 'Ben Otieno']);
    await openToRequests(ben);
    const sent = await post('/api/v1/friends/requests', { user_id: ben.id }, ann);
    expect(sent.statusCode, sent.body).toBe(201);
    const [request] = await notificationsOf(t.ctx, ben);
    expect(request).toMatchObject({
      notification_type: 'friend_request',
      title: 'New Friend Request',
      message: 'Ann Akinyi sent you a friend request',
      related_user_id: ann.id,
      action_url: `/users/${ann.id}`,
      icon_type: 'person_add',
      icon_color: '#4ECDC4',
      is_read: false,
    });
    expect(await notificationsOf(t.ctx, ann)).toEqual([]);

    expect((await put(`/api/v1/friends/requests/${sent.json().id}/accept`, undefined, ben)).statusCode).toBe(200);
    const [accepted] = await notificationsOf(t.ctx, ann);
    expect(accepted).toMatchObject({ notification_type: 'friend_accepted', message: 'Ben Otieno accepted your friend request', related_user_id: ben.id, action_url: `/users/${ben.id}` });
    expect((await notificationsOf(t.ctx, ben)).map((n) => n.notification_type)).toEqual(['friend_request']);
  });

  it('a cancelled friend request takes its notification away; friend_requests off creates none', async () => {
    const [ann, ben, cat] = await users(3);
    for (const u of [ben, cat]) await openToRequests(u);
    const sent = await post('/api/v1/friends/requests', { user_id: ben.id }, ann);
    expect(await notificationsOf(t.ctx, ben)).toHaveLength(1);
    expect((await del(`/api/v1/friends/requests/${sent.json().id}`, ann)).statusCode).toBe(204);
    expect(await notificationsOf(t.ctx, ben)).toEqual([]);

    await setPreferences(t.ctx, cat, { friendRequests: false });
    expect((await post('/api/v1/friends/requests', { user_id: cat.id }, ann)).statusCode).toBe(201);
    expect(await notificationsOf(t.ctx, cat)).toEqual([]);
  });

  it('a partner proposal notifies the friend; acceptance notifies the proposer; deep links to the partnership', async () => {
    const [ann, ben] = await users(2, ['Ann Akinyi', 'Ben Otieno']);
    await makeFriends(t.ctx, ann, ben);
    await clearNotifications(t.ctx, ann, ben);
    const proposed = await post('/api/v1/partners', { user_id: ben.id, check_in_frequency: 'daily' }, ann);
    expect(proposed.statusCode, proposed.body).toBe(201);
    const id = proposed.json().id as string;
    expect(await notificationsOf(t.ctx, ben)).toMatchObject([
      { notification_type: 'partner_request', message: 'Ann Akinyi wants to be your accountability partner (daily check-ins)', action_url: `/partners/${id}`, related_user_id: ann.id },
    ]);
    expect((await put(`/api/v1/partners/${id}/accept`, undefined, ben)).statusCode).toBe(200);
    expect(await notificationsOf(t.ctx, ann)).toMatchObject([
      { notification_type: 'partner_accepted', message: 'Ben Otieno is now your accountability partner', action_url: `/partners/${id}` },
    ]);
    expect(await notificationsOf(t.ctx, ben)).toHaveLength(1);
  });
});

describe('posts: likes, comments, replies', () => {
  it('comment → the post’s author; reply → the parent comment’s author (comment_reply) and the post’s author (comment); never the actor', async () => {
    const [author, cora, dan] = await users(3, ['Author', 'Cora Chebet', 'Dan Kamau']);
    await makeFriends(t.ctx, author, cora);
    await makeFriends(t.ctx, author, dan);
    await clearNotifications(t.ctx, author, cora, dan);
    const postId = await makePost(t.ctx, author);
    const comment = await post(`/api/v1/posts/${postId}/comments`, { content: 'Great run!' }, cora);
    expect(comment.statusCode, comment.body).toBe(201);
    const commentId = comment.json().id as string;
    expect(await notificationsOf(t.ctx, author)).toMatchObject([
      { notification_type: 'comment', message: 'Cora Chebet commented: “Great run!”', related_post_id: postId, related_comment_id: commentId, action_url: `/posts/${postId}`, related_user_id: cora.id },
    ]);

    clock.advance(1000);
    const reply = await post(`/api/v1/posts/${postId}/comments`, { content: 'Agreed', parent_comment_id: commentId }, dan);
    const replyId = reply.json().id as string;
    expect(await notificationsOf(t.ctx, cora)).toMatchObject([
      { notification_type: 'comment_reply', message: 'Dan Kamau replied to your comment: “Agreed”', related_comment_id: replyId, related_post_id: postId },
    ]);
    expect((await notificationsOf(t.ctx, author)).map((n) => n.related_comment_id)).toEqual([commentId, replyId]);

    // The author replying to a comment on their own post notifies the commenter only.
    await post(`/api/v1/posts/${postId}/comments`, { content: 'Thanks', parent_comment_id: commentId }, author);
    expect(await notificationsOf(t.ctx, author)).toHaveLength(2);
    expect(await notificationsOf(t.ctx, cora)).toHaveLength(2);
    expect(await notificationsOf(t.ctx, dan)).toEqual([]);
  });

  it('own likes and comments notify nobody; post_comments off stops comment notifications', async () => {
    const [author, friend] = await users(2);
    await makeFriends(t.ctx, author, friend);
    await clearNotifications(t.ctx, author, friend);
    const postId = await makePost(t.ctx, author);
    await post(`/api/v1/posts/${postId}/like`, undefined, author);
    await post(`/api/v1/posts/${postId}/comments`, { content: 'me' }, author);
    expect(await notificationsOf(t.ctx, author)).toEqual([]);
    await setPreferences(t.ctx, author, { postComments: false });
    await post(`/api/v1/posts/${postId}/comments`, { content: 'hi' }, friend);
    await post(`/api/v1/posts/${postId}/like`, undefined, friend);
    expect((await notificationsOf(t.ctx, author)).map((n) => n.notification_type)).toEqual(['post_like']);
  });

  it('likes within an hour collapse: "X and 3 others liked your memory", one row, unread again, the newest liker shown', async () => {
    const [author, a, b, c, d] = await users(5, ['Author', 'Amy', 'Bob', 'Cy', 'Alvin Amwata']);
    for (const u of [a, b, c, d]) await makeFriends(t.ctx, author, u);
    await clearNotifications(t.ctx, author, a, b, c, d);
    const postId = await makePost(t.ctx, author);
    const created = capture(t.ctx, 'notification.created');
    await post(`/api/v1/posts/${postId}/like`, undefined, a);
    const [first] = await notificationsOf(t.ctx, author);
    expect(first).toMatchObject({ notification_type: 'post_like', title: 'New Like', message: 'Amy liked your memory', actor_count: 1, related_post_id: postId, action_url: `/posts/${postId}` });
    await put(`/api/v1/notifications/${first?.id}/read`, undefined, author);

    clock.advance(10 * 60_000);
    await post(`/api/v1/posts/${postId}/like`, undefined, b);
    expect((await notificationsOf(t.ctx, author))[0]).toMatchObject({ id: first?.id, message: 'Bob and 1 other liked your memory', actor_count: 2, is_read: false });
    // The same liker again (unlike + like) is not another person.
    await del(`/api/v1/posts/${postId}/like`, b);
    await post(`/api/v1/posts/${postId}/like`, undefined, b);
    clock.advance(50 * 60_000);
    await post(`/api/v1/posts/${postId}/like`, undefined, c);
    await post(`/api/v1/posts/${postId}/like`, undefined, d);
    const rows = await notificationsOf(t.ctx, author);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ id: first?.id, message: 'Alvin Amwata and 3 others liked your memory', actor_count: 4, related_user_id: d.id });
    const likes = created.filter((e) => e.userId === author.id && e.notification.notification_type === 'post_like');
    expect(likes.map((e) => e.notification.message).at(-1)).toBe('Alvin Amwata and 3 others liked your memory');
    expect(likes.length).toBe(5);
    expect(likes.every((e) => e.notification.id === first?.id)).toBe(true);

    // More than an hour after the last like: a new notification.
    clock.advance(61 * 60_000);
    await del(`/api/v1/posts/${postId}/like`, a);
    await post(`/api/v1/posts/${postId}/like`, undefined, a);
    const after = await notificationsOf(t.ctx, author);
    expect(after.map((n) => [n.actor_count, n.message])).toEqual([
      [4, 'Alvin Amwata and 3 others liked your memory'],
      [1, 'Amy liked your memory'],
    ]);
  });

  it('concurrent likes by 20 people collapse into exactly one notification counting 20', async () => {
    const author = await makeUser(t.ctx);
    const likers = await users(20);
    for (const u of likers) await makeFriends(t.ctx, author, u);
    await clearNotifications(t.ctx, author, ...likers);
    const postId = await makePost(t.ctx, author);
    const results = await Promise.all(likers.map((u) => post(`/api/v1/posts/${postId}/like`, undefined, u)));
    expect(results.map((r) => r.statusCode)).toEqual(likers.map(() => 201));
    const rows = await notificationsOf(t.ctx, author);
    expect(rows).toHaveLength(1);
    expect(rows[0]?.actor_count).toBe(20);
    expect(rows[0]?.message).toMatch(/ and 19 others liked your memory$/);
  });

  it('post_likes off: no notification; blocked users never notify each other, and a block removes what was there', async () => {
    const [author, fan, quiet] = await users(3);
    await makeFriends(t.ctx, author, fan);
    await makeFriends(t.ctx, quiet, fan);
    await clearNotifications(t.ctx, author, fan, quiet);
    const postId = await makePost(t.ctx, author, { visibility: 'public' });
    await post(`/api/v1/posts/${postId}/like`, undefined, fan);
    expect(await notificationsOf(t.ctx, author)).toHaveLength(1);
    expect((await post('/api/v1/settings/blocked-users', { user_id: fan.id }, author)).statusCode).toBe(201);
    expect(await notificationsOf(t.ctx, author)).toEqual([]);

    // Events from a blocked user (e.g. in flight while the block happened) write nothing.
    await t.ctx.bus.publish(t.ctx.database.db, 'post.commented', {
      postId, postAuthorId: author.id, commentId: '00000000-0000-4000-8000-000000000001',
      commenter: { id: fan.id, username: fan.username, fullName: 'Fan', profileImageUrl: null }, excerpt: 'hi', at: clock.now().toISOString(),
    });
    expect(await notificationsOf(t.ctx, author)).toEqual([]);

    await setPreferences(t.ctx, quiet, { postLikes: false });
    const quietPost = await makePost(t.ctx, quiet);
    await post(`/api/v1/posts/${quietPost}/like`, undefined, fan);
    expect(await notificationsOf(t.ctx, quiet)).toEqual([]);
  });

  it('each new notification is published as notification.created with the plan’s notification.new fields', async () => {
    const [author, fan] = await users(2, ['Author', 'Fan Person']);
    await makeFriends(t.ctx, author, fan);
    await clearNotifications(t.ctx, author, fan);
    const created = capture(t.ctx, 'notification.created');
    const postId = await makePost(t.ctx, author);
    await post(`/api/v1/posts/${postId}/like`, undefined, fan);
    const [row] = await notificationsOf(t.ctx, author);
    expect(created.filter((e) => e.userId === author.id && e.notification.notification_type !== 'achievement')).toEqual([
      {
        userId: author.id,
        notification: {
          id: row?.id, title: 'New Like', message: 'Fan Person liked your memory', notification_type: 'post_like', image_url: null,
          icon_type: 'favorite', icon_color: '#FF6B6B', action_url: `/posts/${postId}`, actor_count: 1, created_at: clock.now().toISOString(),
        },
      },
    ]);
  });
});

describe('deactivated recipients', () => {
  it('a deactivated account gets no notifications', async () => {
    const [author, fan] = await users(2);
    await makeFriends(t.ctx, author, fan);
    await clearNotifications(t.ctx, author, fan);
    const postId = await makePost(t.ctx, author, { visibility: 'public' });
    await t.ctx.database.db.execute(sql`update users set is_active = false where id = ${author.id}`);
    await t.ctx.bus.publish(t.ctx.database.db, 'post.liked', { postId, postAuthorId: author.id, liker: { id: fan.id, username: fan.username, fullName: 'F', profileImageUrl: null }, at: clock.now().toISOString() });
    expect(await notificationsOf(t.ctx, author)).toEqual([]);
  });
});

describe('blocks between recipients and actors elsewhere', () => {
  it('a block with the actor in either direction stops the notification', async () => {
    const [a, b] = await users(2);
    await makeBlock(t.ctx, b, a);
    await t.ctx.bus.publish(t.ctx.database.db, 'friend.request_accepted', { requestId: '00000000-0000-4000-8000-000000000002', requesterId: b.id, accepterId: a.id });
    await t.ctx.bus.publish(t.ctx.database.db, 'friend.request_accepted', { requestId: '00000000-0000-4000-8000-000000000003', requesterId: a.id, accepterId: b.id });
    expect(await notificationsOf(t.ctx, a)).toEqual([]);
    expect(await notificationsOf(t.ctx, b)).toEqual([]);
  });
});
