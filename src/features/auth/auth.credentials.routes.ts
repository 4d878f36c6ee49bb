import { Type } from 'typebox';
import { principalOf } from '../../http/principal.js';
import { byIp, type RouteRateLimit } from '../../http/rate-limit.js';
import { errorResponses } from '../../http/schemas.js';
import type { TypedApp } from '../../http/typebox.js';
import type { AuthCredentialsService } from './auth.credentials.service.js';
import { clientOf } from './auth.routes.js';
import { ChangePasswordBody, SessionResponse, TokenBody, toSessionResponse } from './auth.schemas.js';

const HOUR = 3600;
const limits = {
  tokenLinks: [{ name: 'token_link_ip', limit: 20, windowSeconds: HOUR, key: byIp }],
} satisfies Record<string, RouteRateLimit[]>;

const EmailChangeResult = Type.Object({
  message: Type.String(),
  email: Type.String({ description: 'the address the account logs in with now' }),
});

const tags = ['auth'];

/** Credential changes: the password (needs the current one) and the links of a login-address change. */
export function registerCredentialRoutes(app: TypedApp, credentials: AuthCredentialsService): void {
  app.post(
    '/api/v1/auth/change-password',
    {
      schema: {
        operationId: 'changePassword',
        tags,
        summary:
          'Change the password (needs the current one: 403 invalid_password); every other session is signed ' +
          'out, the caller gets a new session, and the address is told',
        body: ChangePasswordBody,
        response: { 200: SessionResponse, ...errorResponses(400, 401, 403, 422, 429) },
      },
    },
    async (request) => {
      const b = request.body;
      const session = await credentials.changePassword(
        principalOf(request).userId,
        { currentPassword: b.current_password, newPassword: b.new_password, confirmPassword: b.confirm_password },
        clientOf(request, b.device_info),
      );
      return toSessionResponse(session);
    },
  );

  app.post(
    '/api/v1/auth/confirm-email-change',
    {
      config: { public: true, rateLimits: limits.tokenLinks },
      schema: {
        operationId: 'confirmEmailChange',
        tags,
        summary: 'Confirm a new login address with the token mailed to it; it becomes the verified login address',
        security: [],
        body: TokenBody,
        response: { 200: EmailChangeResult, ...errorResponses(400, 409, 422, 429) },
      },
    },
    async (request) => ({
      message: 'Email changed',
      email: await credentials.confirmEmailChange(request.body.token),
    }),
  );

  app.post(
    '/api/v1/auth/revert-email-change',
    {
      config: { public: true, rateLimits: limits.tokenLinks },
      schema: {
        operationId: 'revertEmailChange',
        tags,
        summary:
          'Undo a login-address change with the token mailed to the old address (for 7 days); every session ' +
          'of the account is signed out',
        security: [],
        body: TokenBody,
        response: { 200: EmailChangeResult, ...errorResponses(400, 409, 422, 429) },
      },
    },
    async (request) => ({
      message: 'Email restored; every device has been signed out',
      email: await credentials.revertEmailChange(request.body.token),
    }),
  );
}
