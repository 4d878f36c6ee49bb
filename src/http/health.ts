import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { errorForLog } from '../infra/logger.js';
import { errorResponses } from './schemas.js';

export interface ReadinessCheck {
  name: string;
  check: () => Promise<void>;
}

/** /readyz answers within this even when a dependency hangs (its check then counts as failed). */
export const READINESS_TIMEOUT_MS = 1_500;

class CheckTimedOut extends Error {
  constructor() {
    super(`no answer within ${READINESS_TIMEOUT_MS} ms`);
  }
}

function withTimeout(promise: Promise<void>): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new CheckTimedOut()), READINESS_TIMEOUT_MS);
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
        operationId: 'getLiveness',
        tags: ['health'],
        summary: 'Liveness',
        security: [],
        response: { 200: Type.Object({ status: Type.Literal('ok') }), ...errorResponses(422) },
      },
    },
    async () => ({ status: 'ok' as const }),
  );
  app.get(
    '/readyz',
    {
      config,
      schema: {
        operationId: 'getReadiness',
        tags: ['health'],
        summary:
          'Readiness: 200 when what requests need answers (a query on a real table, Redis when configured, a storage write) and the process is not shedding load, else 503',
        description:
          'Each check is bounded (the database query by a 1 s statement timeout, the whole answer by 1.5 s); a failed check reads "unavailable" or "timeout".',
        security: [],
        response: {
          200: Type.Object({ status: Type.Literal('ready'), checks: Type.Record(Type.String(), Type.String()) }),
          503: Type.Object({ status: Type.Literal('unavailable'), checks: Type.Record(Type.String(), Type.String()) }),
          ...errorResponses(422),
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
            results[name] = err instanceof CheckTimedOut ? 'timeout' : 'unavailable';
            request.log.warn({ err: errorForLog(err), dependency: name }, 'readiness check failed');
          }
        }),
      );
      if (!ready) return reply.status(503).send({ status: 'unavailable' as const, checks: results });
      return { status: 'ready' as const, checks: results };
    },
  );
}
