import type { FastifyInstance } from 'fastify';
import { AppError } from '../lib/app-error.js';

/** The `Retry-After` of a request refused while this instance closes: another one can take it at once. */
const RETRY_AFTER_CLOSING_SECONDS = 1;

/**
 * While the app closes (SIGTERM: main.ts), every response still being sent says
 * `Connection: close`, so the request in flight ends its keep-alive connection with it. Fastify
 * closes only the connections idle when closing starts and marks only requests arriving later; a
 * connection whose request was in flight would otherwise stay open until the client's keep-alive
 * timeout (5 s for Node's agent, a minute or more for some clients and load balancers), holding the
 * shutdown up to its forced exit. A request that arrives once closing has begun (on a kept-alive
 * connection, or a new one before the listener stops) is answered 503 `shutting_down` with
 * `Retry-After` (the project's error body; Fastify's own `return503OnClosing` is off: http/server-options.ts).
 */
export function registerDrainOnClose(app: FastifyInstance): void {
  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
  });
  app.addHook('onRequest', async () => {
    if (closing) {
      throw new AppError('unavailable', 'shutting_down', 'This server is shutting down; try again', [], RETRY_AFTER_CLOSING_SECONDS);
    }
  });
  app.addHook('onSend', async (_request, reply) => {
    if (closing) reply.header('connection', 'close');
  });
}
