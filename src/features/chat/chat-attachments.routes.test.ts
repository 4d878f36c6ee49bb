import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeFriends, makeUser, type TestUser } from '../../../test/factories.js';
import { createTestApp, type TestApp } from '../../../test/harness.js';
import { fixture, multipart, png } from '../../../test/media-samples.js';
import { expectSigned, fetchUrl, unsigned } from '../media/media.test-helpers.js';
import { imagePart as postImagePart, http as postsHttp } from '../posts/posts.test-helpers.js';
import { NO_RATE_LIMITS, openConversation, UNKNOWN_ID, type MessageJson } from './chat.test-helpers.js';

let t: TestApp;
let alice: TestUser;
let bob: TestUser;
let carol: TestUser;
let conversationId: string;

beforeAll(async () => {
  t = await createTestApp({ env: NO_RATE_LIMITS });
  [alice, bob, carol] = await Promise.all([makeUser(t.ctx), makeUser(t.ctx), makeUser(t.ctx)]);
  await makeFriends(t.ctx, alice, bob);
  await makeFriends(t.ctx, alice, carol);
  conversationId = (await openConversation(t, alice, 'direct', [bob])).id;
});
afterAll(async () => t?.close());

type Attachment = { media_url: string; media_thumbnail_url: string; media_type: string; width: number | null; height: number | null };

async function upload(who: TestUser | undefined, conversation: string, data?: Buffer, field = 'file') {
  const body = multipart(data ? [{ name: field, filename: 'a.png', contentType: 'image/png', data }] : [{ name: 'x', value: 'y' }]);
  return t.app.inject({
    method: 'POST',
    url: `/api/v1/conversations/${conversation}/attachments`,
    headers: { ...body.headers, ...(who ? who.auth : {}) },
    payload: body.payload,
  });
}

const send = (who: TestUser, payload: Record<string, unknown>) =>
  t.app.inject({ method: 'POST', url: `/api/v1/conversations/${conversationId}/messages`, headers: who.auth, payload });

describe('issue 14.3: chat attachments are private, served through short-lived signed URLs', () => {
  it('a participant uploads an image: 201 with signed URLs; sent as an image message, both participants get signed URLs that work', async () => {
    const res = await upload(alice, conversationId, await png(64, 48));
    expect(res.statusCode, res.body).toBe(201);
    const attachment = res.json<Attachment>();
    expect(attachment).toMatchObject({ media_type: 'image', width: 64, height: 48 });
    expectSigned(attachment.media_url);
    expectSigned(attachment.media_thumbnail_url);

    const sent = await send(alice, { message_type: 'image', media_url: attachment.media_url, content: 'look' });
    expect(sent.statusCode, sent.body).toBe(201);
    expectSigned(sent.json<MessageJson>().media_url);
    expectSigned(sent.json<MessageJson>().media_thumbnail_url);

    const listed = await t.app.inject({ method: 'GET', url: `/api/v1/conversations/${conversationId}/messages`, headers: bob.auth });
    const message = listed.json<{ messages: MessageJson[] }>().messages.find((m) => m.id === sent.json<MessageJson>().id)!;
    expectSigned(message.media_url);
    const served = await fetchUrl(t, String(message.media_url));
    expect(served.statusCode).toBe(200);
    expect(served.headers['cache-control']).toMatch(/^private, max-age=\d+$/);
    expect((await fetchUrl(t, String(message.media_thumbnail_url))).statusCode).toBe(200);
    expect((await fetchUrl(t, unsigned(String(message.media_url)))).statusCode).toBe(403);
  });

  it('a video attachment is accepted, with a thumbnail', async () => {
    const body = multipart([{ name: 'file', filename: 'v.mp4', contentType: 'video/mp4', data: fixture('tiny.mp4') }]);
    const res = await t.app.inject({
      method: 'POST',
      url: `/api/v1/conversations/${conversationId}/attachments`,
      headers: { ...body.headers, ...bob.auth },
      payload: body.payload,
    });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json<Attachment>().media_type).toBe('video');
    expectSigned(res.json<Attachment>().media_thumbnail_url);
  });

  it('a non-participant, an unknown conversation, no token, no file, not media: 404, 404, 401, 422, 415; nothing stored', async () => {
    const image = await png(32, 32);
    expect((await upload(carol, conversationId, image)).statusCode).toBe(404);
    expect((await upload(alice, UNKNOWN_ID, image)).statusCode).toBe(404);
    expect((await upload(undefined, conversationId, image)).statusCode).toBe(401);
    expect((await upload(alice, conversationId)).statusCode).toBe(422);
    expect((await upload(alice, conversationId, Buffer.from('not an image at all'))).statusCode).toBe(415);
    expect(existsSync(path.join(t.dataDir, 'media-private', 'chat', conversationId, carol.id))).toBe(false);
    expect(existsSync(path.join(t.dataDir, 'media-private', 'chat', UNKNOWN_ID))).toBe(false);
  });

  it('someone else’s attachment, another conversation’s, or a private post’s signed URL cannot be sent as media_url (422)', async () => {
    const bobs = (await upload(bob, conversationId, await png(20, 20))).json<Attachment>();
    expect((await send(alice, { message_type: 'image', media_url: bobs.media_url })).json()).toMatchObject({
      error: { code: 'invalid_media_url' },
    });
    const other = (await openConversation(t, alice, 'direct', [carol])).id;
    const elsewhere = (await upload(alice, other, await png(20, 20))).json<Attachment>();
    expect((await send(alice, { message_type: 'image', media_url: elsewhere.media_url })).statusCode).toBe(422);
    const post = (await postsHttp(() => t).postForm([await postImagePart(), { name: 'visibility', value: 'friends' }], carol)).json<{ media_url: string }>();
    expect((await send(alice, { message_type: 'image', media_url: post.media_url })).statusCode).toBe(422);
  });

  it('deleting the message deletes its attachment: the URL handed out before then 404s', async () => {
    const attachment = (await upload(alice, conversationId, await png(24, 24))).json<Attachment>();
    const sent = (await send(alice, { message_type: 'image', media_url: attachment.media_url })).json<MessageJson>();
    const url = String(sent.media_url);
    expect((await fetchUrl(t, url)).statusCode).toBe(200);
    const deleted = await t.app.inject({ method: 'DELETE', url: `/api/v1/conversations/${conversationId}/messages/${sent.id}`, headers: alice.auth });
    expect(deleted.statusCode).toBe(204);
    expect((await fetchUrl(t, url)).statusCode).toBe(404);
  });
});
