/**
 * Scenario 1: an API process SIGKILLed the instant it answered 2xx to the last of a burst of
 * writes, with no worker running (the API only enqueues). Then a worker and a new API start; once
 * the queues have drained, every effect the acknowledged writes owe exists exactly once: the
 * verification mails, the notifications (friend requests and accepts, likes collapsed per post,
 * goal invites and contributions), a push-outbox row per notification and per chat message (every
 * user has a push token), the friends-inbox rows of each post, the goal chat's update messages, and
 * the recipient's catch-up log holding every message.
 */
import { call, Ledger, must, ok, register, type Reply, type User } from './client.js';
import { Effects } from './effects.js';
import { queueTrouble, waitForDrain } from './jobs-state.js';
import { TribeProcess } from './processes.js';
import { effectFailures, type Infra, type Run, type ScenarioResult } from './run.js';
import path from 'node:path';

const VERIFY_SUBJECT = 'Confirm your email for Tribe';

interface Post {
  id: string;
  author: User;
}

export async function apiKilledAfterAck(infra: Infra): Promise<{ result: ScenarioResult; run: Run }> {
  const since = new Date();
  const ledger = new Ledger();
  const first = await TribeProcess.api(infra.deployment);
  const base = first.base;

  // Six people; the hub befriends the other five, others[0] also befriends others[1].
  const users = await Promise.all(['hub', 'ann', 'ben', 'cat', 'dan', 'eve'].map((tag) => register(base, `s1${tag}`)));
  for (const u of users) ledger.record('register', u.email, 201);
  const [hub, ...others] = users as [User, ...User[]];
  for (const u of users) {
    const r = await call(base, 'POST', '/api/v1/notifications/push-tokens', u.token, { token: `fault-${u.id}`, device_type: 'android', device_id: 'drill' });
    if (!ok(r)) throw new Error(`push token: ${r.status}`);
  }
  const pairs: Array<[User, User]> = [...others.map((o): [User, User] => [hub, o]), [others[0]!, others[1]!]];
  const requests = await Promise.all(
    pairs.map(async ([from, to]) => {
      const r = await call<{ id: string }>(base, 'POST', '/api/v1/friends/requests', from.token, { user_id: to.id });
      ledger.record('friend request', `${from.id}>${to.id}`, r.status);
      if (!ok(r)) throw new Error(`friend request: ${r.status} ${JSON.stringify(r.body)}`);
      return { from, to, r };
    }),
  );
  const friendships = await Promise.all(
    requests
      .filter((q) => ok(q.r))
      .map(async ({ from, to, r }) => {
        const a = await call(base, 'PUT', `/api/v1/friends/requests/${r.body.id}/accept`, to.token);
        ledger.record('friend accept', `${from.id}>${to.id}`, a.status);
        if (!ok(a)) throw new Error(`friend accept: ${a.status} ${JSON.stringify(a.body)}`);
        return ok(a) ? [from, to] : undefined;
      }),
  );
  const friendsOf = (u: User): User[] =>
    friendships.flatMap((f): User[] => {
      if (!f) return [];
      const [x, y] = f as [User, User];
      return x.id === u.id ? [y] : y.id === u.id ? [x] : [];
    });

  // A group goal of the hub with two friends; a direct conversation of the hub with others[0].
  const goal = await call<{ id: string }>(base, 'POST', '/api/v1/goals', hub.token, {
    title: 'Run a marathon together',
    goal_type: 'group',
    target_type: 'amount',
    target_amount: 100,
    participant_ids: [others[0]!.id, others[1]!.id],
  });
  ledger.record('group goal', goal.body.id, goal.status);
  const conversation = await must<{ id: string }>(base, 'POST', '/api/v1/conversations', hub.token, {
    conversation_type: 'direct',
    participant_ids: [others[0]!.id],
  });

  // Posts: three by the hub, one by others[0].
  const posts: Post[] = [];
  for (const [i, author] of [hub, hub, hub, others[0]!].entries()) {
    const r = await call<{ id: string }>(base, 'POST', '/api/v1/posts', author.token, { caption: `fault drill post ${i}`, visibility: 'friends' });
    ledger.record('post', r.body.id ?? `post ${i}`, r.status);
    if (ok(r)) posts.push({ id: r.body.id, author });
  }

  // The burst the process dies after: likes, goal check-ins, chat messages, all at once.
  type Write = { kind: string; key: string; run: () => Promise<Reply<{ id?: string }>> };
  const writes: Write[] = [];
  const likes: Array<{ post: Post; liker: User }> = [];
  for (const post of posts) {
    for (const liker of friendsOf(post.author)) {
      likes.push({ post, liker });
      writes.push({ kind: 'like', key: `${post.id}<${liker.id}`, run: () => call(base, 'POST', `/api/v1/posts/${post.id}/like`, liker.token) });
    }
  }
  const contributions: string[] = [];
  for (let i = 0; i < 2; i++) {
    writes.push({
      kind: 'goal check-in',
      key: `checkin ${i}`,
      run: async () => {
        const r = await call<{ id: string }>(base, 'POST', `/api/v1/goals/${goal.body.id}/contributions`, others[0]!.token, { contribution_type: 'checkin', note: `day ${i}` });
        if (ok(r)) contributions.push(r.body.id);
        return r;
      },
    });
  }
  const messages: Array<{ id: string; from: User; to: User }> = [];
  for (let i = 0; i < 12; i++) {
    const [from, to] = i % 4 === 3 ? [others[0]!, hub] : [hub, others[0]!];
    writes.push({
      kind: 'message',
      key: `s1-${i}`,
      run: async () => {
        const r = await call<{ id: string }>(base, 'POST', `/api/v1/conversations/${conversation.id}/messages`, from.token, { content: `drill ${i}`, client_message_id: `s1-${i}` });
        if (ok(r)) messages.push({ id: r.body.id, from, to });
        return r;
      },
    });
  }
  let pending = writes.length;
  let killedAt = 0;
  await Promise.all(
    writes.map(async (w) => {
      const r = await w.run();
      ledger.record(w.kind, w.key, r.status);
      // The instant the last answer arrives: no drain, no after-commit work finished.
      if (--pending === 0) {
        first.child.kill('SIGKILL');
        killedAt = performance.now();
      }
    }),
  );
  const exit = await first.exited;

  // Recovery: a worker and a new API.
  const [worker, api] = await Promise.all([TribeProcess.worker(infra.deployment), TribeProcess.api(infra.deployment)]);
  const drain = await waitForDrain(infra.db);
  const recoveredSeconds = (performance.now() - killedAt) / 1000;

  // What the acknowledged writes owe.
  const fx = new Effects(infra.db, path.join(infra.deployment.dataDir, 'mail'));
  for (const u of users) fx.owe('verification mail', u.email, 1, fx.mails(u.email, VERIFY_SUBJECT));
  for (const e of ledger.acked('friend request')) {
    const [from, to] = e.key.split('>') as [string, string];
    fx.owe('friend_request notification', e.key, 1, fx.notification(to, 'friend_request', { user: from }));
  }
  for (const e of ledger.acked('friend accept')) {
    const [from, to] = e.key.split('>') as [string, string];
    fx.owe('friend_accepted notification', e.key, 1, fx.notification(from, 'friend_accepted', { user: to }));
  }
  if (ok(goal)) {
    fx.owe('goal chat conversation', goal.body.id, 1, fx.rows('conversations', 'goal_id = $1', [goal.body.id]));
    for (const member of [others[0]!, others[1]!]) fx.owe('goal_invite notification', member.id, 1, fx.notification(member.id, 'goal_invite', { user: hub.id, goal: goal.body.id }));
    // Each check-in of others[0] notifies the hub and others[1], and posts one update in the goal chat.
    for (const member of [hub, others[1]!]) {
      fx.owe('goal_contribution notification', member.id, contributions.length, fx.rows('notifications', `user_id = $1 and notification_type = 'goal_contribution' and related_goal_id = $2`, [member.id, goal.body.id]));
    }
    for (const id of contributions) fx.owe('goal chat update message', id, 1, fx.rows('messages', `metadata->>'contribution_id' = $1`, [id]));
  }
  for (const post of posts) {
    for (const friend of friendsOf(post.author)) {
      fx.owe('friends-inbox row', `${friend.id}/${post.id}`, 1, fx.rows('friends_inbox', 'user_id = $1 and post_id = $2', [friend.id, post.id]));
    }
  }
  const likedPosts = new Map<string, { post: Post; likers: Set<string> }>();
  for (const e of ledger.acked('like')) {
    const like = likes.find((l) => `${l.post.id}<${l.liker.id}` === e.key)!;
    const entry = likedPosts.get(like.post.id) ?? { post: like.post, likers: new Set() };
    entry.likers.add(like.liker.id);
    likedPosts.set(like.post.id, entry);
  }
  for (const { post, likers } of likedPosts.values()) {
    // Likes of one post collapse into one notification counting the likers.
    fx.owe('post_like notification (collapsed)', post.id, 1, fx.rows('notifications', `user_id = $1 and notification_type = 'post_like' and related_post_id = $2`, [post.author.id, post.id]));
    fx.owe('post_like actor_count = likers', post.id, 1, fx.rows('notifications', `user_id = $1 and notification_type = 'post_like' and related_post_id = $2 and actor_count = $3`, [post.author.id, post.id, likers.size]));
  }
  for (const m of messages) {
    fx.owe('message push_outbox row', m.id, 1, fx.rows('push_outbox', `user_id = $1 and payload->'data'->>'message_id' = $2`, [m.to.id, m.id]));
  }
  // Every notification of these users (each has one push token, every preference on) owes one push.
  const { rows: notes } = await infra.db.query<{ id: string; t: string }>(
    `select id, notification_type as t from notifications where user_id = any($1::uuid[])`,
    [users.map((u) => u.id)],
  );
  for (const n of notes) fx.owe('notification push_outbox row', `${n.t} ${n.id}`, 1, fx.rows('push_outbox', 'notification_id = $1', [n.id]));
  // Any other notification twice (achievements included): same recipient, type, subject and text.
  const { rows: twice } = await infra.db.query<{ t: string; title: string; message: string; c: number }>(
    `select notification_type as t, title, message, count(*)::int as c from notifications
     where user_id = any($1::uuid[]) and notification_type <> 'goal_contribution'
     group by user_id, notification_type, related_user_id, related_post_id, related_goal_id, related_comment_id, collapse_key, title, message
     having count(*) > 1`,
    [users.map((u) => u.id)],
  );
  fx.owe('notifications twice (any type)', 'none', 0, async () => 0);
  for (const g of twice) fx.owe('notifications twice (any type)', `${g.t} “${g.message}”`, 0, async () => g.c - 1);
  // The recipient's catch-up log: every acknowledged message to them, once.
  const catchUp = await must<{ events: Array<{ event: string; message?: { id: string } }>; resync_required: boolean }>(
    api.base,
    'GET',
    '/api/v1/realtime/events?since=0',
    others[0]!.token,
  );
  for (const m of messages.filter((x) => x.to.id === others[0]!.id)) {
    fx.owe('catch-up message.new (recipient)', m.id, 1, async () => catchUp.events.filter((e) => e.event === 'message.new' && e.message?.id === m.id).length);
  }
  const effects = await fx.verify();
  const trouble = await queueTrouble(infra.db, since);
  const failures = effectFailures(effects);
  if (!drain.drained) failures.push(`queues not drained: ${drain.open.join(', ')}`);
  if (exit.signal !== 'SIGKILL') failures.push(`the API exited ${exit.code ?? exit.signal}, not by SIGKILL`);
  if (catchUp.resync_required) failures.push('catch-up answered resync_required: true');
  if (trouble.failed + trouble.dead > 0) failures.push(`jobs failed for good: ${trouble.failed} (+${trouble.dead} dead letters): ${trouble.errors.join(' | ')}`);
  return {
    result: {
      name: '1. API SIGKILLed right after 2xx (no worker running)',
      acked: ledger.summary(),
      effects,
      figures: {
        'writes acknowledged': ledger.acked().length,
        'writes refused (not 2xx)': ledger.entries.length - ledger.acked().length,
        'effects owed': effects.reduce((s, r) => s + r.owed, 0),
        'effects found (distinct)': effects.reduce((s, r) => s + r.found - r.duplicates, 0),
        duplicates: effects.reduce((s, r) => s + r.duplicates, 0),
        'jobs retried': trouble.retried,
        'queues drained (s after the worker was ready)': drain.drained ? (drain.ms / 1000).toFixed(1) : `not within ${drain.ms / 1000} s`,
        'all effects present (s after the kill)': recoveredSeconds.toFixed(1),
      },
      failures,
    },
    run: { ...infra, api, workers: [worker], hub, others, conversationId: conversation.id },
  };
}
