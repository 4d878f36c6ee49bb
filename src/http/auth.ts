import type { FastifyInstance } from 'fastify';
import { AppError } from '../lib/app-error.js';
import type { Principal } from './principal.js';

export type AccessTokenVerifier = (token: string) => Promise<Principal>;

const BEARER = /^Bearer ([A-Za-z0-9._~+/-]+=*)$/;

/**
 * Authenticates every route that is not marked `config.public`: secure by default. The verifier
 * (from the auth feature) checks the JWT and that the account is still active.
 */
export function registerAuthentication(app: FastifyInstance, verify: AccessTokenVerifier): void {
  app.decorateRequest('principal', null);
  app.addHook('onRequest', async (request) => {
    if (request.routeOptions.config?.public === true || request.is404) return;
    const header = request.headers.authorization;
    if (header === undefined || header === '') {
      throw new AppError('unauthorized', 'missing_token', 'An Authorization: Bearer <access token> header is required');
    }
    const match = BEARER.exec(header);
    if (!match?.[1]) {
      throw new AppError('unauthorized', 'invalid_token', 'The Authorization header must be "Bearer <access token>"');
    }
    request.principal = await verify(match[1]);
  });
}
