import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { MetricsConfig } from '../../config/config.js';
import type { Metrics } from './metrics.js';
import { registerMetricsRoute } from './metrics-route.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Leave the route's requests out of the HTTP metrics (the `/metrics` scrape itself). */
    skipMetrics?: boolean;
  }
}

/** The route label of requests no route matched (never the raw URL: it would hold ids and grow without bound). */
export const UNMATCHED_ROUTE = 'unmatched';

/** The route pattern a request matched (`/api/v1/goals/:goal_id`), or {@link UNMATCHED_ROUTE}. */
export function routeLabel(request: FastifyRequest): string {
  if (request.is404) return UNMATCHED_ROUTE;
  return request.routeOptions.url ?? UNMATCHED_ROUTE;
}

/**
 * Records every HTTP request in `metrics`: in flight from its arrival until its response is done or
 * its client left (the raw response's `close`, which comes exactly once either way), and its
 * duration by method, route pattern and status once answered (abandoned requests have no status and
 * are not observed). Serves `/metrics` on this server when a token is configured (metrics-route.ts).
 * Register before the other request hooks, so a request refused by them (overload, shutdown) counts.
 */
export function registerMetrics(app: FastifyInstance, metrics: Metrics, config: MetricsConfig): void {
  app.addHook('onRequest', async (request, reply) => {
    if (request.routeOptions.config?.skipMetrics === true) return;
    metrics.httpRequestsInFlight.inc();
    reply.raw.once('close', () => metrics.httpRequestsInFlight.dec());
  });
  app.addHook('onResponse', async (request, reply) => {
    if (request.routeOptions.config?.skipMetrics === true) return;
    metrics.httpRequestDuration.observe(
      { method: request.method, route: routeLabel(request), status: String(reply.statusCode) },
      reply.elapsedTime / 1000,
    );
  });
  if (config.token !== undefined) registerMetricsRoute(app, metrics, config.token);
}
