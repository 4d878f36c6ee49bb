import { DrizzleQueryError } from 'drizzle-orm/errors';
import Fastify, { type FastifyInstance } from 'fastify';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../test/own-redis.js';
import { registerErrorHandling } from '../http/error-handler.js';
import { AppError } from '../lib/app-error.js';
import { DatabaseAcquireTimeoutError } from './db/connection-gate.js';
import { dependencyFailure } from './dependency-failure.js';
import { StorageUnavailableError, storageUnavailableReason } from './storage/storage-errors.js';

/** A driver error as pg (and PGlite) raise it: SQLSTATE, severity, message. */
const sqlState = (code: string, message = `server said ${code}`) => Object.assign(new Error(message), { code, severity: 'ERROR' });
/** ... and as Drizzle hands it on: wrapped, with the statement in the message. */
const wrapped = (cause: Error) => new DrizzleQueryError('select * from users where id = $1', ['u1'], cause);
const errno = (code: string) => Object.assign(new Error(`${code}: something, open '/data/media/x'`), { code, errno: -1, syscall: 'open' });

let app: FastifyInstance;
let thrown: unknown;
beforeAll(async () => {
  app = Fastify({ logger: false });
  registerErrorHandling(app);
  app.get('/boom', async () => {
    throw thrown;
  });
  await app.ready();
});
afterAll(async () => app.close());

async function answer(err: unknown) {
  thrown = err;
  const res = await app.inject({ method: 'GET', url: '/boom' });
  return { status: res.statusCode, code: res.json<{ error: { code: string } }>().error.code, retryAfter: res.headers['retry-after'] };
}

describe('issue 15.4: which errors mean "a dependency is unavailable" (503) and which are bugs (500)', () => {
  it.each([
    ['57014 statement timeout', sqlState('57014', 'canceling statement due to statement timeout'), '1'],
    ['55P03 lock timeout', sqlState('55P03', 'canceling statement due to lock timeout'), '1'],
    ['25P03 idle-in-transaction timeout', sqlState('25P03'), '1'],
    ['57P01 admin shutdown', sqlState('57P01', 'terminating connection due to administrator command'), '5'],
    ['57P02 crash shutdown', sqlState('57P02'), '5'],
    ['57P03 starting up', sqlState('57P03', 'the database system is starting up'), '5'],
    ['53300 too many connections', sqlState('53300', 'sorry, too many clients already'), '5'],
    ['08006 connection failure', sqlState('08006'), '5'],
    ['a wrapped 57014', wrapped(sqlState('57014')), '1'],
    ['ECONNREFUSED', errno('ECONNREFUSED'), '5'],
    ['ECONNRESET wrapped by Drizzle', wrapped(errno('ECONNRESET')), '5'],
    ['ETIMEDOUT', errno('ETIMEDOUT'), '5'],
    ['an AggregateError of refused connections (several addresses)', Object.assign(new AggregateError([errno('ECONNREFUSED'), errno('ECONNREFUSED')]), { code: 'ECONNREFUSED' }), '5'],
    ['Connection terminated unexpectedly', new Error('Connection terminated unexpectedly'), '5'],
    ['a client that is not queryable', new Error('Client has encountered a connection error and is not queryable'), '5'],
    ['pg-pool acquire timeout', new Error('timeout exceeded when trying to connect'), '1'],
    ['the PGlite gate timeout', new DatabaseAcquireTimeoutError(7000), '1'],
    ['ioredis with Redis away (no offline queue)', new Error("Stream isn't writeable and enableOfflineQueue options is false"), '5'],
    ['ioredis command timeout', new Error('Command timed out'), '5'],
    ['ioredis connection closed', new Error('Connection is closed.'), '5'],
    ['Redis loading its dataset', Object.assign(new Error('LOADING Redis is loading the dataset in memory'), { name: 'ReplyError' }), '5'],
  ])('%s → 503 service_unavailable with Retry-After', async (_name, err, retryAfter) => {
    expect(await answer(err)).toEqual({ status: 503, code: 'service_unavailable', retryAfter });
  });

  it('a real refused connection from pg is one', async () => {
    const client = new pg.Client({ connectionString: `postgres://postgres@127.0.0.1:${await freePort()}/x` });
    const err = await client.connect().catch((e: unknown) => e);
    expect(dependencyFailure(err)).toMatchObject({ dependency: 'database', reason: 'ECONNREFUSED' });
  });

  it.each([
    ['a TypeError', new TypeError("Cannot read properties of undefined (reading 'id')")],
    ['a unique violation that no service turned into a 409', wrapped(sqlState('23505', 'duplicate key value violates unique constraint "users_email_key"'))],
    ['a syntax error', wrapped(sqlState('42601', 'syntax error at or near "form"'))],
    ['a missing column', sqlState('42703')],
    ['a deadlock (a bug in lock order)', sqlState('40P01')],
    ['ENOENT of a missing file', errno('ENOENT')],
    ['a Redis WRONGTYPE reply', Object.assign(new Error('WRONGTYPE Operation against a key holding the wrong kind of value'), { name: 'ReplyError' })],
  ])('%s stays a 500 internal_error', async (_name, err) => {
    expect(await answer(err)).toEqual({ status: 500, code: 'internal_error', retryAfter: undefined });
  });

  it('an AppError keeps its own status (a 409 stays a 409)', async () => {
    expect(await answer(new AppError('conflict', 'email_taken', 'taken'))).toMatchObject({ status: 409, code: 'email_taken' });
  });
});

describe('issue 15.5: which storage errors mean "storage unavailable" (503 storage_unavailable)', () => {
  it.each(['EROFS', 'EACCES', 'EPERM', 'ENOSPC', 'EDQUOT', 'EIO', 'ENOTDIR'])('%s from the disk → 503 storage_unavailable', async (code) => {
    expect(storageUnavailableReason(errno(code))).toMatch(new RegExp(`^${code} \\(`));
    expect(await answer(new StorageUnavailableError('put posts/p1/v1/large.jpg', code, { cause: errno(code) }))).toEqual({
      status: 503,
      code: 'storage_unavailable',
      retryAfter: '30',
    });
  });

  it('S3 network failures, 5xx answers and throttling are; a 4xx answer (a bug or misconfiguration) is not', () => {
    const s3 = (name: string, status: number) => Object.assign(new Error(name), { name, $metadata: { httpStatusCode: status } });
    expect(storageUnavailableReason(errno('ECONNREFUSED'))).toBe('ECONNREFUSED');
    expect(storageUnavailableReason(s3('InternalError', 500))).toBe('S3 500 InternalError');
    expect(storageUnavailableReason(s3('ServiceUnavailable', 503))).toBe('S3 503 ServiceUnavailable');
    expect(storageUnavailableReason(Object.assign(new Error('slow down'), { name: 'SlowDown' }))).toBe('S3 SlowDown');
    expect(storageUnavailableReason(s3('NoSuchKey', 404))).toBeUndefined();
    expect(storageUnavailableReason(errno('ENOENT'))).toBeUndefined();
  });
});
