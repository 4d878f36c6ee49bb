import { sql } from 'drizzle-orm';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countRows, makeFriends, makeUser, type TestUser } from '../../test/factories.js';
import { createTestApp, type TestApp } from '../../test/harness.js';
import { multipart } from '../../test/media-samples.js';
import { queryRows } from '../infra/db/rows.js';

let t: TestApp;
let alice: TestUser;
let bob: TestUser;
let carol: TestUser;
let postId: string;
let goalId: string;
let conversationId: string;

const NUL = '\u0000';
const json = (method: 'GET' | 'POST' | 'PUT', url: string, payload?: object, who?: TestUser) =>
  t.app.inject({ method, url, headers: who ? who.auth : {}, ...(payload ? { payload } : {}) });
const one = async (query: ReturnType<typeof sql>) => (await queryRows<Record<string, unknown>>(t.ctx.database.db, query))[0];

beforeAll(async () => {
  t = await createTestApp({ env: { RATE_LIMIT_ENABLED: 'false' } });
  [alice, bob, carol] = await Promise.all([makeUser(t.ctx), makeUser(t.ctx), makeUser(t.ctx)]);
  await makeFriends(t.ctx, alice, bob);
  postId = (await t.ctx.services.posts.create(alice.id, { caption: 'Hello', goalId: null, visibility: 'public' })).id;
  const goal = await json('POST', '/api/v1/goals', { title: 'Run', goal_type: 'individual', target_type: 'milestone' }, alice);
  expect(goal.statusCode, goal.body).toBe(201);
  goalId = goal.json<{ id: string }>().id;
  const conversation = await json('POST', '/api/v1/conversations', { conversation_type: 'direct', participant_ids: [bob.id] }, alice);
  expect([200, 201], conversation.body).toContain(conversation.statusCode);
  conversationId = conversation.json<{ id: string }>().id;
});
afterAll(async () => t?.close());

interface Case {
  name: string;
  /** The field the 422 must name. */
  field: string;
  send(): Promise<LightMyRequestResponse>;
  /** A snapshot of what the request could have written; must not change. */
  written(): Promise<unknown>;
}

const cases: Case[] = [
  {
    name: 'POST /auth/register full_name',
    field: 'full_name',
    send: () =>
      json('POST', '/api/v1/auth/register', {
        email: 'nul-register@example.com',
        username: 'nul_register',
        full_name: `Eve${NUL}`,
        password: 'SecurePass123!',
        confirm_password: 'SecurePass123!',
      }),
    written: () => countRows(t.ctx, 'users'),
  },
  {
    name: 'PUT /users/me bio',
    field: 'bio',
    send: () => json('PUT', '/api/v1/users/me', { bio: `hi${NUL}` }, alice),
    written: () => one(sql`select bio, full_name from users where id = ${alice.id}`),
  },
  {
    name: 'PUT /users/me full_name',
    field: 'full_name',
    send: () => json('PUT', '/api/v1/users/me', { full_name: `Alice${NUL}` }, alice),
    written: () => one(sql`select bio, full_name from users where id = ${alice.id}`),
  },
  {
    name: 'POST /goals title',
    field: 'title',
    send: () => json('POST', '/api/v1/goals', { title: `Run${NUL}`, goal_type: 'individual', target_type: 'milestone' }, alice),
    written: () => countRows(t.ctx, 'goals'),
  },
  {
    name: 'PUT /goals/:id description',
    field: 'description',
    send: () => json('PUT', `/api/v1/goals/${goalId}`, { description: `far${NUL}` }, alice),
    written: () => one(sql`select title, description from goals where id = ${goalId}`),
  },
  {
    name: 'GET /goals category',
    field: 'category',
    send: () => json('GET', '/api/v1/goals?category=%00', undefined, alice),
    written: () => countRows(t.ctx, 'goals'),
  },
  {
    name: 'POST /goals/:id/milestones title',
    field: 'title',
    send: () => json('POST', `/api/v1/goals/${goalId}/milestones`, { title: `Half${NUL}` }, alice),
    written: () => countRows(t.ctx, 'goal_milestones'),
  },
  {
    name: 'POST /goals/:id/contributions note',
    field: 'note',
    send: () => json('POST', `/api/v1/goals/${goalId}/contributions`, { contribution_type: 'checkin', note: `ran${NUL}` }, alice),
    written: () => countRows(t.ctx, 'goal_contributions'),
  },
  {
    name: 'POST /posts/:id/comments content',
    field: 'content',
    send: () => json('POST', `/api/v1/posts/${postId}/comments`, { content: `nice${NUL}` }, bob),
    written: () => countRows(t.ctx, 'post_comments'),
  },
  {
    name: 'PUT /posts/:id caption',
    field: 'caption',
    send: () => json('PUT', `/api/v1/posts/${postId}`, { caption: `edited${NUL}` }, alice),
    written: () => one(sql`select caption from posts where id = ${postId}`),
  },
  {
    name: 'POST /posts (multipart) caption',
    field: 'caption',
    send: () => {
      const body = multipart([{ name: 'caption', value: `text post${NUL}` }]);
      return t.app.inject({ method: 'POST', url: '/api/v1/posts', headers: { ...alice.auth, ...body.headers }, payload: body.payload });
    },
    written: () => countRows(t.ctx, 'posts'),
  },
  {
    name: 'POST /settings/blocked-users reason',
    field: 'reason',
    send: () => json('POST', '/api/v1/settings/blocked-users', { user_id: carol.id, reason: `spam${NUL}` }, alice),
    written: () => countRows(t.ctx, 'blocked_users'),
  },
  {
    name: 'POST /auth/login email',
    field: 'email',
    send: () => json('POST', '/api/v1/auth/login', { email: `${alice.email}${NUL}`, password: alice.password }),
    written: () => countRows(t.ctx, 'refresh_tokens'),
  },
  {
    name: 'POST /auth/login device_info.device_name',
    field: 'device_info.device_name',
    send: () => json('POST', '/api/v1/auth/login', { email: alice.email, password: alice.password, device_info: { device_name: `Pixel${NUL}` } }),
    written: () => countRows(t.ctx, 'refresh_tokens'),
  },
  {
    name: 'POST /auth/forgot-password email',
    field: 'email',
    send: () => json('POST', '/api/v1/auth/forgot-password', { email: `${alice.email}${NUL}` }),
    written: () => countRows(t.ctx, 'password_reset_tokens'),
  },
  {
    name: 'GET /friends/search q',
    field: 'q',
    send: () => json('GET', '/api/v1/friends/search?q=%00', undefined, alice),
    written: () => countRows(t.ctx, 'friendships'),
  },
  {
    name: 'POST /conversations/:id/messages content',
    field: 'content',
    send: () => json('POST', `/api/v1/conversations/${conversationId}/messages`, { content: `hi${NUL}` }, alice),
    written: () => countRows(t.ctx, 'messages'),
  },
  {
    name: 'POST /notifications/push-tokens device_id',
    field: 'device_id',
    send: () => json('POST', '/api/v1/notifications/push-tokens', { token: 'fcm-token-0123456789', device_type: 'android', device_id: `d${NUL}` }, alice),
    written: () => countRows(t.ctx, 'push_tokens'),
  },
];

describe('issue 14.5: NUL bytes → 422, and no query parameters in the error log', () => {
  it.each(cases)('$name with a NUL → 422 validation_failed naming the field, nothing written', async (c) => {
    const before = await c.written();
    const res = await c.send();
    expect(res.statusCode, res.body).toBe(422);
    const { error } = res.json<{ error: { code: string; details: Array<{ field?: string; message: string }> } }>();
    expect(error.code).toBe('validation_failed');
    expect(error.details.map((d) => d.field)).toContain(c.field);
    await t.ctx.bus.drain();
    expect(await c.written()).toEqual(before);
  });

  it('multi-line text keeps tab and line breaks; one-line text refuses them, and DEL anywhere', async () => {
    const multi = await json('PUT', '/api/v1/users/me', { bio: 'line one\r\nline\ttwo' }, alice);
    expect(multi.statusCode, multi.body).toBe(200);
    expect(multi.json<{ bio: string }>().bio).toBe('line one\r\nline\ttwo');
    for (const full_name of ['Alice\tSmith', 'Alice\nSmith', 'Alice\u007fSmith', 'Alice\u001bSmith']) {
      const res = await json('PUT', '/api/v1/users/me', { full_name }, alice);
      expect(res.statusCode, full_name).toBe(422);
      expect(res.json().error.details[0]).toMatchObject({ field: 'full_name', message: expect.stringContaining('control characters') });
    }
    const del = await json('PUT', '/api/v1/users/me', { bio: 'bio\u007f' }, alice);
    expect(del.statusCode).toBe(422);
  });
});
