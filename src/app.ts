import cors from '@fastify/cors';
import helmet from '@fastify/helmet';
import multipart from '@fastify/multipart';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { randomUUID } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import type { AppContext } from './context.js';
import { registerAchievementsRoutes } from './features/achievements/achievements.routes.js';
import { registerCredentialRoutes } from './features/auth/auth.credentials.routes.js';
import { registerAuthPages } from './features/auth/auth.pages.routes.js';
import { registerAuthRoutes } from './features/auth/auth.routes.js';
import { registerChatAttachmentRoutes } from './features/chat/chat-attachments.routes.js';
import { registerConversationsRoutes } from './features/chat/conversations.routes.js';
import { registerMessagesRoutes } from './features/chat/messages.routes.js';
import { registerNotificationsRoutes } from './features/notifications/notifications.routes.js';
import { registerAsyncApiDocument } from './features/realtime/realtime.asyncapi.js';
import { registerRealtimeGateway } from './features/realtime/realtime.gateway.js';
import { registerRealtimeRoutes } from './features/realtime/realtime.routes.js';
import { registerGoalActivityRoutes } from './features/goal-activity/goal-activity.routes.js';
import { registerMemoriesFeedRoutes } from './features/memories-feed/memories-feed.routes.js';
import { registerPostInteractionRoutes } from './features/posts/interactions.routes.js';
import { registerPostsRoutes } from './features/posts/posts.routes.js';
import { registerGoalReminderRoutes } from './features/goal-reminders/goal-reminders.routes.js';
import { registerContributionsRoutes } from './features/goals/contributions.routes.js';
import { registerGoalImageRoutes } from './features/goals/goal-image.routes.js';
import { registerGoalsRoutes } from './features/goals/goals.routes.js';
import { registerMilestonesRoutes } from './features/goals/milestones.routes.js';
import { registerParticipantsRoutes } from './features/goals/participants.routes.js';
import { registerFriendsRoutes } from './features/friends/friends.routes.js';
import { registerBlocksRoutes } from './features/settings/blocks.routes.js';
import { registerPartnersRoutes } from './features/partners/partners.routes.js';
import { registerSettingsRoutes } from './features/settings/settings.routes.js';
import { registerStoriesRoutes } from './features/stories/stories.routes.js';
import { registerProfileImageRoutes } from './features/users/profile-images.routes.js';
import { registerUsersRoutes } from './features/users/users.routes.js';
import { registerAuthentication } from './http/auth.js';
import { registerErrorHandling } from './http/error-handler.js';
import { registerDrainOnClose } from './http/drain.js';
import { registerHealthRoutes, type ReadinessCheck } from './http/health.js';
import { OneLinePerRequest, registerRequestAbortLog } from './http/logging.js';
import { registerMediaFiles } from './http/media-files.js';
import { registerOpenApi } from './http/openapi.js';
import { overloadReadinessCheck, registerOverloadProtection } from './http/overload.js';
import { registerRateLimits } from './http/rate-limit.js';
import { registerRouteSchemaRules } from './http/route-schemas.js';
import { serverOptions } from './http/server-options.js';
import { ErrorBody } from './http/schemas.js';
import { buildValidatorCompiler } from './http/validation.js';
import { registerMetrics } from './infra/metrics/http-metrics.js';
import { APP_VERSION } from './version.js';

/** Builds the HTTP application on a context: plugins, hooks and every feature's routes. Never listens. */
export async function buildApp(ctx: AppContext): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: ctx.logger as FastifyBaseLogger,
    // One line per request (method, masked URL, status, ms, request and user id): http/logging.ts.
    logController: new OneLinePerRequest(),
    bodyLimit: ctx.config.bodyLimitBytes,
    trustProxy: ctx.config.trustProxy,
    genReqId: (req) => {
      const incoming = req.headers['x-request-id'];
      return typeof incoming === 'string' && /^[\w-]{8,64}$/.test(incoming) ? incoming : randomUUID();
    },
    requestIdHeader: false,
    ajv: { customOptions: { removeAdditional: false } },
    // Request, headers and keep-alive timeouts; how closing treats open connections.
    ...serverOptions(ctx.config.httpTimeouts),
  }).withTypeProvider<TypeBoxTypeProvider>();

  app.setValidatorCompiler(buildValidatorCompiler([ErrorBody]));
  // Before any route and before @fastify/swagger: closed query strings and plain enums everywhere.
  registerRouteSchemaRules(app);
  // An empty body sent as application/json (common from mobile HTTP clients on PUT/POST without a
  // payload) counts as no body, rather than a parse error; anything else parses as usual.
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const text = body.toString();
    if (text.trim() === '') return done(null, undefined);
    return parseJson(request, text, done);
  });
  app.addHook('onSend', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });
  registerErrorHandling(app, ctx.errorReporter);
  registerRequestAbortLog(app);
  registerDrainOnClose(app);
  // HTTP metrics, and /metrics itself when METRICS_TOKEN is set (infra/metrics/http-metrics.ts).
  registerMetrics(app, ctx.metrics, ctx.config.metrics);

  await app.register(helmet, {
    // The API serves JSON; only /docs renders HTML, and swagger-ui sets its own CSP for it.
    contentSecurityPolicy: false,
    crossOriginResourcePolicy: { policy: 'same-site' },
  });
  await app.register(cors, {
    origin: ctx.config.allowedOrigins,
    credentials: false,
    methods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'],
    allowedHeaders: ['Authorization', 'Content-Type', 'X-Request-Id'],
    exposedHeaders: ['Retry-After', 'X-Request-Id', 'X-RateLimit-Limit', 'X-RateLimit-Remaining', 'X-RateLimit-Reset'],
    maxAge: 600,
  });
  await app.register(multipart, {
    limits: {
      fileSize: Math.max(ctx.config.media.maxImageBytes, ctx.config.media.maxVideoBytes),
      files: 1,
      fields: 20,
      fieldSize: 16 * 1024,
      parts: 21,
    },
  });
  // After CORS (a shed 503 still carries its headers), before every route: 503 + Retry-After under pressure.
  const shedding = await registerOverloadProtection(app, ctx.config.overload);
  await registerOpenApi(app, APP_VERSION, ctx.config.publicUrl, ctx.config.apiDocsEnabled);
  // The WebSocket contract (AsyncAPI 3), served with the OpenAPI document.
  if (ctx.config.apiDocsEnabled) registerAsyncApiDocument(app, APP_VERSION, ctx.config.publicUrl);
  const localFiles = ctx.storage.localFiles;
  if (localFiles) {
    // @fastify/static warns at registration about a root that does not exist yet (a first start on
    // an empty DATA_DIR); uploads would create them later anyway. A volume that refuses is left to
    // the storage readiness check, with the real error here.
    for (const root of [localFiles.publicRoot, localFiles.privateRoot]) {
      await mkdir(root, { recursive: true }).catch((err: unknown) => ctx.logger.warn({ err, root }, 'cannot create the media directory'));
    }
    await registerMediaFiles(app, localFiles);
  }

  const { services } = ctx;
  registerAuthentication(app, (token) => services.sessions.authenticate(token));
  registerRateLimits(app, ctx.rateLimiter, ctx.config.rateLimit);

  const readiness: ReadinessCheck[] = [{ name: 'database', check: () => ctx.database.ping() }];
  const redis = ctx.redis;
  if (redis) readiness.push({ name: 'redis', check: async () => void (await redis.ping()) });
  readiness.push({ name: 'storage', check: () => ctx.storage.check() });
  readiness.push(overloadReadinessCheck(shedding));
  registerHealthRoutes(app, readiness);

  registerAuthRoutes(app, services, { rateLimiter: ctx.rateLimiter, rateLimit: ctx.config.rateLimit });
  registerCredentialRoutes(app, services.credentials);
  registerAuthPages(app, services, { rateLimiter: ctx.rateLimiter, rateLimit: ctx.config.rateLimit, appLinks: ctx.config.appLinks });
  registerUsersRoutes(app, services.users, services.credentials);
  registerProfileImageRoutes(app, services.profileImages, ctx.config.media.maxImageBytes);
  registerSettingsRoutes(app, services.settings);
  registerStoriesRoutes(app, services.stories, Math.max(ctx.config.media.maxImageBytes, ctx.config.media.maxVideoBytes));
  registerFriendsRoutes(app, services.friends, {
    rateLimiter: ctx.rateLimiter,
    rateLimit: ctx.config.rateLimit,
    appUrl: ctx.config.appUrl,
  });
  registerBlocksRoutes(app, services.blocks);
  registerPartnersRoutes(app, services.partners);
  registerGoalReminderRoutes(app, services.goalReminders);
  registerGoalsRoutes(app, services.goals, services.goalReads);
  registerGoalImageRoutes(app, services.goals, ctx.config.media.maxImageBytes);
  registerParticipantsRoutes(app, services.goalParticipants);
  registerContributionsRoutes(app, services.goalContributions);
  registerMilestonesRoutes(app, services.goalMilestones);
  registerPostsRoutes(app, services.posts, {
    clock: ctx.clock,
    maxUploadBytes: Math.max(ctx.config.media.maxImageBytes, ctx.config.media.maxVideoBytes),
    rateLimiter: ctx.rateLimiter,
    rateLimit: ctx.config.rateLimit,
  });
  registerPostInteractionRoutes(app, services.postLikes, services.postComments);
  registerGoalActivityRoutes(app, services.goalActivity);
  registerMemoriesFeedRoutes(app, services.memoriesFeed);
  registerAchievementsRoutes(app, services.achievements);
  registerConversationsRoutes(app, services.conversations, services.chatMembers);
  registerMessagesRoutes(app, services.messages);
  registerChatAttachmentRoutes(app, services.chatAttachments, Math.max(ctx.config.media.maxImageBytes, ctx.config.media.maxVideoBytes));
  registerNotificationsRoutes(app, services);
  registerRealtimeRoutes(app, services.realtime);
  registerRealtimeGateway(
    app,
    services.realtime,
    (token) => services.sessions.authenticate(token),
    {
      maxPayloadBytes: ctx.config.realtime.maxMessageBytes,
      maxFramesPerSecond: ctx.config.realtime.maxFramesPerSecond,
      maxBufferedBytes: ctx.config.realtime.maxBufferedBytes,
      authTimeoutMs: ctx.config.realtime.authTimeoutMs,
      heartbeatMs: ctx.config.realtime.heartbeatMs,
      tokenRecheckMs: ctx.config.realtime.tokenRecheckMs,
      now: () => ctx.clock.now().getTime(),
      metrics: ctx.metrics,
    },
    ctx.logger,
  );

  return app;
}
