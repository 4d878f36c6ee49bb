import { LogController, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';

/**
 * The fields of a request's one log line. `req` goes through the logger's `req` serializer
 * (infra/logger.ts): request id, method, URL with tokens and media signatures masked, remote
 * address, user agent; the line's `reqId` binding repeats the id (X-Request-Id).
 */
function requestLine(request: FastifyRequest, statusCode: number | undefined, responseTime: number | undefined) {
  return {
    req: request,
    res: statusCode === undefined ? undefined : { statusCode },
    responseTime: responseTime === undefined ? undefined : Math.round(responseTime * 10) / 10,
    userId: request.principal?.userId,
  };
}

/**
 * One log line per request, written when the response has been sent ("request completed": status
 * and milliseconds, and the caller's user id when the request was authenticated), instead of
 * Fastify's default pair of "incoming request" and "request completed" lines. Errors keep their
 * own line from the error handler (http/error-handler.ts).
 */
export class OneLinePerRequest extends LogController {
  override incomingRequest(): void {}

  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    if (this.isLogDisabled(request)) return;
    const line = requestLine(request, reply.statusCode, reply.elapsedTime);
    if (error) reply.log.error({ ...line, err: error }, 'request errored');
    else reply.log.info(line, 'request completed');
  }
}

/** A request the client gave up on before its response was sent gets its one line here (no status). */
export function registerRequestAbortLog(app: FastifyInstance): void {
  app.addHook('onRequestAbort', async (request) => {
    request.log.info(requestLine(request, undefined, undefined), 'request aborted');
  });
}
