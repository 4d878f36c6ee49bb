import type { FastifyServerOptions } from 'fastify';
import type { HttpTimeouts } from '../config/config.js';

/** Node checks open connections against the header and request timeouts this often, at most. */
const MAX_CHECK_INTERVAL_MS = 1_000;

/**
 * The Fastify options of the HTTP server's timeouts and of its close (SIGTERM, main.ts):
 * - `requestTimeout` (whole request) and Node's `headersTimeout` (slow-headers clients) answer 408
 *   and close the socket; Node checks them every `connectionsCheckingInterval` (its default, 30 s,
 *   would let a slow client hold a socket 30 s past its budget: here at most a second, or half the
 *   headers budget when that is shorter);
 * - `keepAliveTimeout` above the proxy's upstream idle timeout (60 s for nginx, AWS ALB), so the
 *   proxy, not Node, closes an idle connection and never sends a request on one Node is closing;
 * - `forceCloseConnections: 'idle'`: closing ends idle kept-alive connections at once and leaves the
 *   ones with a request in flight to finish; requests arriving meanwhile get 503 `shutting_down`
 *   from http/drain.ts (the project's error body) rather than Fastify's own `return503OnClosing`.
 */
export function serverOptions(timeouts: HttpTimeouts): Pick<
  FastifyServerOptions,
  'requestTimeout' | 'keepAliveTimeout' | 'forceCloseConnections' | 'return503OnClosing'
> & { http: { headersTimeout: number; requestTimeout: number; connectionsCheckingInterval: number } } {
  return {
    requestTimeout: timeouts.requestMs,
    keepAliveTimeout: timeouts.keepAliveMs,
    forceCloseConnections: 'idle',
    return503OnClosing: false,
    http: {
      headersTimeout: timeouts.headersMs,
      // Node validates headersTimeout against the requestTimeout it is constructed with (Fastify sets its own after).
      requestTimeout: timeouts.requestMs,
      connectionsCheckingInterval: Math.max(50, Math.min(MAX_CHECK_INTERVAL_MS, Math.floor(timeouts.headersMs / 2))),
    },
  };
}
