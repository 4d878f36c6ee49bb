import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AppLinksConfig } from '../../config/config.js';
import { byIp, type RateLimitSettings, type RouteRateLimit } from '../../http/rate-limit.js';
import type { TypedApp } from '../../http/typebox.js';
import type { RateLimiter } from '../../infra/ratelimit/rate-limiter.js';
import type { AuthCredentialsService } from './auth.credentials.service.js';
import { AuthLimits } from './auth.limits.js';
import { MAIL_LINK_PATHS as PATHS, registerAppLinkFiles } from './auth.pages.app-links.js';
import {
  confirmPage,
  forgotPasswordPage,
  messagePage,
  PAGE_CSP,
  resetPasswordPage,
  type ConfirmPage,
} from './auth.pages.js';
import type { AuthRecoveryService } from './auth.recovery.service.js';
import { ForgotPasswordBody, ResetPasswordBody, TokenBody } from './auth.schemas.js';
import type { AuthSessionsService } from './auth.sessions.service.js';

export interface AuthPagesDeps {
  sessions: AuthSessionsService;
  recovery: AuthRecoveryService;
  credentials: AuthCredentialsService;
}

/** A form of these pages is a token and two passwords at most: far below this. */
const FORM_BODY_LIMIT = 8 * 1024;
const MAX_TOKEN_LENGTH = 512;
// The same counter as the JSON token-link routes (auth.routes.ts): a page costs what an API call costs.
const TOKEN_LINK_LIMITS: RouteRateLimit[] = [{ name: 'token_link_ip', limit: 20, windowSeconds: 3600, key: byIp }];
const HTML = 'text/html; charset=utf-8';

/** A one-button page: what it says, what its POST does, and what it answers. */
interface TokenAction {
  path: string;
  page: ConfirmPage;
  run(token: string): Promise<{ title: string; lines: string[] }>;
  /** What to do when the link no longer works. */
  advice: string;
}

/** The path a page's form posts to, relative to the page (works behind a path prefix too). */
const actionOf = (path: string) => path.slice(1);

/** The `token` query parameter of a page's URL, when it is there and of a plausible size. */
function tokenOfQuery(request: FastifyRequest): string | undefined {
  const token = (request.query as Record<string, unknown> | undefined)?.token;
  return typeof token === 'string' && token.length > 0 && token.length <= MAX_TOKEN_LENGTH ? token : undefined;
}

function tokenOfBody(request: FastifyRequest): string | undefined {
  const token = (request.body as Record<string, unknown> | undefined)?.token;
  return typeof token === 'string' && token.length <= MAX_TOKEN_LENGTH ? token : undefined;
}

interface ErrorJson {
  error?: { code?: string; message?: string; details?: Array<{ field?: string; message?: string }> };
}

const FIELD_LABELS: Record<string, string> = {
  new_password: 'New password',
  confirm_password: 'Repeated password',
  email: 'Email address',
  token: 'Link',
};

/** "New password: must contain a digit" for each detail of an error body. */
function problemsOf(body: ErrorJson): string[] {
  const details = body.error?.details ?? [];
  const problems = details.map((d) => `${FIELD_LABELS[d.field ?? ''] ?? 'Form'}: ${d.message ?? 'is invalid'}`);
  return problems.length > 0 ? problems : [body.error?.message ?? 'The form is invalid'];
}

/**
 * The page for an error answer of these routes. The app's error handler has already chosen the
 * status and code (AppErrors, validation, 429, 503, 500) and written its JSON; this turns that into
 * HTML with the same status, so the mapping lives in one place.
 */
function errorPage(request: FastifyRequest, status: number, body: ErrorJson, advice: Map<string, string>): string {
  const path = request.routeOptions.url ?? '';
  const message = body.error?.message ?? 'The request failed';
  if (status === 422 && request.method === 'POST' && path === PATHS.resetPassword) {
    const token = tokenOfBody(request);
    if (token !== undefined) return resetPasswordPage(actionOf(path), token, problemsOf(body));
  }
  if (status === 422 && request.method === 'POST' && path === PATHS.forgotPassword) {
    return forgotPasswordPage(actionOf(path), problemsOf(body));
  }
  if (status === 429) return messagePage('Too many attempts', [message, 'Wait a while, then open the link from your mail again.']);
  if (status >= 500) return messagePage('Something went wrong', ['We could not complete this just now. Try again in a moment.']);
  return messagePage('This link does not work', [message, advice.get(path) ?? 'Ask for a new link in the Tribe app.']);
}

/** Headers of every page, success or failure: nothing cached, nothing referred, nothing but the page's own style. */
function securePage(reply: FastifyReply): void {
  reply.header('content-security-policy', PAGE_CSP);
  reply.header('referrer-policy', 'no-referrer');
  reply.header('cache-control', 'no-store');
  reply.header('x-robots-tag', 'noindex');
}

/**
 * The pages the mail links open when the app does not catch them (a desktop mail client, say):
 * GET shows a page that does nothing but offer a button or a form (mail scanners fetch links), its
 * POST calls the same services as the JSON API and shows the result. docs/deep-links.md.
 */
export function registerAuthPages(
  app: TypedApp,
  { sessions, recovery, credentials }: AuthPagesDeps,
  options: { rateLimiter: RateLimiter; rateLimit: RateLimitSettings; appLinks: AppLinksConfig },
): void {
  registerAppLinkFiles(app, options.appLinks);
  const authLimits = new AuthLimits(options.rateLimiter, options.rateLimit);
  const actions: TokenAction[] = [
    {
      path: PATHS.verifyEmail,
      page: { title: 'Confirm your email', explanation: 'Confirm that this address is yours.', button: 'Confirm my email' },
      run: async (token) => {
        await recovery.verifyEmail(token);
        return { title: 'Email confirmed', lines: ['Your email address is confirmed. You can go back to the Tribe app.'] };
      },
      advice: 'Ask for a new verification mail in the Tribe app (Settings).',
    },
    {
      path: PATHS.confirmEmailChange,
      page: {
        title: 'Confirm your new email',
        explanation: 'Make this address the one you log in to Tribe with.',
        button: 'Use this address',
      },
      run: async (token) => {
        const email = await credentials.confirmEmailChange(token);
        return { title: 'Email changed', lines: [`You now log in to Tribe with ${email}.`] };
      },
      advice: 'Change the address again in the Tribe app to get a new link.',
    },
    {
      path: PATHS.revertEmailChange,
      page: {
        title: 'Undo the email change',
        explanation: 'Keep your previous address as your login and sign out every device.',
        button: 'Undo the change',
      },
      run: async (token) => {
        const email = await credentials.revertEmailChange(token);
        return {
          title: 'Email restored',
          lines: [`Your account logs in with ${email} again and every device has been signed out.`, 'Choose a new password now.'],
        };
      },
      advice: 'If someone else changed your address, reset your password from the Tribe app.',
    },
  ];
  const advice = new Map(actions.map((a) => [a.path, a.advice]));
  advice.set(PATHS.resetPassword, 'Ask for a new link: open /forgot-password or use “Forgot password” in the Tribe app.');

  void app.register(async (plugin) => {
    const scope = plugin.withTypeProvider<TypeBoxTypeProvider>();
    // Browsers post forms urlencoded; this parser exists only for these routes.
    scope.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: FORM_BODY_LIMIT }, (_request, body, done) => {
      done(null, Object.fromEntries(new URLSearchParams(String(body))));
    });
    scope.addHook('onSend', async (request, reply, payload) => {
      securePage(reply);
      if (reply.statusCode < 400 || !String(reply.getHeader('content-type') ?? '').startsWith('application/json')) return payload;
      let body: ErrorJson = {};
      try {
        body = JSON.parse(String(payload)) as ErrorJson;
      } catch {
        // Not an error body of ours: the page says what it can.
      }
      reply.header('content-type', HTML);
      return errorPage(request, reply.statusCode, body, advice);
    });

    const page = { public: true };
    const post = { public: true, rateLimits: TOKEN_LINK_LIMITS };
    const hidden = { hide: true };
    const missingToken = (reply: FastifyReply) =>
      reply.status(400).type(HTML).send(messagePage('This link is incomplete', ['Open the whole link from your mail, or ask for a new one in the Tribe app.']));

    for (const action of actions) {
      scope.get(action.path, { config: page, schema: hidden }, async (request, reply) => {
        const token = tokenOfQuery(request);
        if (token === undefined) return missingToken(reply);
        return reply.type(HTML).send(confirmPage(actionOf(action.path), token, action.page));
      });
      scope.post(action.path, { config: post, bodyLimit: FORM_BODY_LIMIT, schema: { ...hidden, body: TokenBody } }, async (request, reply) => {
        const done = await action.run(request.body.token);
        return reply.type(HTML).send(messagePage(done.title, done.lines));
      });
    }

    scope.get(PATHS.resetPassword, { config: page, schema: hidden }, async (request, reply) => {
      const token = tokenOfQuery(request);
      if (token === undefined) return missingToken(reply);
      return reply.type(HTML).send(resetPasswordPage(actionOf(PATHS.resetPassword), token));
    });
    scope.post(PATHS.resetPassword, { config: post, bodyLimit: FORM_BODY_LIMIT, schema: { ...hidden, body: ResetPasswordBody } }, async (request, reply) => {
      const b = request.body;
      // What POST /api/v1/auth/reset-password does: the new password, then every session ends.
      const userId = await recovery.resetPassword({ token: b.token, newPassword: b.new_password, confirmPassword: b.confirm_password });
      await sessions.revokeAllSessions(userId, 'password_changed');
      return reply
        .type(HTML)
        .send(messagePage('Password changed', ['Your password is changed and every device was signed out. Log in with the new password in the Tribe app.']));
    });

    scope.get(PATHS.forgotPassword, { config: page, schema: hidden }, async (_request, reply) =>
      reply.type(HTML).send(forgotPasswordPage(actionOf(PATHS.forgotPassword))),
    );
    scope.post(PATHS.forgotPassword, { config: { public: true }, bodyLimit: FORM_BODY_LIMIT, schema: { ...hidden, body: ForgotPasswordBody } }, async (request, reply) => {
      // What POST /api/v1/auth/forgot-password does: the same limits and the same answer for any address.
      if (await authLimits.mayMailPasswordReset(request, request.body.email)) await recovery.requestPasswordReset(request.body.email);
      return reply
        .status(202)
        .type(HTML)
        .send(messagePage('Check your mail', ['If an account exists for this email, a link to choose a new password is on its way. It works for 1 hour.']));
    });
  });
}
