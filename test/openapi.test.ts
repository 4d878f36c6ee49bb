import diagnostics from 'node:diagnostics_channel';
import { readFileSync } from 'node:fs';
import type { FastifyInstance, RouteOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from './harness.js';

const OPENAPI_FILE = new URL('../openapi.json', import.meta.url);
const REGENERATE = 'openapi.json is out of date with the routes: run `npm run openapi` and commit the result';

/** Routes that need no token; every other /api/v1 route inherits the document's bearerAuth. */
const PUBLIC_ROUTES = [
  'post /api/v1/auth/register',
  'post /api/v1/auth/login',
  'post /api/v1/auth/refresh',
  'post /api/v1/auth/forgot-password',
  'post /api/v1/auth/reset-password',
  'post /api/v1/auth/verify-email',
  'post /api/v1/auth/confirm-email-change',
  'post /api/v1/auth/revert-email-change',
];

interface Operation {
  security?: Array<Record<string, string[]>>;
}
interface OpenApiDocument {
  openapi: string;
  paths: Record<string, Record<string, Operation>>;
  security?: Array<Record<string, string[]>>;
  components?: { securitySchemes?: Record<string, Record<string, unknown>> };
}

let t: TestApp;
let served: OpenApiDocument;
/** Every route the app registered, as `method /openapi/{style}` keys, seen through an onRoute hook. */
const registered: Array<{ key: string; hidden: boolean }> = [];

beforeAll(async () => {
  // Fastify announces each new instance on this channel before any plugin or route is added, so
  // an onRoute hook here sees every route buildApp registers, without changing buildApp.
  const channel = diagnostics.channel('fastify.initialization');
  const onInit = (message: unknown) => {
    const { fastify } = message as { fastify: FastifyInstance };
    fastify.addHook('onRoute', (route: RouteOptions) => {
      const methods = Array.isArray(route.method) ? route.method : [route.method];
      const url = route.url.replace(/:(\w+)/g, '{$1}');
      for (const method of methods) {
        if (method === 'HEAD') continue; // Fastify's automatic HEAD twins are not documented.
        registered.push({ key: `${method.toLowerCase()} ${url}`, hidden: Boolean(route.schema?.hide) });
      }
    });
  };
  channel.subscribe(onInit);
  try {
    t = await createTestApp();
  } finally {
    channel.unsubscribe(onInit);
  }
  const res = await t.app.inject({ method: 'GET', url: '/openapi.json' });
  expect(res.statusCode).toBe(200);
  served = res.json<OpenApiDocument>();
});
afterAll(async () => t?.close());

describe('GET /openapi.json', () => {
  it('answers 200 with an OpenAPI 3.1.0 document, without a token', () => {
    expect(served.openapi).toBe('3.1.0');
  });

  it('documents every route under /api/v1', () => {
    const apiRoutes = registered.filter((r) => r.key.split(' ')[1]!.startsWith('/api/v1'));
    expect(apiRoutes.length).toBeGreaterThan(0);
    expect(apiRoutes.filter((r) => r.hidden).map((r) => r.key), 'API routes must not be hidden from the docs').toEqual([]);
    const documented = new Set(
      Object.entries(served.paths).flatMap(([path, ops]) => Object.keys(ops).map((method) => `${method} ${path}`)),
    );
    const missing = apiRoutes.map((r) => r.key).filter((key) => !documented.has(key));
    expect(missing, 'routes missing from the OpenAPI document').toEqual([]);
  });

  it('declares the bearerAuth scheme and requires it by default', () => {
    expect(served.components?.securitySchemes?.bearerAuth).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(served.security).toEqual([{ bearerAuth: [] }]);
  });

  it('marks the public auth routes `security: []` and leaves the others to the default', () => {
    for (const key of PUBLIC_ROUTES) {
      const [method, path] = key.split(' ') as [string, string];
      const operation = served.paths[path]?.[method];
      expect(operation, `${key} is documented`).toBeDefined();
      expect(operation?.security, `${key} is public`).toEqual([]);
    }
    for (const [path, ops] of Object.entries(served.paths)) {
      if (!path.startsWith('/api/v1')) continue;
      for (const [method, operation] of Object.entries(ops)) {
        if (PUBLIC_ROUTES.includes(`${method} ${path}`)) continue;
        expect(operation.security, `${method} ${path} must require bearerAuth`).not.toEqual([]);
      }
    }
  });

  it('equals the checked-in openapi.json', () => {
    let checkedIn: unknown;
    try {
      checkedIn = JSON.parse(readFileSync(OPENAPI_FILE, 'utf8'));
    } catch (err) {
      throw new Error(`cannot read openapi.json (${(err as Error).message}): run \`npm run openapi\``);
    }
    expect(served, REGENERATE).toEqual(checkedIn);
  });
});
