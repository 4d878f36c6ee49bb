import { randomUUID } from 'node:crypto';
import { errorForLog, maskTokenInUrl } from '../logger.js';
import type { ErrorReport } from './error-reporter.js';

export interface SentryEventMeta {
  release: string;
  environment: string;
  /** Absolute path of the application root: frames under it are named relative to it. */
  appRoot: string;
  now: () => Date;
}

interface SentryFrame {
  function?: string;
  filename: string;
  abs_path: string;
  lineno?: number;
  colno?: number;
  in_app: boolean;
}

const MAX_FRAMES = 50;
const MAX_VALUE_CHARS = 1_000;

/** `    at fn (file:///app/src/x.ts:10:5)` / `    at file:///app/src/x.ts:10:5` / `    at async fn (node:internal/...)`. */
const FRAME_LINE = /^\s*at (?:(.+?) \()?(.+?)(?::(\d+))?(?::(\d+))?\)?$/;

/** V8 stack lines → Sentry frames, oldest call first (Sentry's order); frames outside node_modules and node: are in_app. */
export function stackFrames(stack: string | undefined, appRoot: string): SentryFrame[] {
  const root = appRoot.endsWith('/') ? appRoot : `${appRoot}/`;
  const frames: SentryFrame[] = [];
  for (const line of (stack ?? '').split('\n')) {
    if (!/^\s+at /.test(line)) continue;
    const match = FRAME_LINE.exec(line);
    if (!match) continue;
    const [, fn, location = '', lineno, colno] = match;
    const absPath = location.replace(/^file:\/\//, '');
    frames.push({
      ...(fn ? { function: fn.replace(/^async /, '') } : {}),
      filename: absPath.startsWith(root) ? absPath.slice(root.length) : absPath,
      abs_path: absPath,
      ...(lineno ? { lineno: Number(lineno) } : {}),
      ...(colno ? { colno: Number(colno) } : {}),
      in_app: !absPath.includes('/node_modules/') && !absPath.startsWith('node:'),
    });
    if (frames.length === MAX_FRAMES) break;
  }
  return frames.reverse();
}

/**
 * The Sentry event of a report. The exception goes through the same projection as the logs
 * (`errorForLog`: a database error keeps its SQLSTATE and the server's message, never the statement
 * or its parameters) and URLs in its message are masked; the request is its method and route
 * pattern only, the user their id only.
 */
export function sentryEvent(report: ErrorReport, meta: SentryEventMeta): Record<string, unknown> {
  const projected = errorForLog(report.error);
  const fields = projected && typeof projected === 'object' ? (projected as Record<string, unknown>) : {};
  const type = typeof fields.type === 'string' ? fields.type : report.error instanceof Error ? report.error.name : 'NonError';
  const rawValue = typeof fields.message === 'string' ? fields.message : describeNonError(report.error);
  const value = maskTokenInUrl(rawValue).slice(0, MAX_VALUE_CHARS);
  const frames = stackFrames(typeof fields.stack === 'string' ? fields.stack : undefined, meta.appRoot);
  const route = report.request ? `${report.request.method} ${report.request.route}` : undefined;
  return {
    event_id: randomUUID().replaceAll('-', ''),
    timestamp: meta.now().getTime() / 1000,
    platform: 'node',
    level: 'error',
    logger: 'tribe',
    release: meta.release,
    environment: meta.environment,
    ...(route ? { transaction: route } : {}),
    exception: {
      values: [
        {
          type,
          value,
          ...(frames.length > 0 ? { stacktrace: { frames } } : {}),
          mechanism: { type: report.source, handled: false },
        },
      ],
    },
    ...(report.request ? { request: { method: report.request.method } } : {}),
    ...(report.userId ? { user: { id: report.userId } } : {}),
    tags: {
      source: report.source,
      ...(report.request ? { method: report.request.method, route: report.request.route } : {}),
      ...(report.request?.requestId ? { request_id: report.request.requestId } : {}),
    },
    contexts: { runtime: { name: 'node', version: process.version } },
  };
}

function describeNonError(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value === undefined || value === null || typeof value !== 'object') return String(value);
  return `non-error ${value.constructor?.name ?? 'object'} thrown`;
}

/** The envelope of one event: its header, the item header and the event, one JSON per line. */
export function sentryEnvelope(event: Record<string, unknown>, sentAt: Date): string {
  const body = JSON.stringify(event);
  return [
    JSON.stringify({ event_id: event.event_id, sent_at: sentAt.toISOString() }),
    JSON.stringify({ type: 'event', content_type: 'application/json', length: Buffer.byteLength(body) }),
    body,
  ].join('\n');
}
