import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AppError } from '../lib/app-error.js';
import type { RateLimiter, RateLimitVerdict } from '../infra/ratelimit/rate-limiter.js';

/** One limit on a route: at most `limit` hits per `windowSeconds` for each key `key` returns. */
export interface RouteRateLimit {
  /** Names the counter; two routes with the same name share it. */
  name: string;
  limit: number;
  windowSeconds: number;
  /** The counter's key for this request; undefined skips this limit for the request. */
  key: (request: FastifyRequest) => string | undefined;
}

export interface RateLimitSettings {
  enabled: boolean;
  readPerMinute: number;
  writePerMinute: number;
}

/**
 * The address a limit counts a client by: an IPv4 address, or the /64 network of an IPv6 one (one
 * subscriber's line or host gets a whole /64, so its last 64 bits cost an attacker nothing to vary).
 */
export function clientAddress(ip: string): string {
  const address = ip.split('%')[0]!.toLowerCase();
  if (!address.includes(':')) return address;
  if (/^::ffff:\d+\.\d+\.\d+\.\d+$/.test(address)) return address.slice(7);
  const [head = '', tail] = address.split('::');
  const headGroups = head ? head.split(':') : [];
  let groups = headGroups;
  if (tail !== undefined) {
    const tailGroups = tail ? tail.split(':') : [];
    // A dotted IPv4 tail takes the room of two groups.
    const tailWidth = tailGroups.length + (tail.includes('.') ? 1 : 0);
    groups = [...headGroups, ...Array<string>(Math.max(0, 8 - headGroups.length - tailWidth)).fill('0'), ...tailGroups];
  }
  const network = groups.slice(0, 4).map((g) => (Number.parseInt(g, 16) || 0).toString(16));
  return `${network.join(':')}::/64`;
}

/** Keys a limit by the client's address (X-Forwarded-For is only trusted with TRUST_PROXY). */
export const byIp = (request: FastifyRequest): string => clientAddress(request.ip);

/** Keys a limit by the authenticated caller, else by address. */
export const byCaller = (request: FastifyRequest): string =>
  request.principal ? `u:${request.principal.userId}` : `ip:${clientAddress(request.ip)}`;

/** Where a verdict came from: a refusal beats a route's own limit, which beats the global budget. */
type HeaderRank = 0 | 1 | 2;
interface ShownLimit {
  limit: number;
  verdict: RateLimitVerdict;
  rank: HeaderRank;
}
// The limit whose x-ratelimit-* headers the response carries (written in onSend, so a 429 from the
// error handler carries them too).
const shownLimits = new WeakMap<FastifyRequest, ShownLimit>();

/**
 * Records a verdict for the response's `x-ratelimit-*` headers. They describe one limit: the one
 * that refused the request, else the route's own limit with the fewest hits left, else the global budget.
 */
export function reportRateLimit(request: FastifyRequest, limit: number, verdict: RateLimitVerdict, global = false): void {
  const rank: HeaderRank = !verdict.allowed ? 2 : global ? 0 : 1;
  const current = shownLimits.get(request);
  if (current && (current.rank > rank || (current.rank === rank && current.verdict.remaining <= verdict.remaining))) return;
  shownLimits.set(request, { limit, verdict, rank });
}

/** The 429 for a refused verdict; its headers (limit, 0 remaining, reset, Retry-After) name that limit. */
export function rateLimited(request: FastifyRequest, name: string, limit: number, verdict: RateLimitVerdict): AppError {
  reportRateLimit(request, limit, { ...verdict, allowed: false, remaining: 0 });
  return new AppError(
    'rate_limited',
    'rate_limited',
    `Too many requests; try again in ${verdict.resetSeconds} s`,
    [{ message: `limit ${name} exceeded` }],
    verdict.resetSeconds,
  );
}

/**
 * Enforces the plan's limits (section 8.2/11): a global per-caller budget for reads and for writes,
 * plus each route's own `config.rateLimits`. Runs after authentication and body parsing so a limit
 * may be keyed by the caller or by a body field. Every response, 429s included, carries the
 * `x-ratelimit-limit/remaining/reset` headers of the limit `reportRateLimit` chose.
 */
export function registerRateLimits(app: FastifyInstance, limiter: RateLimiter, settings: RateLimitSettings): void {
  if (!settings.enabled) return;
  app.addHook('preHandler', async (request) => {
    const config = request.routeOptions.config ?? {};
    const checks: Array<[string, number, number, string, boolean]> = [];
    if (!config.skipGlobalRateLimit && !request.is404) {
      const isRead = request.method === 'GET' || request.method === 'HEAD';
      checks.push([
        isRead ? 'api_read' : 'api_write',
        isRead ? settings.readPerMinute : settings.writePerMinute,
        60,
        byCaller(request),
        true,
      ]);
    }
    for (const limit of config.rateLimits ?? []) {
      const key = limit.key(request);
      if (key !== undefined) checks.push([limit.name, limit.limit, limit.windowSeconds, key, false]);
    }
    for (const [name, limit, windowSeconds, key, global] of checks) {
      const verdict = await limiter.hit(`${name}:${key}`, limit, windowSeconds);
      if (!verdict.allowed) throw rateLimited(request, name, limit, verdict);
      reportRateLimit(request, limit, verdict, global);
    }
  });
  app.addHook('onSend', async (request, reply) => {
    const shown = shownLimits.get(request);
    if (!shown) return;
    reply.header('x-ratelimit-limit', String(shown.limit));
    reply.header('x-ratelimit-remaining', String(shown.verdict.remaining));
    reply.header('x-ratelimit-reset', String(shown.verdict.resetSeconds));
  });
}

/**
 * Applies one route limit from inside a handler, for limits that depend on what the request turned
 * out to carry (a multipart body holds a file only once it has been read). Same store and keys as
 * the hook; a no-op when rate limiting is disabled.
 */
export async function enforceRateLimit(
  limiter: RateLimiter,
  settings: RateLimitSettings,
  limit: RouteRateLimit,
  request: FastifyRequest,
): Promise<void> {
  if (!settings.enabled) return;
  const key = limit.key(request);
  if (key === undefined) return;
  const verdict = await limiter.hit(`${limit.name}:${key}`, limit.limit, limit.windowSeconds);
  if (!verdict.allowed) throw rateLimited(request, limit.name, limit.limit, verdict);
  reportRateLimit(request, limit.limit, verdict);
}
