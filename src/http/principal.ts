import type { FastifyRequest } from 'fastify';
import { AppError } from '../lib/app-error.js';

/** The authenticated caller of a request. */
export interface Principal {
  userId: string;
  username: string;
  email: string;
  /** The session the access token belongs to (its refresh-token family): what logout ends. */
  sessionId: string;
  /** When the access token expires. */
  expiresAt: Date;
}

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal | null;
  }
  interface FastifyContextConfig {
    /** Routes are authenticated unless they say `public: true`. */
    public?: boolean;
    /** Extra limits on top of the global read/write limits (see http/rate-limit.ts). */
    rateLimits?: import('./rate-limit.js').RouteRateLimit[];
    /** Skip the global per-caller read/write limits (health checks, docs). */
    skipGlobalRateLimit?: boolean;
  }
}

/** The caller of an authenticated route. */
export function principalOf(request: FastifyRequest): Principal {
  if (!request.principal) throw new AppError('unauthorized', 'missing_token', 'Authentication required');
  return request.principal;
}
