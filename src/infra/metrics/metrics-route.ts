import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { AppError } from '../../lib/app-error.js';
import type { Metrics } from './metrics.js';

const BEARER = /^Bearer (\S+)$/;

/** Whether `given` is `expected`, in time independent of where they differ (both hashed to one length first). */
export function tokenMatches(given: string, expected: string): boolean {
  const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();
  return timingSafeEqual(digest(given), digest(expected));
}

/**
 * `GET /metrics` on the API's own port, for a scraper that presents `Authorization: Bearer
 * <METRICS_TOKEN>`: a missing or wrong token is a 401 in the project's error format (nothing about
 * the token or the metrics in it). Not in the OpenAPI document, outside the global rate limits (a
 * scraper is one caller polling on a schedule) and outside the HTTP metrics it serves.
 */
export function registerMetricsRoute(app: FastifyInstance, metrics: Metrics, token: string): void {
  app.get(
    '/metrics',
    { schema: { hide: true }, config: { public: true, skipGlobalRateLimit: true, skipMetrics: true } },
    async (request, reply) => {
      const header = request.headers.authorization;
      if (header === undefined || header === '') {
        throw new AppError('unauthorized', 'missing_token', 'An Authorization: Bearer <metrics token> header is required');
      }
      const given = BEARER.exec(header)?.[1];
      if (given === undefined || !tokenMatches(given, token)) {
        throw new AppError('unauthorized', 'invalid_token', 'The metrics token is not valid');
      }
      const text = await metrics.scrape();
      return reply.header('content-type', metrics.contentType).header('cache-control', 'no-store').send(text);
    },
  );
}
