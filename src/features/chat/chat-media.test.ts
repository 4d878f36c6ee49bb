import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countRows, makeFriends, makeUser, type TestUser } from '../../../test/factories.js';
import { createTestApp, type TestApp } from '../../../test/harness.js';
import { fixture, multipart, png } from '../../../test/media-samples.js';
import { expectPublic, expectSigned, fetchUrl } from '../media/media.test-helpers.js';
import { imagePart, http as postsHttp } from '../posts/posts.test-helpers.js';
import { countWhere, NO_RATE_LIMITS, openConversation, type ConversationJson, type MessageJson } from './chat.test-helpers.js';

let t: TestApp;
let alice: TestUser;
let bob: TestUser;
let group: ConversationJson;

beforeAll(async () => {
  t = await createTestApp({ env: NO_RATE_LIMITS });
  [alice, bob] = await Promise.all([makeUser(t.ctx), makeUser(t.ctx)]);
  await makeFriends(t.ctx, alice, bob);
  group = await openConversation(t, alice, 'group', [bob], { name: 'Runners' });
});
afterAll(async () => t?.close());

async function postFile(who: TestUser, url: string, field: string, data: Buffer, type = 'image/png') {
  const body = multipart([{ name: field, filename: type === 'video/mp4' ? 'clip.mp4' : 'a.png', contentType: type, data }]);
  const method = url.endsWith('-image') ? 'PATCH' : 'POST';
  const res = await t.app.inject({ method, url, headers: { ...body.headers, ...who.auth }, payload: body.payload });
  expect([200, 201], res.body).toContain(res.statusCode);
  return res.json<Record<string, string>>();
}
const attach = async (who: TestUser, data?: Buffer, type?: string) =>
  (await postFile(who, `/api/v1/conversations/${group.id}/attachments`, 'file', data ?? (await png(20, 20)), type)).media_url!;
const profileImage = async (who: TestUser) => (await postFile(who, '/api/v1/users/me/profile-image', 'image', await png(40, 40))).profile_image_url!;
async function publicPostImage(who: TestUser): Promise<string> {
  const res = await postsHttp(() => t).postForm([await imagePart(), { name: 'visibility', value: 'public' }], who);
  expect(res.statusCode, res.body).toBe(201);
  return res.json<{ media_url: string }>().media_url;
}

const send = (who: TestUser, payload: Record<string, unknown>) =>
  t.app.inject({ method: 'POST', url: `/api/v1/conversations/${group.id}/messages`, headers: who.auth, payload });
const setImage = (who: TestUser, imageUrl: string | null) =>
  t.app.inject({ method: 'PUT', url: `/api/v1/conversations/${group.id}`, headers: who.auth, payload: { image_url: imageUrl } });
const storedImage = async () =>
  ((await t.ctx.database.db.execute(sql`select image_url from conversations where id = ${group.id}`)) as unknown as { rows: Array<{ image_url: string | null }> })
    .rows[0]!.image_url;

describe("issue 14.9: chat media must be the sender's upload", () => {
  it('media_url of another host (a tracker), or of someone else’s public image or post: 422 invalid_media_url, nothing written', async () => {
    const outside = ['https://tracker.example/pixel.gif?u=1', 'http://127.0.0.1:9/x.jpg', `${new URL(await profileImage(bob)).origin}/media/elsewhere/x.jpg`];
    const othersMedia = [await profileImage(bob), await publicPostImage(bob)];
    const before = await countRows(t.ctx, 'messages');
    for (const mediaUrl of [...outside, ...othersMedia]) {
      const res = await send(alice, { message_type: 'image', media_url: mediaUrl, client_message_id: mediaUrl.slice(-60) });
      expect(res.statusCode, mediaUrl).toBe(422);
      expect(res.json().error).toMatchObject({ code: 'invalid_media_url', details: [{ field: 'media_url' }] });
    }
    // An audio or file message has no upload route, so no URL is the sender's.
    expect((await send(alice, { message_type: 'file', media_url: 'https://files.example/a.pdf' })).statusCode).toBe(422);
    expect(await countRows(t.ctx, 'messages')).toBe(before);
  });

  it('the sender’s own attachment is accepted and comes back signed; their own profile picture and public post image are kept as they are', async () => {
    const attached = await send(alice, { message_type: 'image', media_url: await attach(alice) });
    expect(attached.statusCode, attached.body).toBe(201);
    expectSigned(attached.json<MessageJson>().media_url);
    for (const own of [await profileImage(alice), await publicPostImage(alice)]) {
      const res = await send(alice, { message_type: 'image', media_url: own });
      expect(res.statusCode, res.body).toBe(201);
      expect(res.json<MessageJson>().media_url).toBe(own);
      expectPublic(own);
    }
  });

  it('a new group’s image_url cannot name an outside image (422, no conversation written); the creator’s own profile picture can', async () => {
    const before = await countRows(t.ctx, 'conversations');
    const refused = await t.app.inject({
      method: 'POST',
      url: '/api/v1/conversations',
      headers: alice.auth,
      payload: { conversation_type: 'group', participant_ids: [bob.id], name: 'X', image_url: 'https://tracker.example/g.jpg' },
    });
    expect(refused.statusCode).toBe(422);
    expect(refused.json().error).toMatchObject({ code: 'invalid_media_url', details: [{ field: 'image_url' }] });
    expect(await countRows(t.ctx, 'conversations')).toBe(before);
    const avatar = await profileImage(alice);
    const created = await openConversation(t, alice, 'group', [bob], { name: 'Y', image_url: avatar });
    expect(created.image_url).toBe(avatar);
  });

  it('PUT image_url: an outside URL, another member’s attachment or a video → 422 and the image is unchanged; the admin’s own image attachment is stored and shown signed to members', async () => {
    const video = await attach(alice, fixture('tiny.mp4'), 'video/mp4');
    for (const imageUrl of ['https://tracker.example/g.jpg', await attach(bob), video]) {
      const res = await setImage(alice, imageUrl);
      expect(res.statusCode, imageUrl).toBe(422);
      expect(res.json().error.code).toBe('invalid_media_url');
    }
    expect(await storedImage()).toBeNull();
    expect(await countWhere(t.ctx, sql`select count(*) from messages where conversation_id = ${group.id} and content like '%group image%'`)).toBe(0);

    const ok = await setImage(alice, await attach(alice));
    expect(ok.statusCode, ok.body).toBe(200);
    expectSigned(ok.json<ConversationJson>().image_url);
    expect(await storedImage()).toMatch(/^private\/chat\//);
    const seenByBob = await t.app.inject({ method: 'GET', url: `/api/v1/conversations/${group.id}`, headers: bob.auth });
    const bobsUrl = seenByBob.json<ConversationJson>().image_url;
    expectSigned(bobsUrl);
    expect((await fetchUrl(t, String(bobsUrl))).statusCode).toBe(200);
    const listed = await t.app.inject({ method: 'GET', url: '/api/v1/conversations', headers: bob.auth });
    expectSigned(listed.json<{ conversations: ConversationJson[] }>().conversations.find((c) => c.id === group.id)?.image_url);
  });
});
