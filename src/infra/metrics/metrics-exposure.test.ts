import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../../test/own-redis.js';
import { createTestApp, type TestApp } from '../../../test/harness.js';
import { parsePrometheusText, valueOf } from '../../../test/prometheus-text.js';
import { ConfigError, loadConfig } from '../../config/config.js';
import { openMetricsServer, type MetricsServer } from './metrics-server.js';

/** Where /metrics is served without METRICS_TOKEN: nowhere on the API port; on METRICS_PORT when set. */

let t: TestApp;
let server: MetricsServer | undefined;
let port: number;

beforeAll(async () => {
  port = await freePort();
  t = await createTestApp({ env: { METRICS_PORT: String(port) } });
  server = await openMetricsServer(t.ctx.metrics, t.config.metrics, t.ctx.logger);
});
afterAll(async () => {
  await server?.close();
  await t?.close();
});

const internal = (path: string, init?: RequestInit) => fetch(`http://127.0.0.1:${port}${path}`, init);

describe('without METRICS_TOKEN', () => {
  it('the API port answers 404 route_not_found for /metrics, with or without a bearer token', async () => {
    for (const headers of [{}, { authorization: 'Bearer whatever-token-a-scraper-might-send-here' }]) {
      const res = await t.app.inject({ method: 'GET', url: '/metrics', headers });
      expect(res.statusCode).toBe(404);
      expect(res.json().error.code).toBe('route_not_found');
      expect(res.body).not.toContain('tribe_');
    }
  });

  it('the METRICS_PORT server, bound to 127.0.0.1 by default, answers the Prometheus text without a token', async () => {
    expect(t.config.metrics).toEqual({ token: undefined, port, host: '127.0.0.1' });
    expect(server?.port).toBe(port);
    await t.app.inject({ method: 'GET', url: '/healthz' });
    const res = await internal('/metrics');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const e = parsePrometheusText(await res.text());
    expect(valueOf(e, 'tribe_http_request_duration_seconds_count', { method: 'GET', route: '/healthz', status: '200' })).toBe(1);
    expect(valueOf(e, 'tribe_websocket_connections')).toBe(0);
    const head = await internal('/metrics', { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');
  });

  it('the METRICS_PORT server serves nothing else: 404 for other paths, 405 for other methods, in the error format', async () => {
    const other = await internal('/api/v1/users/me');
    expect(other.status).toBe(404);
    expect(await other.json()).toEqual({ error: { code: 'route_not_found', message: 'No route GET /api/v1/users/me', details: [] } });
    const post = await internal('/metrics', { method: 'POST', body: '{}' });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET, HEAD');
    expect(((await post.json()) as { error: { code: string } }).error.code).toBe('method_not_allowed');
  });

  it('without METRICS_PORT no server is started', async () => {
    expect(await openMetricsServer(t.ctx.metrics, { token: undefined, port: undefined, host: '127.0.0.1' }, t.ctx.logger)).toBeUndefined();
  });
});

describe('configuration', () => {
  const problemsOf = (env: Record<string, string>): string[] => {
    try {
      loadConfig(env);
      return [];
    } catch (err) {
      if (err instanceof ConfigError) return err.problems;
      throw err;
    }
  };

  it('takes METRICS_TOKEN, METRICS_PORT and METRICS_HOST; none of them: no metrics endpoint', () => {
    expect(loadConfig({}).metrics).toEqual({ token: undefined, port: undefined, host: '127.0.0.1' });
    const token = 'x'.repeat(32);
    expect(loadConfig({ METRICS_TOKEN: token, METRICS_PORT: '9464', METRICS_HOST: '10.0.0.5' }).metrics).toEqual({ token, port: 9464, host: '10.0.0.5' });
  });

  it('refuses a short METRICS_TOKEN, a METRICS_PORT that is no port or is PORT, naming each', () => {
    expect(problemsOf({ METRICS_TOKEN: 'short' })).toEqual(['METRICS_TOKEN must be at least 32 characters, without spaces']);
    expect(problemsOf({ METRICS_PORT: 'nine' })).toEqual([expect.stringContaining('METRICS_PORT must be an integer between 1 and 65535')]);
    expect(problemsOf({ PORT: '8000', METRICS_PORT: '8000' })).toEqual(['METRICS_PORT must differ from PORT (8000)']);
  });
});
