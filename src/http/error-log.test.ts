import { sql } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { countRows } from '../../test/factories.js';
import { createTestApp, type TestApp } from '../../test/harness.js';
import type { NewAccount } from '../features/users/users.service.js';
import { errorForLog } from '../infra/logger.js';
import { captureLogs } from '../../test/capture.js';

let t: TestApp;
const { logger, lines } = captureLogs();

beforeAll(async () => {
  t = await createTestApp({ env: { RATE_LIMIT_ENABLED: 'false' }, overrides: { logger } });
});
afterEach(() => {
  vi.restoreAllMocks();
  lines.length = 0;
});
afterAll(async () => t?.close());

const password = 'Quiet-Horse-Battery-42';
let n = 0;
const register = (fullName = 'Log Tester') => {
  n += 1;
  return t.app.inject({
    method: 'POST',
    url: '/api/v1/auth/register',
    payload: { email: `errlog${n}@example.com`, username: `errlog_${n}`, full_name: fullName, password, confirm_password: password },
  });
};

/** Makes the account insert run `statement` instead (a real statement on the real engine); returns the hash it was given. */
function failAccountInsertWith(statement: (account: NewAccount) => ReturnType<typeof sql>): { hash: () => string } {
  let hash = '';
  vi.spyOn(t.ctx.services.users, 'createAccount').mockImplementation(async (account) => {
    hash = account.passwordHash;
    await t.ctx.database.db.execute(statement(account));
    throw new Error('unreachable: the statement fails');
  });
  return { hash: () => hash };
}

describe('issue 14.5: NUL bytes → 422, and no query parameters in the error log', () => {
  it('registration with a NUL in full_name → 422 naming full_name, no account', async () => {
    const before = await countRows(t.ctx, 'users');
    const res = await register('Log\u0000Tester');
    expect(res.statusCode, res.body).toBe(422);
    expect(res.json().error).toMatchObject({ code: 'validation_failed', details: [{ field: 'full_name' }] });
    expect(await countRows(t.ctx, 'users')).toBe(before);
  });

  it('a driver error during registration → 500, and the log has its SQLSTATE and table but neither the hash nor the statement', async () => {
    const forced = failAccountInsertWith((a) => sql`insert into no_such_table (password_hash, email) values (${a.passwordHash}, ${a.email})`);
    const res = await register();
    expect(res.statusCode, res.body).toBe(500);
    expect(res.json().error.code).toBe('internal_error');
    expect(forced.hash()).toMatch(/^\$argon2id\$/);
    const log = lines.join('\n');
    expect(log).not.toContain(forced.hash());
    expect(log).not.toContain('$argon2');
    expect(log).not.toContain('no_such_table (password_hash');
    expect(log).not.toContain(password);
    const entry = lines.map((l) => JSON.parse(l)).find((l) => l.msg === 'unhandled error');
    expect(entry?.err).toMatchObject({ db: { code: '42P01', severity: 'ERROR' } });
  });

  it('a NUL that reaches PostgreSQL anyway (no schema in front) → 422 validation_failed, not 500, and no parameters logged', async () => {
    const forced = failAccountInsertWith((a) => sql`select ${a.passwordHash}::text as h, ${'x\u0000y'}::text as t`);
    const res = await register();
    expect(res.statusCode, res.body).toBe(422);
    expect(res.json().error).toMatchObject({ code: 'validation_failed', details: [{ message: expect.stringContaining('U+0000') }] });
    const entry = lines.map((l) => JSON.parse(l)).find((l) => l.msg === 'text the database cannot store reached it');
    expect(entry?.err).toMatchObject({ db: { code: '22021' } });
    expect(lines.join('\n')).not.toContain(forced.hash());
  });

  it('errorForLog keeps a driver error’s code, message, table and constraint, and drops statement, parameters and detail', () => {
    const cause = Object.assign(new Error('duplicate key value violates unique constraint "users_email_key"'), {
      code: '23505',
      severity: 'ERROR',
      table: 'users',
      constraint: 'users_email_key',
      detail: 'Key (email)=(secret@example.com) already exists.',
      params: ['secret-param'],
    });
    const wrapped = Object.assign(new Error('Failed query: insert into users values ($1)\nparams: secret-param'), {
      query: 'insert into users values ($1)',
      params: ['secret-param'],
      cause,
    });
    const out = JSON.stringify(errorForLog(wrapped));
    expect(JSON.parse(out)).toMatchObject({ db: { code: '23505', table: 'users', constraint: 'users_email_key' } });
    expect(out).not.toContain('secret');
    expect(out).not.toContain('insert into');
    const plain = JSON.stringify(errorForLog(Object.assign(new Error('boom'), { params: ['p1'], query: 'q1', values: ['v1'] })));
    expect(plain).toContain('boom');
    expect(plain).not.toMatch(/p1|q1|v1/);
  });

  it('the logger redacts err.params and err.query even when a plain object is logged as err, and multipart’s trace of the headers', () => {
    const { logger, lines: out } = captureLogs();
    logger.error({ err: { message: 'x', params: ['secret-1'], query: 'secret-2', cause: { params: ['secret-3'] } } }, 'failed');
    // @fastify/multipart's own trace line (found by the suite's log search, test/log-secrets.ts).
    logger.trace({ busboyOptions: { headers: { authorization: 'Bearer secret-4', cookie: 'sid=secret-5' } } }, 'Providing options to busboy');
    expect(out).toHaveLength(2);
    expect(out.join('')).not.toMatch(/secret-/);
  });
});
