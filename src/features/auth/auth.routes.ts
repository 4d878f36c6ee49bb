import type { FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { principalOf } from '../../http/principal.js';
import { byIp, type RateLimitSettings, type RouteRateLimit } from '../../http/rate-limit.js';
import type { RateLimiter } from '../../infra/ratelimit/rate-limiter.js';
import { errorResponses } from '../../http/schemas.js';
import type { TypedApp } from '../../http/typebox.js';
import { MeUser, toMeUser } from '../users/users.schemas.js';
import type { UsersService } from '../users/users.service.js';
import type { AuthCredentialsService } from './auth.credentials.service.js';
import { AuthLimits } from './auth.limits.js';
import type { AuthRecoveryService } from './auth.recovery.service.js';
import {
  ForgotPasswordBody,
  LoginBody,
  LogoutBody,
  MessageResponse,
  RefreshBody,
  RegisterBody,
  ResetPasswordBody,
  SessionResponse,
  toSessionResponse,
  TokenBody,
  TokenPairResponse,
  VerifiedResponse,
} from './auth.schemas.js';
import type { AuthSessionsService, ClientContext, DeviceInfo } from './auth.sessions.service.js';

export interface AuthRouteDeps {
  sessions: AuthSessionsService;
  recovery: AuthRecoveryService;
  users: UsersService;
  credentials: AuthCredentialsService;
}

const MINUTE = 60;
const HOUR = 3600;
const byUser = (request: FastifyRequest) => request.principal?.userId;

// Plan 8.2 / 11: "auth" class 5 per minute. Login and forgot-password count in their handlers
// (auth.limits.ts): login counts wrong passwords only, after the check.
const limits = {
  register: [{ name: 'register_ip', limit: 5, windowSeconds: MINUTE, key: byIp }],
  resend: [{ name: 'resend_verification', limit: 3, windowSeconds: HOUR, key: byUser }],
  tokenLinks: [{ name: 'token_link_ip', limit: 20, windowSeconds: HOUR, key: byIp }],
} satisfies Record<string, RouteRateLimit[]>;

/** The caller's address, user agent and device, as a session records them. */
export function clientOf(request: FastifyRequest, deviceInfo?: DeviceInfo): ClientContext {
  return { ip: request.ip ?? null, userAgent: request.headers['user-agent'] ?? null, deviceInfo: deviceInfo ?? null };
}

const tags = ['auth'];

/** Plan 4.1: /api/v1/auth/*. */
export function registerAuthRoutes(
  app: TypedApp,
  { sessions, recovery, users, credentials }: AuthRouteDeps,
  rateLimits: { rateLimiter: RateLimiter; rateLimit: RateLimitSettings },
): void {
  const authLimits = new AuthLimits(rateLimits.rateLimiter, rateLimits.rateLimit);
  app.post(
    '/api/v1/auth/register',
    {
      config: { public: true, rateLimits: limits.register },
      schema: {
        operationId: 'registerAccount',
        tags,
        summary: 'Create an account',
        security: [],
        body: RegisterBody,
        response: { 201: SessionResponse, ...errorResponses(400, 409, 422, 429) },
      },
    },
    async (request, reply) => {
      const b = request.body;
      const session = await sessions.register(
        { email: b.email, username: b.username, fullName: b.full_name, password: b.password, confirmPassword: b.confirm_password },
        clientOf(request),
      );
      return reply.status(201).send(toSessionResponse(session));
    },
  );

  app.post(
    '/api/v1/auth/login',
    {
      // Its own limits replace the global write budget, which would count successes per address.
      config: { public: true, skipGlobalRateLimit: true },
      schema: {
        operationId: 'logIn',
        tags,
        summary: 'Log in with email and password',
        security: [],
        body: LoginBody,
        response: { 200: SessionResponse, ...errorResponses(400, 401, 403, 422, 429) },
      },
    },
    async (request) => {
      const { email, password, device_info } = request.body;
      const session = await authLimits.guardLogin(request, email, () =>
        sessions.login(email, password, clientOf(request, device_info)),
      );
      return toSessionResponse(session);
    },
  );

  app.post(
    '/api/v1/auth/refresh',
    {
      config: { public: true },
      schema: {
        operationId: 'refreshSession',
        tags,
        summary: 'Exchange a refresh token for a new token pair (the old refresh token stops working)',
        security: [],
        body: RefreshBody,
        response: { 200: TokenPairResponse, ...errorResponses(400, 401, 422, 429) },
      },
    },
    async (request) => {
      const pair = await sessions.refresh(request.body.refresh_token);
      return {
        access_token: pair.accessToken,
        refresh_token: pair.refreshToken,
        token_type: 'bearer' as const,
        expires_in: pair.expiresIn,
      };
    },
  );

  app.post(
    '/api/v1/auth/logout',
    {
      // The body is optional: a bare POST signs out nothing more than the client forgetting its tokens.
      preValidation: async (request) => {
        request.body ??= {};
      },
      schema: {
        operationId: 'logOut',
        tags,
        summary: 'End this session (and the given refresh token’s, if the caller’s), or every session with all_devices',
        body: LogoutBody,
        response: { 204: Type.Null(), ...errorResponses(400, 401, 422, 429) },
      },
    },
    async (request, reply) => {
      const body = request.body;
      const caller = principalOf(request);
      await sessions.logout(caller.userId, {
        sessionId: caller.sessionId,
        ...(body.refresh_token ? { refreshToken: body.refresh_token } : {}),
        allDevices: body.all_devices === true,
      });
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/api/v1/auth/verify-email',
    {
      config: { public: true, rateLimits: limits.tokenLinks },
      schema: {
        operationId: 'verifyEmail',
        tags,
        summary: 'Confirm an email address with the token from the verification mail',
        security: [],
        body: TokenBody,
        response: { 200: VerifiedResponse, ...errorResponses(400, 422, 429) },
      },
    },
    async (request) => {
      await recovery.verifyEmail(request.body.token);
      return { message: 'Email verified', email_verified: true as const };
    },
  );

  app.post(
    '/api/v1/auth/resend-verification',
    {
      config: { rateLimits: limits.resend },
      schema: {
        operationId: 'resendVerificationEmail',
        tags,
        summary: "Mail a new verification link to the caller's address",
        response: { 202: MessageResponse, ...errorResponses(401, 409, 429) },
      },
    },
    async (request, reply) => {
      await recovery.resendVerification(principalOf(request).userId);
      return reply.status(202).send({ message: 'Verification email sent' });
    },
  );

  app.post(
    '/api/v1/auth/forgot-password',
    {
      config: { public: true },
      schema: {
        operationId: 'requestPasswordReset',
        tags,
        summary: 'Mail a password reset link (always 202, whether or not the account exists)',
        security: [],
        body: ForgotPasswordBody,
        response: { 202: MessageResponse, ...errorResponses(400, 422, 429) },
      },
    },
    async (request, reply) => {
      // Past the account's mail budget the answer is the same 202, with no mail: throttled, never locked.
      if (await authLimits.mayMailPasswordReset(request, request.body.email)) await recovery.requestPasswordReset(request.body.email);
      return reply
        .status(202)
        .send({ message: 'If an account exists for this email, a reset link is on its way' });
    },
  );

  app.post(
    '/api/v1/auth/reset-password',
    {
      config: { public: true, rateLimits: limits.tokenLinks },
      schema: {
        operationId: 'resetPassword',
        tags,
        summary: 'Choose a new password with the token from the reset mail; signs out every session',
        security: [],
        body: ResetPasswordBody,
        response: { 200: MessageResponse, ...errorResponses(400, 422, 429) },
      },
    },
    async (request) => {
      const b = request.body;
      const userId = await recovery.resetPassword({ token: b.token, newPassword: b.new_password, confirmPassword: b.confirm_password });
      await sessions.revokeAllSessions(userId, 'password_changed');
      return { message: 'Password changed; log in with the new password' };
    },
  );

  app.get(
    '/api/v1/auth/me',
    {
      schema: {
        operationId: 'getCurrentAccount',
        tags,
        summary: 'The authenticated account',
        response: { 200: MeUser, ...errorResponses(401, 429) },
      },
    },
    async (request) => {
      const { userId } = principalOf(request);
      return toMeUser(await users.getById(userId), await credentials.pendingEmail(userId));
    },
  );
}
