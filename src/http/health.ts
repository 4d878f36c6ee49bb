import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';

export interface ReadinessCheck {
  name: string;
  check: () => Promise<void>;
}

const CHECK_TIMEOUT_MS = 2_000;

function withTimeout(promise: Promise<void>): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('timed out')), CHECK_TIMEOUT_MS);
    promise.then(resolve, reject).finally(() => clearTimeout(timer));
  });
}

/** Liveness (`/healthz`: the process answers) and readiness (`/readyz`: its dependencies answer). */
export function registerHealthRoutes(app: FastifyInstance, checks: ReadinessCheck[]): void {
  const config = { public: true, skipGlobalRateLimit: true };
  app.get(
    '/healthz',
    {
      config,
      schema: {
        tags: ['health'],
        summary: 'Liveness',
        security: [],
        response: { 200: Type.Object({ status: Type.Literal('ok') }) },
      },
    },
    async () => ({ status: 'ok' as const }),
  );
  app.get(
    '/readyz',
    {
      config,
      schema: {
        tags: ['health'],
        summary: 'Readiness: 200 when the database (and Redis, when configured) answer, else 503',
        security: [],
        response: {
          200: Type.Object({ status: Type.Literal('ready'), checks: Type.Record(Type.String(), Type.String()) }),
          503: Type.Object({ status: Type.Literal('unavailable'), checks: Type.Record(Type.String(), Type.String()) }),
        },
      },
    },
    async (request, reply) => {
      const results: Record<string, string> = {};
      let ready = true;
      await Promise.all(
        checks.map(async ({ name, check }) => {
          try {
            await withTimeout(check());
            results[name] = 'ok';
          } catch (err) {
            ready = false;
            results[name] = 'unavailable';
            request.log.warn({ err, dependency: name }, 'readiness check failed');
          }
        }),
      );
      if (!ready) return reply.status(503).send({ status: 'unavailable' as const, checks: results });
      return { status: 'ready' as const, checks: results };
    },
  );
}
