import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { makeUser } from '../../../test/factories.js';
import { createTestApp, type TestApp } from '../../../test/harness.js';
import { ConfigError, loadConfig } from '../../config/config.js';
import { APP_VERSION } from '../../version.js';
import { parseSentryDsn } from './sentry-dsn.js';
import { SentryReporter } from './sentry-reporter.js';

const PUBLIC_KEY = 'b5a4c3d2e1f0a9b8c7d6e5f4a3b2c1d0';

interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/** A Sentry stand-in on localhost: records every POST; `hang` makes it never answer. */
async function startSentry(options: { hang?: boolean; status?: number } = {}): Promise<{ server: Server; received: Received[]; dsn: string }> {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      received.push({ path: req.url ?? '', headers: req.headers, body });
      if (options.hang) return;
      res.writeHead(options.status ?? 200, { 'content-type': 'application/json' }).end('{"id":"ok"}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { server, received, dsn: `http://${PUBLIC_KEY}@127.0.0.1:${port}/42` };
}

const closeServer = (server: Server) =>
  new Promise<void>((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });

interface EventJson {
  event_id: string;
  user: Record<string, unknown>;
  request: Record<string, unknown>;
  exception: { values: Array<{ type: string; value: string; mechanism: unknown; stacktrace: { frames: Array<{ filename: string; lineno: number; in_app: boolean }> } }> };
  [key: string]: unknown;
}

/** The envelope's three lines: envelope header, item header, event. */
function parseEnvelope(body: string): { header: Record<string, unknown>; item: Record<string, unknown>; event: EventJson; eventLine: string } {
  const lines = body.split('\n');
  expect(lines).toHaveLength(3);
  const [header, item, event] = lines.map((line) => JSON.parse(line) as unknown);
  return { header: header as Record<string, unknown>, item: item as Record<string, unknown>, event: event as EventJson, eventLine: lines[2]! };
}

describe('issue 17: SENTRY_DSN', () => {
  it('parses the DSN forms services hand out, and names the envelope endpoint', () => {
    expect(parseSentryDsn('https://abc123@o1.ingest.sentry.io/4507')).toEqual({
      publicKey: 'abc123',
      projectId: '4507',
      envelopeUrl: 'https://o1.ingest.sentry.io/api/4507/envelope/',
      origin: 'https://o1.ingest.sentry.io',
    });
    expect(parseSentryDsn('http://key:legacysecret@glitchtip.internal:8000/errors/7').envelopeUrl).toBe(
      'http://glitchtip.internal:8000/errors/api/7/envelope/',
    );
  });

  it('a malformed SENTRY_DSN stops the process at start with a reason that does not repeat the key', () => {
    for (const dsn of ['not a url', `ftp://${PUBLIC_KEY}@host/1`, 'https://host/1', `https://${PUBLIC_KEY}@host/`, `https://${PUBLIC_KEY}@host/project`]) {
      let problems: string[] = [];
      try {
        loadConfig({ SENTRY_DSN: dsn });
      } catch (err) {
        expect(err).toBeInstanceOf(ConfigError);
        problems = (err as ConfigError).problems;
      }
      expect(problems, dsn).toHaveLength(1);
      expect(problems[0]).toMatch(/^SENTRY_DSN /);
      expect(problems[0]).not.toContain(PUBLIC_KEY);
    }
    const config = loadConfig({ SENTRY_DSN: '', NODE_ENV: 'test' });
    expect(config.errorReporting).toEqual({ sentryDsn: undefined, environment: 'test' });
    expect(loadConfig({ SENTRY_DSN: `https://${PUBLIC_KEY}@h/1`, SENTRY_ENVIRONMENT: 'staging' }).errorReporting.environment).toBe('staging');
  });
});

describe('issue 17: unhandled 500s reach a Sentry-compatible DSN', () => {
  let sentry: Awaited<ReturnType<typeof startSentry>>;
  let t: TestApp;

  beforeAll(async () => {
    sentry = await startSentry();
    t = await createTestApp({ env: { SENTRY_DSN: sentry.dsn, SENTRY_ENVIRONMENT: 'ci-test' } });
  });
  afterAll(async () => {
    await t?.close();
    await closeServer(sentry.server);
  });

  it('a 500 arrives as one envelope with the exception, route, release and user id, and nothing secret; 4xx and 503 are not reported', async () => {
    const user = await makeUser(t.ctx);
    const secretQuery = 'needle-in-the-query-string';

    // 4xx: a missing token, a validation failure, an unknown route.
    expect((await t.app.inject({ method: 'GET', url: `/api/v1/friends/search?q=${secretQuery}` })).statusCode).toBe(401);
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/friends/search', headers: user.auth })).statusCode).toBe(422);
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/no-such-route', headers: user.auth })).statusCode).toBe(404);
    // 503: a dependency away is an outage, not a bug.
    const search = vi.spyOn(t.ctx.services.friends.queries, 'search');
    search.mockRejectedValueOnce(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }));
    expect((await t.app.inject({ method: 'GET', url: `/api/v1/friends/search?q=${secretQuery}`, headers: user.auth })).statusCode).toBe(503);
    await t.ctx.errorReporter.flush(2_000);
    expect(sentry.received).toHaveLength(0);

    // 500: a driver-like error whose message and fields hold the statement and its parameters.
    search.mockRejectedValueOnce(
      Object.assign(new Error(`Failed query: select * from users where password = $1\nparams: ${user.password}`), {
        query: 'select * from users where password = $1',
        params: [user.password],
      }),
    );
    const started = performance.now();
    const res = await t.app.inject({ method: 'GET', url: `/api/v1/friends/search?q=${secretQuery}&page=1`, headers: user.auth });
    const answeredInMs = performance.now() - started;
    expect(res.statusCode).toBe(500);
    expect(res.json()).toEqual({ error: { code: 'internal_error', message: 'Something went wrong on our side', details: [] } });
    expect(answeredInMs).toBeLessThan(2_000);
    await t.ctx.errorReporter.flush(2_000);
    search.mockRestore();

    expect(sentry.received).toHaveLength(1);
    const [sent] = sentry.received;
    expect(sent!.path).toBe('/api/42/envelope/');
    expect(sent!.headers['content-type']).toBe('application/x-sentry-envelope');
    expect(sent!.headers['x-sentry-auth']).toBe(`Sentry sentry_version=7, sentry_key=${PUBLIC_KEY}, sentry_client=tribe/${APP_VERSION}`);

    const { header, item, event, eventLine } = parseEnvelope(sent!.body);
    expect(header.event_id).toMatch(/^[0-9a-f]{32}$/);
    expect(header.event_id).toBe(event.event_id);
    expect(Date.parse(String(header.sent_at))).not.toBeNaN();
    expect(item).toEqual({ type: 'event', content_type: 'application/json', length: Buffer.byteLength(eventLine) });
    expect(event).toMatchObject({
      platform: 'node',
      level: 'error',
      release: `tribe-backend@${APP_VERSION}`,
      environment: 'ci-test',
      transaction: 'GET /api/v1/friends/search',
      request: { method: 'GET' },
      user: { id: user.id },
      tags: { source: 'http', method: 'GET', route: '/api/v1/friends/search', request_id: expect.any(String) },
    });
    expect(Object.keys(event.user)).toEqual(['id']);
    expect(Object.keys(event.request)).toEqual(['method']);
    const exception = event.exception.values[0]!;
    expect(exception.type).toBe('Error');
    expect(exception.value).toBe('database query failed (statement and parameters not logged)');
    expect(exception.mechanism).toEqual({ type: 'http', handled: false });
    const frames = exception.stacktrace.frames;
    expect(frames.length).toBeGreaterThan(0);
    // Oldest call first: the innermost frame (where the error was made: this file) comes last.
    expect(frames.at(-1)).toMatchObject({ filename: 'src/infra/error-reporting/sentry-reporter.test.ts', in_app: true });
    expect(frames.at(-1)!.lineno).toBeGreaterThan(0);

    const raw = sent!.body.toLowerCase();
    for (const secret of [user.accessToken, user.refreshToken, user.password, user.email, user.username, secretQuery, PUBLIC_KEY]) {
      expect(sent!.body, `the envelope holds ${secret}`).not.toContain(secret);
    }
    expect(raw).not.toContain('authorization');
    expect(raw).not.toContain('bearer');
    expect(raw).not.toContain('select * from users');
  });
});

describe('issue 17: the reporter never blocks or fails its caller', () => {
  it('report() returns at once against a server that never answers; the send is abandoned after its timeout and logged without the key', async () => {
    const sentry = await startSentry({ hang: true });
    const warnings: Array<{ fields: Record<string, unknown>; message: string }> = [];
    const reporter = new SentryReporter({
      dsn: parseSentryDsn(sentry.dsn),
      version: '9.9.9',
      environment: 'test',
      appRoot: process.cwd(),
      logger: { warn: (fields: Record<string, unknown>, message: string) => warnings.push({ fields, message }) } as never,
      timeoutMs: 300,
    });
    try {
      const started = performance.now();
      reporter.report({ error: new Error('boom'), source: 'http', request: { method: 'POST', route: '/api/v1/posts' } });
      expect(performance.now() - started).toBeLessThan(50);
      await vi.waitFor(() => expect(sentry.received).toHaveLength(1), { timeout: 2_000 });
      const flushStarted = performance.now();
      await reporter.flush(5_000);
      expect(performance.now() - flushStarted).toBeLessThan(1_500);
      expect(warnings).toHaveLength(1);
      expect(warnings[0]!.message).toBe('error report not delivered');
      expect(warnings[0]!.fields.reason).toBe('no answer within 300 ms');
      expect(JSON.stringify(warnings)).not.toContain(PUBLIC_KEY);
    } finally {
      await closeServer(sentry.server);
    }
  });

  it('a 429 pauses reporting for its Retry-After', async () => {
    const sentry = await startSentry({ status: 429 });
    const reporter = new SentryReporter({
      dsn: parseSentryDsn(sentry.dsn),
      version: '9.9.9',
      environment: 'test',
      appRoot: process.cwd(),
      logger: { warn: () => undefined } as never,
    });
    try {
      reporter.report({ error: new Error('first'), source: 'http' });
      await reporter.flush(2_000);
      reporter.report({ error: new Error('second, while paused'), source: 'http' });
      await reporter.flush(2_000);
      expect(sentry.received).toHaveLength(1);
    } finally {
      await closeServer(sentry.server);
    }
  });
});

describe('issue 17: unhandled rejections reach the DSN', () => {
  it('a process kept alive by the guards reports the rejection it survived', async () => {
    const sentry = await startSentry();
    const dir = mkdtempSync(path.join(os.tmpdir(), 'sentry-guards-'));
    const here = path.dirname(fileURLToPath(import.meta.url));
    const script = path.join(dir, 'script.mts');
    writeFileSync(
      script,
      `import { surviveUnhandledRejections } from ${JSON.stringify(path.join(here, '../process-guards.ts'))};
import { parseSentryDsn } from ${JSON.stringify(path.join(here, 'sentry-dsn.ts'))};
import { SentryReporter } from ${JSON.stringify(path.join(here, 'sentry-reporter.ts'))};
const logger = { error: () => undefined, warn: (f: unknown, m: string) => console.log(m, JSON.stringify(f)) };
const reporter = new SentryReporter({ dsn: parseSentryDsn(${JSON.stringify(sentry.dsn)}), version: '1.2.3', environment: 'worker-test', appRoot: process.cwd(), logger });
surviveUnhandledRejections(logger, reporter);
void Promise.reject(new TypeError('nobody handled this'));
setTimeout(async () => { await reporter.flush(2000); console.log('still alive'); process.exit(0); }, 300);
`,
    );
    const tsx = fileURLToPath(new URL('../../../node_modules/tsx/dist/cli.mjs', import.meta.url));
    try {
      const output = await new Promise<{ code: number | null; stdout: string }>((resolve) => {
        const child = spawn(process.execPath, [tsx, script], { stdio: ['ignore', 'pipe', 'pipe'] });
        let stdout = '';
        child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
        child.stderr.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
        child.once('exit', (code) => resolve({ code, stdout }));
      });
      expect(output.stdout).toContain('still alive');
      expect(output.code).toBe(0);
      expect(sentry.received).toHaveLength(1);
      const { event } = parseEnvelope(sentry.received[0]!.body);
      expect(event).toMatchObject({ release: 'tribe-backend@1.2.3', environment: 'worker-test', tags: { source: 'unhandled_rejection' } });
      expect(event.exception.values[0]).toMatchObject({ type: 'TypeError', value: 'nobody handled this', mechanism: { type: 'unhandled_rejection', handled: false } });
      expect(event).not.toHaveProperty('request');
      expect(event).not.toHaveProperty('user');
    } finally {
      rmSync(dir, { recursive: true, force: true });
      await closeServer(sentry.server);
    }
  }, 30_000);
});
