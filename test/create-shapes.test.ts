/**
 * Issue 15.11: every create (201) and update answers the resource in the shape its GET shows, so
 * a client's model of a resource is one type. Each row creates or updates something through the
 * API and reads it back; the keys must be equal (a contribution adds the plan's `goal_progress`).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeFriends, makeUser, type TestUser } from './factories.js';
import { createTestApp, type TestApp } from './harness.js';
import { multipart, png } from './media-samples.js';

let t: TestApp;
let owner: TestUser;
let friend: TestUser;
let stranger: TestUser;

beforeAll(async () => {
  t = await createTestApp({ env: { RATE_LIMIT_ENABLED: 'false' } });
  [owner, friend, stranger] = [await makeUser(t.ctx), await makeUser(t.ctx), await makeUser(t.ctx)];
  await makeFriends(t.ctx, owner, friend);
});
afterAll(async () => t.close());

type Json = Record<string, unknown>;

async function call(method: 'GET' | 'POST' | 'PUT' | 'PATCH', url: string, who: TestUser, payload?: unknown, status?: number): Promise<Json> {
  const res = await t.app.inject({ method, url, headers: who.auth, ...(payload !== undefined ? { payload: payload as object } : {}) });
  expect(res.statusCode, `${method} ${url}: ${res.body}`).toBe(status ?? (method === 'POST' ? 201 : 200));
  return res.json<Json>();
}
const get = (url: string, who = owner) => call('GET', url, who);

async function image(): Promise<{ headers: Record<string, string>; payload: Buffer }> {
  return multipart([{ name: 'media', filename: 'a.png', contentType: 'image/png', data: await png(32, 32, false) }]);
}

async function newGoal(type: 'individual' | 'group' = 'group'): Promise<Json> {
  return call('POST', '/api/v1/goals', owner, { title: 'Save for a trip', goal_type: type, target_type: 'amount', target_amount: 1000 });
}

function byId(list: unknown, id: unknown): Json {
  const found = (list as Json[]).find((item) => item.id === id);
  expect(found, `no entry ${String(id)}`).toBeDefined();
  return found!;
}

const keys = (o: Json, without: string[] = []) => Object.keys(o).filter((k) => !without.includes(k)).sort();

/** One audited endpoint: what it answered, and the same resource as a GET shows it. */
interface Row {
  name: string;
  run(): Promise<{ written: Json; read: Json; extra?: string[]; readOnly?: string[] }>;
}

const rows: Row[] = [
  {
    name: 'POST /posts (JSON text post) ~ GET /posts/:postId',
    run: async () => {
      const written = await call('POST', '/api/v1/posts', owner, { caption: 'hello', visibility: 'friends' });
      return { written, read: await get(`/api/v1/posts/${String(written.id)}`) };
    },
  },
  {
    name: 'POST /posts (multipart photo) ~ GET /posts/:postId',
    run: async () => {
      const form = multipart([{ name: 'image', filename: 'a.png', contentType: 'image/png', data: await png(32, 32, false) }]);
      const res = await t.app.inject({ method: 'POST', url: '/api/v1/posts', headers: { ...owner.auth, ...form.headers }, payload: form.payload });
      expect(res.statusCode, res.body).toBe(201);
      const written = res.json<Json>();
      return { written, read: await get(`/api/v1/posts/${String(written.id)}`) };
    },
  },
  {
    name: 'PUT /posts/:postId ~ GET /posts/:postId',
    run: async () => {
      const { id } = await call('POST', '/api/v1/posts', owner, { caption: 'to edit' });
      const written = await call('PUT', `/api/v1/posts/${String(id)}`, owner, { caption: 'edited' });
      return { written, read: await get(`/api/v1/posts/${String(id)}`) };
    },
  },
  {
    name: 'POST /posts/:postId/comments (top level) ~ GET /posts/:postId/comments entry (which adds its first replies)',
    run: async () => {
      const { id } = await call('POST', '/api/v1/posts', owner, { caption: 'comment me' });
      const written = await call('POST', `/api/v1/posts/${String(id)}/comments`, friend, { content: 'nice' });
      const list = await get(`/api/v1/posts/${String(id)}/comments`, friend);
      return { written, read: byId(list.comments, written.id), readOnly: ['replies'] };
    },
  },
  {
    name: 'POST /posts/:postId/comments (reply) and PUT /posts/comments/:commentId ~ the entry of `replies`',
    run: async () => {
      const { id } = await call('POST', '/api/v1/posts', owner, { caption: 'thread' });
      const top = await call('POST', `/api/v1/posts/${String(id)}/comments`, friend, { content: 'first' });
      const reply = await call('POST', `/api/v1/posts/${String(id)}/comments`, owner, { content: 'reply', parent_comment_id: top.id });
      const edited = await call('PUT', `/api/v1/posts/comments/${String(reply.id)}`, owner, { content: 'reply, edited' });
      expect(keys(edited)).toEqual(keys(reply));
      const list = await get(`/api/v1/posts/${String(id)}/comments`, owner);
      return { written: reply, read: byId(byId(list.comments, top.id).replies, reply.id) };
    },
  },
  {
    name: 'POST /goals and PUT /goals/:goalId ~ GET /goals/:goalId',
    run: async () => {
      const created = await newGoal();
      const updated = await call('PUT', `/api/v1/goals/${String(created.id)}`, owner, { title: 'Save for a long trip' });
      expect(keys(updated)).toEqual(keys(created));
      return { written: created, read: await get(`/api/v1/goals/${String(created.id)}`) };
    },
  },
  {
    name: 'POST and PUT /goals/:goalId/milestones ~ the milestones of GET /goals/:goalId',
    run: async () => {
      const goal = await newGoal();
      const written = await call('POST', `/api/v1/goals/${String(goal.id)}/milestones`, owner, { title: 'Half way', target_value: 500 });
      const updated = await call('PUT', `/api/v1/goals/${String(goal.id)}/milestones/${String(written.id)}`, owner, { title: 'Half' });
      expect(keys(updated)).toEqual(keys(written));
      return { written, read: byId((await get(`/api/v1/goals/${String(goal.id)}`)).milestones, written.id) };
    },
  },
  {
    name: 'POST /goals/:goalId/participants ~ the participants of GET /goals/:goalId',
    run: async () => {
      const goal = await newGoal();
      const written = await call('POST', `/api/v1/goals/${String(goal.id)}/participants`, owner, { user_id: friend.id });
      const participants = (await get(`/api/v1/goals/${String(goal.id)}`)).participants as Json[];
      return { written, read: participants.find((p) => p.user_id === friend.id)! };
    },
  },
  {
    name: 'POST /goals/:goalId/contributions ~ GET /goals/:goalId/contributions entry (plus goal_progress)',
    run: async () => {
      const goal = await newGoal('individual');
      const written = await call('POST', `/api/v1/goals/${String(goal.id)}/contributions`, owner, { amount: 25.5, note: 'first' });
      const list = await get(`/api/v1/goals/${String(goal.id)}/contributions`);
      return { written, read: byId(list.contributions, written.id), extra: ['goal_progress'] };
    },
  },
  {
    name: 'POST and PUT /goals/:goalId/reminders ~ GET /goals/:goalId/reminders entry',
    run: async () => {
      const goal = await newGoal('individual');
      const written = await call('POST', `/api/v1/goals/${String(goal.id)}/reminders`, owner, { reminder_type: 'daily', reminder_time: '08:00' });
      const updated = await call('PUT', `/api/v1/goals/${String(goal.id)}/reminders/${String(written.id)}`, owner, { reminder_time: '09:30' });
      expect(keys(updated)).toEqual(keys(written));
      return { written, read: byId((await get(`/api/v1/goals/${String(goal.id)}/reminders`)).reminders, written.id) };
    },
  },
  {
    name: 'POST /stories ~ GET /stories/:storyId',
    run: async () => {
      const form = await image();
      const res = await t.app.inject({ method: 'POST', url: '/api/v1/stories', headers: { ...owner.auth, ...form.headers }, payload: form.payload });
      expect(res.statusCode, res.body).toBe(201);
      const written = res.json<Json>();
      return { written, read: await get(`/api/v1/stories/${String(written.id)}`) };
    },
  },
  {
    name: 'POST and PUT /conversations ~ GET /conversations/:conversationId',
    run: async () => {
      const written = await call('POST', '/api/v1/conversations', owner, { conversation_type: 'group', participant_ids: [friend.id], name: 'Trip' });
      const updated = await call('PUT', `/api/v1/conversations/${String(written.id)}`, owner, { name: 'Trip 2' });
      expect(keys(updated)).toEqual(keys(written));
      return { written, read: await get(`/api/v1/conversations/${String(written.id)}`) };
    },
  },
  {
    name: 'POST and PUT /conversations/:id/messages ~ GET /conversations/:id/messages entry',
    run: async () => {
      const conversation = await call('POST', '/api/v1/conversations', owner, { conversation_type: 'direct', participant_ids: [friend.id] }, undefined);
      const base = `/api/v1/conversations/${String(conversation.id)}/messages`;
      const written = await call('POST', base, owner, { content: 'hi' });
      const edited = await call('PUT', `${base}/${String(written.id)}`, owner, { content: 'hi!' });
      expect(keys(edited)).toEqual(keys(written));
      return { written, read: byId((await get(base)).messages, written.id) };
    },
  },
  {
    name: 'POST /partners ~ GET /partners/:partnershipId',
    run: async () => {
      const written = await call('POST', '/api/v1/partners', owner, { user_id: friend.id, check_in_frequency: 'weekly' });
      return { written, read: await get(`/api/v1/partners/${String(written.id)}`) };
    },
  },
  {
    name: 'POST /settings/blocked-users ~ GET /settings/blocked-users entry',
    run: async () => {
      const written = await call('POST', '/api/v1/settings/blocked-users', owner, { user_id: stranger.id });
      const list = (await get('/api/v1/settings/blocked-users')).blocked_users as Json[];
      return { written, read: list.find((b) => (b.user as Json).id === stranger.id)! };
    },
  },
  {
    name: 'PUT /users/me ~ GET /users/me',
    run: async () => {
      const written = await call('PUT', '/api/v1/users/me', owner, { bio: 'Saving up' });
      return { written, read: await get('/api/v1/users/me') };
    },
  },
  {
    name: 'POST /friends/requests ~ GET /friends/requests?direction=sent entry',
    run: async () => {
      const friendOfFriend = await makeUser(t.ctx);
      await makeFriends(t.ctx, friend, friendOfFriend);
      const written = await call('POST', '/api/v1/friends/requests', owner, { user_id: friendOfFriend.id });
      const sent = await get('/api/v1/friends/requests?direction=sent');
      return { written, read: byId(sent.requests, written.id) };
    },
  },
  {
    name: 'POST /friends/invite/{code} ~ GET /friends/requests?direction=sent entry',
    run: async () => {
      const inviter = await makeUser(t.ctx);
      const { code } = await call('GET', '/api/v1/friends/invite', inviter);
      const written = await call('POST', `/api/v1/friends/invite/${String(code)}`, owner, {});
      const sent = await get('/api/v1/friends/requests?direction=sent');
      return { written, read: byId(sent.requests, written.id) };
    },
  },
];

describe('issue 15.11: every audited create and update answers the keys its GET shows', () => {
  it.each(rows.map((row) => [row.name, row] as const))('%s', async (_name, row) => {
    const { written, read, extra = [], readOnly = [] } = await row.run();
    expect(keys(written, extra)).toEqual(keys(read, readOnly));
    for (const key of extra) expect(written).toHaveProperty(key);
  });
});
