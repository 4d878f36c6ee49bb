import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import openapiTS, { astToString, type OpenAPI3 } from 'openapi-typescript';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLIENT_EVENTS, frameSchema, SERVER_EVENTS, SERVER_REPLIES } from '../src/features/realtime/realtime.protocol.js';
import { USERNAME_RULE } from '../src/features/users/users.rules.js';
import { buildValidatorCompiler } from '../src/http/validation.js';
import { makeUser, type TestUser } from './factories.js';
import { createTestApp, type TestApp } from './harness.js';
import { listen, makeConversation, WsClient, type Frame } from './realtime-helpers.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

type Json = Record<string, unknown>;
interface Parameter {
  in: string;
  name: string;
  required?: boolean;
  schema?: Json;
}
interface Operation {
  operationId?: string;
  parameters?: Parameter[];
  requestBody?: { content: Record<string, { schema: Json }> };
  responses: Record<string, { content?: Record<string, { schema: Json }> }>;
}
interface Document {
  servers?: Array<{ url: string }>;
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, Json> };
}

let t: TestApp;
let doc: Document;
let caller: TestUser;

beforeAll(async () => {
  t = await createTestApp();
  caller = await makeUser(t.ctx);
  const res = await t.app.inject({ method: 'GET', url: '/openapi.json' });
  expect(res.statusCode).toBe(200);
  doc = res.json<Document>();
});
afterAll(async () => t?.close());

const operations = () =>
  Object.entries(doc.paths).flatMap(([p, ops]) => Object.entries(ops).map(([method, op]) => ({ path: p, method, op })));

/** Every schema object in `node`, with where it is. */
function* schemasIn(node: unknown, where: string): Generator<{ schema: Json; where: string }> {
  if (Array.isArray(node)) {
    for (const item of node) yield* schemasIn(item, where);
    return;
  }
  if (!node || typeof node !== 'object') return;
  const object = node as Json;
  yield { schema: object, where };
  for (const [key, value] of Object.entries(object)) {
    if (key === 'enum' || key === 'const' || key === 'default' || key === 'examples' || key === 'example') continue;
    yield* schemasIn(value, `${where}/${key}`);
  }
}

function resolve(schema: Json): Json {
  const ref = schema.$ref;
  if (typeof ref !== 'string') return schema;
  return resolve(doc.components.schemas[ref.replace('#/components/schemas/', '')]!);
}

/** The pairs redocly.yaml explains (each pair sorted); any other ambiguous pair of paths fails. */
const KNOWN_AMBIGUOUS = [
  '/api/v1/notifications/push-tokens/{tokenId} ~ /api/v1/notifications/{notificationId}/read',
  '/api/v1/posts/comments/{commentId} ~ /api/v1/posts/{postId}/comments',
  '/api/v1/posts/comments/{commentId} ~ /api/v1/posts/{postId}/like',
  '/api/v1/posts/comments/{commentId} ~ /api/v1/posts/{postId}/likes',
];

describe('issue 15.13: a contract clients can generate from', () => {
  it('gives every operation an explicit, unique camelCase verbNoun operationId', () => {
    const ops = operations();
    expect(ops.length).toBeGreaterThan(100);
    const missing = ops.filter(({ op }) => !op.operationId).map(({ method, path: p }) => `${method} ${p}`);
    expect(missing, 'operations without operationId').toEqual([]);
    const ids = ops.map(({ op }) => op.operationId!);
    const duplicates = ids.filter((id, i) => ids.indexOf(id) !== i);
    expect(duplicates, 'duplicate operationIds').toEqual([]);
    const badlyNamed = ids.filter((id) => !/^[a-z]+(?:[A-Z][a-z0-9]*)+$/.test(id));
    expect(badlyNamed, 'operationIds must be camelCase verbNoun').toEqual([]);
  });

  it('names every request body and success response as a component, and every resource once', () => {
    const anonymous: string[] = [];
    for (const { path: p, method, op } of operations()) {
      for (const [mediaType, media] of Object.entries(op.requestBody?.content ?? {})) {
        if (!media.schema.$ref) anonymous.push(`${method} ${p} request ${mediaType}`);
      }
      for (const [status, response] of Object.entries(op.responses)) {
        for (const media of Object.values(response.content ?? {})) {
          const schema = media.schema;
          const isObject = schema.type === 'object' || schema.type === 'array';
          if (/^[245]/.test(status) && isObject && !schema.$ref) anonymous.push(`${method} ${p} ${status}`);
        }
      }
    }
    expect(anonymous, 'anonymous bodies').toEqual([]);
    const names = Object.keys(doc.components.schemas);
    for (const resource of ['Goal', 'Post', 'Comment', 'Story', 'Conversation', 'Message', 'Notification', 'UserCard', 'PagePagination', 'ErrorBody']) {
      expect(names, `components.schemas.${resource}`).toContain(resource);
    }
    // A titled schema lives only in components: nowhere else does one appear inline.
    const inlineTitled = [...schemasIn(doc.paths, '#/paths')].filter(({ schema }) => typeof schema.title === 'string');
    expect(inlineTitled.map((s) => s.where)).toEqual([]);
  });

  it('writes enums as one plain enum, never as a list of one-value enums', () => {
    const lists = [...schemasIn(doc, '#')].filter(({ schema }) => {
      const anyOf = schema.anyOf as Json[] | undefined;
      const single = anyOf?.filter((m) => 'const' in m || (Array.isArray(m.enum) && m.enum.length === 1)) ?? [];
      return single.length > 1;
    });
    expect(lists.map((s) => s.where)).toEqual([]);
    const direction = doc.paths['/api/v1/friends/requests']!.get!.parameters!.find((p) => p.name === 'direction');
    expect(direction?.schema).toMatchObject({ type: 'string', enum: ['received', 'sent'] });
  });

  it('describes every upload as a multipart/form-data body with its file and fields', () => {
    const uploads = {
      createPost: ['image', 'video', 'caption', 'goal_id', 'visibility'],
      createStory: ['media', 'media_type', 'duration'],
      replaceProfileImage: ['image'],
      replaceCoverImage: ['image'],
      replaceGoalImage: ['image'],
      uploadChatAttachment: ['file'],
    };
    for (const [operationId, fields] of Object.entries(uploads)) {
      const found = operations().find(({ op }) => op.operationId === operationId);
      const form = found?.op.requestBody?.content['multipart/form-data'];
      expect(form, `${operationId} multipart body`).toBeDefined();
      const schema = resolve(form!.schema);
      expect(Object.keys(schema.properties as Json), operationId).toEqual(fields);
      const file = (schema.properties as Record<string, Json>)[fields[0]!]!;
      expect(file).toMatchObject({ type: 'string', format: 'binary' });
    }
    // POST /posts still takes a JSON text post beside the form.
    expect(operations().find(({ op }) => op.operationId === 'createPost')?.op.requestBody?.content['application/json']).toBeDefined();
  });

  it('names PUBLIC_URL as the server', () => {
    expect(doc.servers?.[0]?.url).toBe(t.config.publicUrl);
  });

  it('states the password rule in the schema, not only in a 422', () => {
    const body = resolve(doc.paths['/api/v1/auth/register']!.post!.requestBody!.content['application/json']!.schema);
    const password = (body.properties as Record<string, Json>).password!;
    expect(password.minLength).toBeGreaterThanOrEqual(8);
    expect(String(password.description)).toContain(`${String(password.minLength)}–${String(password.maxLength)} characters with a lower-case letter`);
  });

  it('has no ambiguous paths besides the ones redocly.yaml explains', () => {
    const paths = Object.keys(doc.paths);
    const segments = (p: string) => p.split('/');
    const isParam = (s: string) => s.startsWith('{');
    const found: string[] = [];
    for (const [i, a] of paths.entries()) {
      for (const b of paths.slice(i + 1)) {
        const sa = segments(a);
        const sb = segments(b);
        if (sa.length !== sb.length) continue;
        // Redocly's rule: every segment could match both, and each path has a parameter where the
        // other has a fixed segment (a static segment beats a parameter, so one-sided is fine).
        const overlap = sa.every((s, k) => s === sb[k] || isParam(s) || isParam(sb[k]!));
        const aWider = sa.some((s, k) => isParam(s) && !isParam(sb[k]!));
        const bWider = sb.some((s, k) => isParam(s) && !isParam(sa[k]!));
        if (overlap && aWider && bWider) found.push([a, b].sort().join(' ~ '));
      }
    }
    expect(found.sort()).toEqual([...KNOWN_AMBIGUOUS].sort());
  });

  it('passes Redocly lint with the recommended rules: no errors, no warnings', async () => {
    await expectLintClean(doc, 'openapi.json');
  }, 30_000);

  it('generates a typed client with openapi-typescript that a small program compiles against', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'tribe-client-'));
    try {
      const generated = astToString(await openapiTS(doc as unknown as OpenAPI3));
      writeFileSync(path.join(dir, 'api.d.ts'), generated);
      writeFileSync(path.join(dir, 'program.ts'), CLIENT_PROGRAM);
      const program = ts.createProgram([path.join(dir, 'program.ts')], {
        strict: true,
        noEmit: true,
        target: ts.ScriptTarget.ES2022,
        module: ts.ModuleKind.ESNext,
        moduleResolution: ts.ModuleResolutionKind.Bundler,
        lib: ['lib.es2022.d.ts', 'lib.dom.d.ts'],
        types: [],
        skipLibCheck: false,
      });
      const problems = ts
        .getPreEmitDiagnostics(program)
        .map((d) => `${d.file ? path.basename(d.file.fileName) : ''}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`);
      expect(problems).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 30_000);
});

/** Runs `redocly lint` (redocly.yaml: recommended) on `document` written to a temp file. */
async function expectLintClean(document: unknown, name: string): Promise<void> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tribe-lint-'));
  try {
    const file = path.join(dir, name);
    writeFileSync(file, JSON.stringify(document));
    const redocly = path.join(ROOT, 'node_modules', '.bin', 'redocly');
    const { stdout } = await promisify(execFile)(
      redocly,
      ['lint', file, '--config', path.join(ROOT, 'redocly.yaml'), '--format=json', '--max-problems=50'],
      { cwd: ROOT, env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' } },
    ).catch((err: { stdout?: string }) => ({ stdout: err.stdout ?? '' }));
    const report = JSON.parse(stdout.slice(stdout.indexOf('{'))) as {
      totals: { errors: number; warnings: number };
      problems: Array<{ ruleId: string; message: string }>;
    };
    expect(report.problems.map((p) => `${p.ruleId}: ${p.message}`)).toEqual([]);
    expect(report.totals).toMatchObject({ errors: 0, warnings: 0 });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('issue 15.13: the WebSocket contract (asyncapi.json)', () => {
  const ajv = addFormats(new Ajv({ strict: false }));
  const compileAll = (docs: typeof CLIENT_EVENTS) =>
    new Map(docs.map((d) => [d.event, ajv.compile(JSON.parse(JSON.stringify(frameSchema(d))) as object)]));
  // Client and server events share a name (`typing`), not a shape: two maps.
  const clientValidators = compileAll(CLIENT_EVENTS);
  const validators = compileAll([...SERVER_REPLIES, ...SERVER_EVENTS]);

  it('is served at /asyncapi.json, equals the checked-in asyncapi.json and passes Redocly lint', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/asyncapi.json' });
    expect(res.statusCode).toBe(200);
    const served = res.json<{ asyncapi: string; operations: Record<string, unknown>; components: { schemas: Json } }>();
    expect(served.asyncapi).toBe('3.0.0');
    const documented = CLIENT_EVENTS.length + SERVER_REPLIES.length + SERVER_EVENTS.length;
    expect(Object.keys(served.operations)).toHaveLength(documented);
    expect(Object.keys(served.components.schemas)).toEqual(expect.arrayContaining(['Message', 'Notification']));
    const checkedIn = JSON.parse(readFileSync(path.join(ROOT, 'asyncapi.json'), 'utf8')) as unknown;
    expect(served, 'asyncapi.json is out of date: run `npm run openapi`').toEqual(checkedIn);
    await expectLintClean(served, 'asyncapi.json');
  }, 30_000);

  it('describes the frames a live gateway really sends and accepts', async () => {
    const base = await listen(t);
    const [a, b] = [await makeUser(t.ctx), await makeUser(t.ctx)];
    const conversationId = await makeConversation(t.ctx, [a, b]);
    const wa = await WsClient.connect(base, `token=${a.accessToken}`);
    const wb = await WsClient.connect(base, `token=${b.accessToken}`);
    try {
      const sent: Frame[] = [
        { event: 'ping' },
        { event: 'subscribe', channel: 'conversation', conversation_id: conversationId },
        { event: 'typing', conversation_id: conversationId, is_typing: true },
        { event: 'presence', status: 'online' },
        { event: 'dance' },
      ];
      wb.send({ event: 'subscribe', channel: 'conversation', conversation_id: conversationId });
      await wb.next((f) => f.event === 'subscribed');
      for (const frame of sent) wa.send(frame);
      await wa.next((f) => f.event === 'error' && f.request_event === 'dance');
      await wb.next((f) => f.event === 'typing');
      const message = (await t.app.inject({
        method: 'POST',
        url: `/api/v1/conversations/${conversationId}/messages`,
        headers: a.auth,
        payload: { content: 'hello' },
      })).json<{ id: string }>();
      await wb.next((f) => f.event === 'message.new');
      await t.app.inject({ method: 'POST', url: `/api/v1/conversations/${conversationId}/read`, headers: b.auth, payload: {} });
      await wa.next((f) => f.event === 'message.read');
      await t.app.inject({ method: 'PUT', url: `/api/v1/conversations/${conversationId}/messages/${message.id}`, headers: a.auth, payload: { content: 'hello!' } });
      await wb.next((f) => f.event === 'message.updated');
      await t.app.inject({ method: 'DELETE', url: `/api/v1/conversations/${conversationId}/messages/${message.id}`, headers: a.auth });
      await wb.next((f) => f.event === 'message.deleted');
      wa.send({ event: 'unsubscribe', channel: 'conversation', conversation_id: conversationId });
      await wa.next((f) => f.event === 'unsubscribed');

      // What the client sent is what the contract documents (the unknown `dance` aside).
      for (const frame of sent.filter((f) => f.event !== 'dance')) expect(clientValidators.get(frame.event)!(frame), frame.event).toBe(true);
      const received: Frame[] = [...wa.frames, ...wb.frames];
      const events = new Set(received.map((f) => f.event));
      for (const name of ['connected', 'pong', 'subscribed', 'unsubscribed', 'error', 'typing', 'message.new', 'message.read', 'message.updated', 'message.deleted']) {
        expect(events, name).toContain(name);
      }
      const problems = received.flatMap((frame) => {
        const name = frame.event;
        const text = JSON.stringify(frame).slice(0, 300);
        const validate = validators.get(name);
        if (!validate) return [`undocumented event ${name}`];
        return validate(frame) ? [] : [`${name}: ${ajv.errorsText(validate.errors)} in ${text}`];
      });
      expect(problems).toEqual([]);
    } finally {
      await wa.close();
      await wb.close();
    }
  }, 30_000);
});

/** A small app against the generated types: typed bodies, typed responses, operations by operationId. */
const CLIENT_PROGRAM = `
import type { components, operations, paths } from './api';

type Body<Op extends keyof operations> = operations[Op] extends { requestBody?: { content: { 'application/json': infer B } } } ? B : never;
type Ok<Op extends keyof operations, S extends number> = operations[Op]['responses'] extends Record<S, { content: { 'application/json': infer R } }> ? R : never;

async function call<Op extends keyof operations, S extends number>(method: string, url: string, body?: Body<Op>, token?: string): Promise<Ok<Op, S>> {
  const res = await fetch('http://localhost:8000' + url, {
    method,
    headers: { 'content-type': 'application/json', ...(token ? { authorization: 'Bearer ' + token } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!res.ok) {
    const problem = (await res.json()) as components['schemas']['ErrorBody'];
    throw new Error(problem.error.code + ': ' + problem.error.details.map((d) => (d.field ?? '') + ' ' + d.message).join('; '));
  }
  return (await res.json()) as Ok<Op, S>;
}

export async function firstDay(): Promise<string[]> {
  const session = await call<'logIn', 200>('POST', '/api/v1/auth/login', { email: 'a@example.com', password: 'SecurePass123!' });
  const token: string = session.access_token;
  const me: components['schemas']['AuthUser'] = session.user;

  const goal = await call<'createGoal', 201>('POST', '/api/v1/goals', {
    title: 'Run a marathon',
    goal_type: 'individual',
    target_type: 'date',
    target_date: '2030-01-01',
  }, token);
  const goalTitle: string = goal.title;

  type Direction = NonNullable<paths['/api/v1/friends/requests']['get']['parameters']['query']>['direction'];
  const direction: Direction = 'sent';
  // @ts-expect-error: an enum is a closed set of values
  const wrong: Direction = 'type';
  void wrong;
  const requests = await call<'listFriendRequests', 200>('GET', '/api/v1/friends/requests?direction=' + direction, undefined, token);
  const names = requests.requests.map((r: components['schemas']['FriendRequest']) => r.user.username);
  const pages: number = requests.pagination.total_pages;

  const post: components['schemas']['Post'] = await call<'createPost', 201>('POST', '/api/v1/posts', { caption: 'Day one' }, token);
  return [me.username, goalTitle, ...names, String(pages), post.id];
}
`;

describe('issue 15.14: no silent misreads — unknown query parameters refused, messages in words', () => {
  const ajv = addFormats(new Ajv({ strict: false }));

  /** A value that passes `schema` (for path parameters and bodies), so the query string is what fails. */
  function validValue(raw: Json): unknown {
    const schema = resolve(raw);
    if ('const' in schema) return schema.const;
    if (Array.isArray(schema.enum)) return schema.enum[0];
    const branches = (schema.anyOf ?? schema.oneOf) as Json[] | undefined;
    if (branches) return validValue(branches.find((b) => b.type !== 'null') ?? branches[0]!);
    switch (schema.type) {
      case 'object': {
        const properties = (schema.properties ?? {}) as Record<string, Json>;
        const required = (schema.required ?? []) as string[];
        if (required.length === 0 && Number(schema.minProperties ?? 0) > 0) required.push(Object.keys(properties)[0]!);
        return Object.fromEntries(required.map((name) => [name, validValue(properties[name]!)]));
      }
      case 'array':
        return Array.from({ length: Number(schema.minItems ?? 0) }, (_, i) => {
          const item = validValue(schema.items as Json);
          return typeof item === 'number' ? item + i : item;
        });
      case 'integer':
      case 'number':
        return Number(schema.minimum ?? 1) + (schema.exclusiveMinimum !== undefined ? 1 : 0);
      case 'boolean':
        return true;
      default: {
        const min = Number(schema.minLength ?? 0);
        const candidates = [randomUUID(), new Date(Date.now() + 86_400_000).toISOString(), '2030-01-01', 'new_user', 'USD',
          '08:00', '#3366FF', 'https://example.com/a.jpg', 'someone@example.com', 'Europe/Berlin', 'SecurePass123!', 'a'.repeat(Math.max(min, 1))];
        const check = ajv.compile(schema);
        return candidates.find((c) => check(c)) ?? 'a'.repeat(Math.max(min, 1));
      }
    }
  }

  it('refuses an unknown query parameter on every documented route with 422 naming it', async () => {
    const failures: string[] = [];
    for (const { path: p, method, op } of operations()) {
      let url = p;
      for (const param of op.parameters ?? []) {
        if (param.in === 'path') url = url.replace(`{${param.name}}`, encodeURIComponent(String(validValue(param.schema ?? {}))));
      }
      const json = op.requestBody?.content['application/json'];
      const res = await t.app.inject({
        method: method.toUpperCase() as 'GET',
        url: `${url}?unexpected_param=1`,
        headers: caller.auth,
        ...(json ? { payload: validValue(json.schema) as object } : {}),
      });
      const body = res.json<{ error?: { code: string; details: Array<{ field?: string; in?: string; message: string }> } }>();
      const named = body.error?.details.some((d) => d.field === 'unexpected_param' && d.message === 'is not an accepted field');
      if (res.statusCode !== 422 || !named) failures.push(`${method.toUpperCase()} ${p} → ${res.statusCode} ${res.body.slice(0, 160)}`);
    }
    expect(failures).toEqual([]);
  }, 60_000);

  it('GET /friends/requests?type=sent is 422 naming `type`, not the received list', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/v1/friends/requests?type=sent', headers: caller.auth });
    expect(res.statusCode).toBe(422);
    expect(res.json().error).toMatchObject({
      code: 'validation_failed',
      message: 'Invalid type',
      details: [{ field: 'type', in: 'querystring', message: 'is not an accepted field' }],
    });
    const ok = await t.app.inject({ method: 'GET', url: '/api/v1/friends/requests?direction=sent&page=1', headers: caller.auth });
    expect(ok.statusCode).toBe(200);
  });

  it('lists the allowed values of an enum', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/v1/friends/requests?direction=outgoing', headers: caller.auth });
    expect(res.statusCode).toBe(422);
    expect(res.json().error.details).toEqual([{ field: 'direction', in: 'querystring', message: 'must be one of: received, sent' }]);
    const body = await t.app.inject({ method: 'PUT', url: '/api/v1/settings/appearance', headers: caller.auth, payload: { theme_mode: 'neon' } });
    expect(body.statusCode).toBe(422);
    expect(body.json().error.details).toEqual([{ field: 'theme_mode', in: 'body', message: 'must be one of: light, dark, system' }]);
  });

  it('says what a username may be in words, not as a regex, and writes nothing', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/register',
      payload: { email: 'new@example.com', username: 'no spaces!', full_name: 'New', password: 'SecurePass123!', confirm_password: 'SecurePass123!' },
    });
    expect(res.statusCode).toBe(422);
    const detail = res.json().error.details.find((d: { field: string }) => d.field === 'username');
    expect(detail.message).toBe(USERNAME_RULE);
    expect(res.body).not.toContain('[A-Za-z0-9_.]');
    const login = await t.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email: 'new@example.com', password: 'SecurePass123!' } });
    expect(login.statusCode).toBe(401);
  });

  it('explains every pattern of the contract in words (no message holds a raw regex)', () => {
    const compile = buildValidatorCompiler([]);
    const patterned = [...schemasIn(doc, '#')].filter(({ schema }) => typeof schema.pattern === 'string');
    expect(patterned.length).toBeGreaterThan(5);
    const candidates = ['\u0000', '!!', ' ', 'a b', '#12', 'lowercase', 'http//', '25:99'];
    const problems: string[] = [];
    for (const { schema, where } of patterned) {
      const pattern = new RegExp(String(schema.pattern), 'u');
      const bad = candidates.find((c) => !pattern.test(c));
      if (bad === undefined) {
        problems.push(`${where}: no candidate breaks ${String(schema.pattern)}`);
        continue;
      }
      const validate = compile({ schema, httpPart: 'body', method: 'POST', url: '/x' }) as ((v: unknown) => boolean) & {
        errors: Array<{ keyword: string; message: string }>;
      };
      expect(validate(bad)).toBe(false);
      const message = validate.errors.find((e) => e.keyword === 'pattern')?.message ?? '';
      if (!message || message.includes(String(schema.pattern)) || /[\^$\\[]/.test(message) || message === 'is not in the accepted format') {
        problems.push(`${where}: "${message}"`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('words the other rules too: formats, types, lengths, ranges', async () => {
    const uuid = await t.app.inject({ method: 'GET', url: '/api/v1/goals/not-a-uuid', headers: caller.auth });
    expect(uuid.json().error.details).toEqual([{ field: 'goalId', in: 'params', message: 'must be a UUID' }]);
    const range = await t.app.inject({ method: 'GET', url: '/api/v1/friends?limit=500', headers: caller.auth });
    expect(range.json().error.details).toEqual([{ field: 'limit', in: 'querystring', message: 'must be at most 100' }]);
    const type = await t.app.inject({ method: 'GET', url: '/api/v1/friends?limit=many', headers: caller.auth });
    expect(type.json().error.details).toEqual([{ field: 'limit', in: 'querystring', message: 'must be a whole number' }]);
  });
});
