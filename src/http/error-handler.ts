import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isUnstorableText } from '../infra/db/errors.js';
import { dependencyFailure } from '../infra/dependency-failure.js';
import { noErrorReporting, type ErrorReporter } from '../infra/error-reporting/error-reporter.js';
import { errorForLog } from '../infra/logger.js';
import { AppError, type AppErrorDetail, type AppErrorKind } from '../lib/app-error.js';
import { CONTROL_CHARACTER_MESSAGES } from './schemas.js';

const STATUS_BY_KIND: Record<AppErrorKind, number> = {
  bad_request: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  too_large: 413,
  unsupported_media: 415,
  validation: 422,
  rate_limited: 429,
  unavailable: 503,
};

interface AjvIssue {
  keyword: string;
  instancePath: string;
  message?: string;
  params: Record<string, unknown>;
}

function fieldOf(issue: AjvIssue): string {
  const path = issue.instancePath.replace(/^\//, '').replace(/\//g, '.');
  const extra =
    (issue.params.missingProperty as string | undefined) ?? (issue.params.additionalProperty as string | undefined);
  if (extra) return path ? `${path}.${extra}` : extra;
  return path;
}

function messageOf(issue: AjvIssue): string {
  if (issue.keyword === 'additionalProperties') return 'is not an accepted field';
  if (issue.keyword === 'required') return 'is required';
  if (issue.keyword === 'pattern') {
    const userText = CONTROL_CHARACTER_MESSAGES[String(issue.params.pattern)];
    if (userText) return userText;
  }
  return issue.message ?? 'is invalid';
}

function validationDetails(error: FastifyError): AppErrorDetail[] {
  const seen = new Set<string>();
  const details: AppErrorDetail[] = [];
  for (const issue of (error.validation ?? []) as unknown as AjvIssue[]) {
    // anyOf/oneOf branches repeat the same field; keep the first, most specific message.
    if (issue.keyword === 'anyOf' || issue.keyword === 'oneOf') continue;
    const field = fieldOf(issue) || (error.validationContext ?? 'request');
    if (seen.has(field)) continue;
    seen.add(field);
    details.push({ field, in: error.validationContext, message: messageOf(issue) });
  }
  return details;
}

function send(reply: FastifyReply, status: number, code: string, message: string, details: AppErrorDetail[] = []) {
  return reply.status(status).send({ error: { code, message, details } });
}

/**
 * The only place where failures become HTTP statuses and error bodies (DESIGN.md §5). Unexpected
 * errors (the 500s) also go to the error reporter: method, route pattern and user id, nothing else
 * of the request.
 */
export function registerErrorHandling(app: FastifyInstance, errorReporter: ErrorReporter = noErrorReporting): void {
  app.setErrorHandler((error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    if (error instanceof AppError) {
      if (error.retryAfterSeconds !== undefined) reply.header('retry-after', String(error.retryAfterSeconds));
      return send(reply, STATUS_BY_KIND[error.kind], error.code, error.message, error.details);
    }
    if (error.validation) {
      const details = validationDetails(error);
      const fields = details.map((d) => d.field).filter(Boolean);
      return send(reply, 422, 'validation_failed', `Invalid ${fields.join(', ') || 'request'}`, details);
    }
    const status = error.statusCode ?? 500;
    if (status === 413 || error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
      return send(reply, 413, 'payload_too_large', 'The request body is too large');
    }
    if (status === 415 || error.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
      return send(reply, 415, 'unsupported_media_type', 'Unsupported Content-Type');
    }
    if (status >= 400 && status < 500) {
      // Fastify's own client errors: malformed JSON, empty JSON body, bad content length, ...
      return send(reply, status === 400 ? 400 : status, 'malformed_request', error.message);
    }
    if (isUnstorableText(error)) {
      // A text field without UserText let a NUL through; refused like the schemas refuse it. The
      // warning (no parameters: see errorForLog) points at the route that needs the schema fix.
      request.log.warn({ err: errorForLog(error) }, 'text the database cannot store reached it');
      return send(reply, 422, 'validation_failed', 'The request holds text that cannot be stored', [
        { message: 'must not contain U+0000 (NUL)' },
      ]);
    }
    const unavailable = dependencyFailure(error);
    if (unavailable) {
      // Not a bug: the dependency's real cause (SQLSTATE, errno) is logged, the client is told to retry.
      request.log.warn({ err: errorForLog(error), dependency: unavailable.dependency, reason: unavailable.reason }, 'dependency unavailable');
      reply.header('retry-after', String(unavailable.retryAfterSeconds));
      return unavailable.dependency === 'storage'
        ? send(reply, 503, 'storage_unavailable', 'Media storage is unavailable; try again later')
        : send(reply, 503, 'service_unavailable', 'The service is temporarily unavailable; try again later');
    }
    // Only a projection is logged: a driver error's message and fields hold the statement's parameters.
    request.log.error({ err: errorForLog(error) }, 'unhandled error');
    errorReporter.report({
      error,
      source: 'http',
      request: { method: request.method, route: request.routeOptions.url ?? 'unknown route', requestId: request.id },
      userId: request.principal?.userId,
    });
    return send(reply, 500, 'internal_error', 'Something went wrong on our side');
  });

  app.setNotFoundHandler((request, reply) =>
    send(reply, 404, 'route_not_found', `No route ${request.method} ${request.url.split('?')[0]}`),
  );
}
