import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { MetricsConfig } from '../../config/config.js';
import type { Metrics } from './metrics.js';

export interface MetricsServerOptions {
  port: number;
  /** The interface to bind: an internal one (default config: 127.0.0.1), never the public one. */
  host: string;
}

export interface MetricsServer {
  /** The port it listens on (the one asked for, or the one the system chose for 0). */
  readonly port: number;
  close(): Promise<void>;
}

interface Problem {
  code: string;
  message: string;
}

function sendError(res: ServerResponse, status: number, problem: Problem, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
  res.end(JSON.stringify({ error: { ...problem, details: [] } }));
}

/**
 * A second, minimal HTTP server serving only `GET /metrics`, without a token: for METRICS_PORT, bound
 * to an internal interface that only the scraper reaches (the API port serves `/metrics` only with
 * METRICS_TOKEN). The worker process, which has no API server, is scraped here too. Other paths answer
 * 404 and other methods 405, in the project's error format.
 */
export async function startMetricsServer(
  metrics: Metrics,
  options: MetricsServerOptions,
  logger: { error(obj: object, msg: string): void },
): Promise<MetricsServer> {
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path !== '/metrics') {
      sendError(res, 404, { code: 'route_not_found', message: `No route ${req.method ?? 'GET'} ${path}` });
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      sendError(res, 405, { code: 'method_not_allowed', message: 'Only GET /metrics is served here' }, { allow: 'GET, HEAD' });
      return;
    }
    metrics.scrape().then(
      (text) => {
        res.writeHead(200, { 'content-type': metrics.contentType, 'cache-control': 'no-store' });
        res.end(req.method === 'HEAD' ? undefined : text);
      },
      (err: unknown) => {
        logger.error({ err }, 'metrics scrape failed');
        sendError(res, 500, { code: 'internal_error', message: 'Something went wrong on our side' });
      },
    );
  });
  // A scraper keeps its connection alive between scrapes; nothing else is expected here.
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  let closing: Promise<void> | undefined;
  return {
    port,
    close() {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },
  };
}

/** Starts the METRICS_PORT server when one is configured (API and worker processes); else nothing. */
export async function openMetricsServer(
  metrics: Metrics,
  config: MetricsConfig,
  logger: { error(obj: object, msg: string): void },
): Promise<MetricsServer | undefined> {
  if (config.port === undefined) return undefined;
  return startMetricsServer(metrics, { port: config.port, host: config.host }, logger);
}

/** Where this process serves /metrics, for the start-up log line (never the token). */
export function metricsEndpoints(config: MetricsConfig, apiPort: boolean): string {
  const where: string[] = [];
  if (apiPort && config.token !== undefined) where.push('/metrics on the API port (bearer METRICS_TOKEN)');
  if (config.port !== undefined) where.push(`http://${config.host}:${config.port}/metrics`);
  return where.length > 0 ? where.join(' and ') : 'off (METRICS_TOKEN or METRICS_PORT)';
}
