import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AppError } from '../lib/app-error.js';
import type { RateLimiter } from '../infra/ratelimit/rate-limiter.js';

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

/** Keys a limit by the client's address (X-Forwarded-For is only trusted with TRUST_PROXY). */
export const byIp = (request: FastifyRequest): string => request.ip;

/** Keys a limit by the authenticated caller, else by address. */
export const byCaller = (request: FastifyRequest): string =>
  request.principal ? `u:${request.principal.userId}` : `ip:${request.ip}`;

function refuse(name: string, resetSeconds: number): AppError {
  return new AppError(
    'rate_limited',
    'rate_limited',
    `Too many requests; try again in ${resetSeconds} s`,
    [{ message: `limit ${name} exceeded` }],
    resetSeconds,
  );
}

/**
 * Enforces the plan's limits (section 8.2/11): a global per-caller budget for reads and for writes,
 * plus each route's own `config.rateLimits`. Runs after authentication and body parsing so a limit
 * may be keyed by the caller or by a body field (e.g. the account a login names).
 */
export function registerRateLimits(app: FastifyInstance, limiter: RateLimiter, settings: RateLimitSettings): void {
  if (!settings.enabled) return;
  app.addHook('preHandler', async (request, reply) => {
    const config = request.routeOptions.config ?? {};
    const checks: Array<[string, number, number, string]> = [];
    if (!config.skipGlobalRateLimit && !request.is404) {
      const isRead = request.method === 'GET' || request.method === 'HEAD';
      checks.push([
        isRead ? 'api_read' : 'api_write',
        isRead ? settings.readPerMinute : settings.writePerMinute,
        60,
        byCaller(request),
      ]);
    }
    for (const limit of config.rateLimits ?? []) {
      const key = limit.key(request);
      if (key !== undefined) checks.push([limit.name, limit.limit, limit.windowSeconds, key]);
    }
    for (const [name, limit, windowSeconds, key] of checks) {
      const verdict = await limiter.hit(`${name}:${key}`, limit, windowSeconds);
      if (!verdict.allowed) throw refuse(name, verdict.resetSeconds);
      if (name === 'api_read' || name === 'api_write') {
        reply.header('x-ratelimit-limit', String(limit));
        reply.header('x-ratelimit-remaining', String(verdict.remaining));
      }
    }
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
  if (!verdict.allowed) throw refuse(limit.name, verdict.resetSeconds);
}
