import type { FastifyInstance } from 'fastify';

/**
 * While the app closes (SIGTERM: main.ts), every response still being sent says
 * `Connection: close`, so the request in flight ends its keep-alive connection with it. Fastify
 * closes only the connections idle when closing starts and marks only requests arriving later; a
 * connection whose request was in flight would otherwise stay open until the client's keep-alive
 * timeout (5 s for Node's agent, a minute or more for some clients and load balancers), holding the
 * shutdown up to its forced exit.
 */
export function registerDrainOnClose(app: FastifyInstance): void {
  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
  });
  app.addHook('onSend', async (_request, reply) => {
    if (closing) reply.header('connection', 'close');
  });
}
