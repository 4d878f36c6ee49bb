import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config/config.js';
import { MIN_NODE_VERSION, unsupportedNodeReason } from '../src/node-support.js';
import { createTestApp, type TestApp } from './harness.js';
import { captureLogs } from './capture.js';

const apps: TestApp[] = [];
afterEach(async () => {
  for (const app of apps.splice(0)) await app.close();
});

async function app(env: Record<string, string> = {}, logger?: Logger): Promise<TestApp> {
  const t = await createTestApp({ env, ...(logger ? { overrides: { logger } } : {}) });
  apps.push(t);
  return t;
}

async function docsStatus(t: TestApp): Promise<{ docs: number; ui: number; document: number }> {
  const docs = await t.app.inject({ method: 'GET', url: '/docs' });
  const ui = await t.app.inject({ method: 'GET', url: '/docs/json' });
  const document = await t.app.inject({ method: 'GET', url: '/openapi.json' });
  return { docs: docs.statusCode, ui: ui.statusCode, document: document.statusCode };
}

describe('issue 15.15: install and start', () => {
  it('a first start on an empty DATA_DIR logs no "root path must exist" warning and creates the media folders', async () => {
    const { logger, lines } = captureLogs();
    const t = await app({}, logger);
    await t.app.inject({ method: 'GET', url: '/healthz' });
    expect(lines.some((line) => line.includes('request completed'))).toBe(true);
    expect(lines.filter((line) => /must exist/.test(line))).toEqual([]);
    expect(existsSync(path.join(t.dataDir, 'media'))).toBe(true);
    expect(existsSync(path.join(t.dataDir, 'media-private'))).toBe(true);
  });

  it('/docs and /openapi.json are served outside production by default', async () => {
    const t = await app();
    expect(await docsStatus(t)).toEqual({ docs: 200, ui: 200, document: 200 });
  });

  it('production serves neither by default (404 like any unknown path), while the document is still built', async () => {
    const t = await app({ NODE_ENV: 'production' });
    expect(t.config.apiDocsEnabled).toBe(false);
    expect(await docsStatus(t)).toEqual({ docs: 404, ui: 404, document: 404 });
    // npm run openapi and the contract test read app.swagger(), which does not depend on serving it.
    expect(t.app.swagger()).toHaveProperty('paths');
  });

  it('API_DOCS_ENABLED overrides the default either way, and refuses a non-boolean', async () => {
    const on = await app({ NODE_ENV: 'production', API_DOCS_ENABLED: 'true' });
    expect(await docsStatus(on)).toEqual({ docs: 200, ui: 200, document: 200 });
    const off = await app({ API_DOCS_ENABLED: 'false' });
    expect(await docsStatus(off)).toEqual({ docs: 404, ui: 404, document: 404 });
    expect(() => loadConfig({ API_DOCS_ENABLED: 'maybe' })).toThrow(/API_DOCS_ENABLED must be true or false/);
  });

  it('Node older than 20.19 is refused with a clear message; 20.19+, 22 and 24 run', () => {
    const { engines } = JSON.parse(readFileSync(path.resolve(import.meta.dirname, '../package.json'), 'utf8')) as { engines: { node: string } };
    expect(engines.node).toBe(`>=${MIN_NODE_VERSION}`);
    expect(unsupportedNodeReason('18.20.8')).toBe(
      'Tribe needs Node.js 20.19.0 or later (Node 24 LTS in production); this is Node 18.20.8. Install a supported Node.js (https://nodejs.org/en/download) and start again.',
    );
    expect(unsupportedNodeReason('20.18.3')).toMatch(/needs Node.js 20.19.0 or later/);
    for (const ok of ['20.19.0', '20.20.2', 'v22.12.0', '24.11.1', process.versions.node]) expect(unsupportedNodeReason(ok)).toBeUndefined();
  });
});
