import pino, { type DestinationStream, type Logger } from 'pino';
import { summarizeDatabaseError } from './db/errors.js';

/** Paths pino blanks out, so secrets and tokens never reach the logs. */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
  // @fastify/multipart logs the request's headers at trace level ("Providing options to busboy").
  'busboyOptions.headers.authorization',
  'busboyOptions.headers.cookie',
  '*.password',
  '*.new_password',
  '*.confirm_password',
  '*.refresh_token',
  '*.access_token',
  '*.token',
  '*.passwordHash',
  '*.password_hash',
  // A failed statement's text and parameters (a registration's include the new password hash).
  // errorForLog drops them already; these paths are the second line.
  'err.query',
  'err.params',
  'err.parameters',
  'err.values',
  'err.cause.query',
  'err.cause.params',
  'err.cause.parameters',
  'err.cause.values',
];

/** Keys of driver errors that hold a statement or its values. */
const STATEMENT_KEYS = ['query', 'params', 'parameters', 'values', 'queryOptions', 'internalQuery'];
const safeForLog = new WeakSet<object>();

function causeChain(err: object): Array<Record<string, unknown>> {
  const chain: Array<Record<string, unknown>> = [];
  let current: unknown = err;
  while (chain.length < 5 && current && typeof current === 'object') {
    chain.push(current as Record<string, unknown>);
    current = (current as { cause?: unknown }).cause;
  }
  return chain;
}

const isFailedQuery = (e: Record<string, unknown>) =>
  typeof e.message === 'string' && e.message.startsWith('Failed query:');

/** Only the `at ...` lines of a stack: its first line repeats the message, which may hold parameters. */
function stackFrames(err: Record<string, unknown>): string {
  const stack = typeof err.stack === 'string' ? err.stack : '';
  return stack
    .split('\n')
    .filter((line) => /^\s+at /.test(line))
    .join('\n');
}

/**
 * What the logs may keep of an error. Database errors (a driver's, or Drizzle's wrapper, whose
 * message holds the statement and its parameters) become their SQLSTATE, the server's message and
 * the table/constraint names plus stack frames; any other error loses statement-like keys.
 */
export function errorForLog(err: unknown): unknown {
  if (!err || typeof err !== 'object' || safeForLog.has(err)) return err;
  const chain = causeChain(err);
  const head = chain[0]!;
  if (typeof head.message !== 'string') return err;
  const type = typeof head.constructor === 'function' && head.constructor.name !== 'Object' ? head.constructor.name : String(head.name ?? 'Error');
  const db = summarizeDatabaseError(err);
  let out: Record<string, unknown>;
  if (db || chain.some(isFailedQuery)) {
    const message = db ? `database error ${db.code}: ${db.message}` : 'database query failed (statement and parameters not logged)';
    out = { type, message, stack: `${type}: ${message}\n${stackFrames(head)}`, ...(db ? { db } : {}) };
  } else {
    out = { ...(pino.stdSerializers.err(err as Error) as unknown as Record<string, unknown>) };
    for (const key of STATEMENT_KEYS) delete out[key];
  }
  safeForLog.add(out);
  return out;
}

/** The process logger: JSON lines, with the request URL's `token` query parameter masked. */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  const options: pino.LoggerOptions = {
    level,
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    serializers: {
      err: errorForLog,
      req(req: { method: string; url: string; id?: string; ip?: string; headers?: Record<string, unknown> }) {
        return {
          id: req.id,
          method: req.method,
          url: maskTokenInUrl(req.url),
          remoteAddress: req.ip,
          userAgent: req.headers?.['user-agent'],
        };
      },
    },
  };
  return destination ? pino(options, destination) : pino(options);
}

/**
 * `/ws?token=abc` → `/ws?token=[redacted]` (tokens in query strings must not be logged), the
 * signatures of signed media URLs (`sig`, `X-Amz-Signature`): a logged one would open private media,
 * and friend invite codes in redemption paths (`/friends/invite/{code}`): a logged one would let its
 * reader send requests past the owner's setting.
 */
export function maskTokenInUrl(url: string): string {
  return url
    .replace(/([?&](?:token|access_token|refresh_token|sig|x-amz-signature)=)[^&#]*/gi, '$1[redacted]')
    .replace(/(\/friends\/invite\/)(?!rotate(?:[?#]|$))[^/?#]+/gi, '$1[redacted]');
}
