/**
 * The load generator of `npm run bench:writes` (scripts/bench-writes.ts), run as a child process
 * (`fork`) so autocannon shares neither the event loop nor the CPU accounting of the processes it
 * measures. The parent sends one WriteLoadRequest over IPC; this process drives the server closed
 * loop (a fixed number of connections, each sending its next request when the previous answered)
 * for the given seconds and answers with WriteLoadFigures, then exits.
 */
import { randomUUID } from 'node:crypto';
import autocannon from 'autocannon';

/** A signed-in bench user: the bearer token and what it may write to. */
export interface BenchActor {
  auth: string;
  /** Direct conversations the user is a member of (chat sends). */
  conversationIds: string[];
  /** Posts the user may see and like (their friends'). */
  likeablePostIds: string[];
}

export type WriteClass = 'send' | 'like' | 'post';

export interface WriteLoadRequest {
  url: string;
  connections: number;
  seconds: number;
  kind: WriteClass;
  actors: BenchActor[];
}

export interface WriteLoadFigures {
  rps: number;
  p50: number;
  p99: number;
  max: number;
  total: number;
  non2xx: number;
  errors: number;
  /** Responses by status code. */
  statusCodes: Record<string, number>;
  /** CPU milliseconds this process used for the run (not one of the measured parties). */
  cpuMs: number;
}

const json = { 'content-type': 'application/json' };
const pick = <T>(items: T[]): T => items[Math.floor(Math.random() * items.length)]!;

/**
 * The requests one connection repeats. Like/unlike: each connection is one user (assigned in turn
 * on its first request, so two connections never toggle the same like), liking a random friend's post
 * then removing that like. Sends and posts: a random user per request.
 */
function requestsOf(req: WriteLoadRequest): autocannon.Request[] {
  let next = 0;
  // autocannon keeps one context object per connection.
  type Connection = { actor?: BenchActor; postId?: string };
  const actorOf = (context: object): BenchActor => {
    const c = context as Connection;
    c.actor ??= req.actors[next++ % req.actors.length]!;
    return c.actor;
  };
  switch (req.kind) {
    case 'send':
      return [
        {
          method: 'POST',
          setupRequest: (r) => {
            const actor = pick(req.actors);
            return {
              ...r,
              path: `/api/v1/conversations/${pick(actor.conversationIds)}/messages`,
              headers: { ...r.headers, ...json, authorization: actor.auth },
              body: JSON.stringify({ content: 'a bench message, about as long as a chat line', client_message_id: randomUUID() }),
            };
          },
        },
      ];
    case 'like':
      return [
        {
          method: 'POST',
          setupRequest: (r, context) => {
            const actor = actorOf(context);
            const postId = pick(actor.likeablePostIds);
            (context as Connection).postId = postId;
            return { ...r, path: `/api/v1/posts/${postId}/like`, headers: { ...r.headers, authorization: actor.auth } };
          },
        },
        {
          method: 'DELETE',
          setupRequest: (r, context) => {
            const actor = actorOf(context);
            return { ...r, path: `/api/v1/posts/${String((context as Connection).postId)}/like`, headers: { ...r.headers, authorization: actor.auth } };
          },
        },
      ];
    case 'post':
      return [
        {
          method: 'POST',
          setupRequest: (r) => ({
            ...r,
            path: '/api/v1/posts',
            headers: { ...r.headers, ...json, authorization: pick(req.actors).auth },
            body: JSON.stringify({ caption: `a bench post ${randomUUID()}`, visibility: 'friends' }),
          }),
        },
      ];
  }
}

async function drive(req: WriteLoadRequest): Promise<WriteLoadFigures> {
  const cpuStart = process.cpuUsage();
  const times: number[] = [];
  const statusCodes: Record<string, number> = {};
  let instance: autocannon.Instance | undefined;
  const done = new Promise<autocannon.Result>((resolve, reject) => {
    instance = autocannon(
      { url: req.url, connections: req.connections, duration: req.seconds, timeout: 30, requests: requestsOf(req) },
      (err, res) => (err ? reject(err instanceof Error ? err : new Error(String(err))) : resolve(res)),
    );
  });
  instance?.on('response', (_client, status, _bytes, responseTime) => {
    times.push(responseTime);
    statusCodes[String(status)] = (statusCodes[String(status)] ?? 0) + 1;
  });
  const result = await done;
  times.sort((x, y) => x - y);
  const pct = (q: number) => Math.round((times[Math.min(times.length - 1, Math.floor(q * times.length))] ?? 0) * 10) / 10;
  return {
    rps: result.requests.total / req.seconds,
    p50: pct(0.5),
    p99: pct(0.99),
    max: pct(1),
    total: result.requests.total,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
    statusCodes,
    cpuMs: (() => {
      const used = process.cpuUsage(cpuStart);
      return (used.user + used.system) / 1000;
    })(),
  };
}

process.once('message', (message: WriteLoadRequest) => {
  drive(message)
    .then((figures) => process.send?.(figures, () => process.exit(0)))
    .catch((err: unknown) => {
      console.error(err);
      process.exit(1);
    });
});
