import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Config } from './config/config.js';
import { AuthMail } from './features/auth/auth.mail.js';
import { AuthCredentialsService } from './features/auth/auth.credentials.service.js';
import { AuthRecoveryService } from './features/auth/auth.recovery.service.js';
import { SessionRevocations } from './features/auth/auth.revocations.js';
import { AuthSessionsService } from './features/auth/auth.sessions.service.js';
import { registerAuthSubscriptions } from './features/auth/auth.subscriptions.js';
import { AccessTokenSigner } from './features/auth/auth.tokens.js';
import { AchievementsService } from './features/achievements/achievements.service.js';
import { registerAchievementSubscriptions } from './features/achievements/achievements.subscriptions.js';
import { ChatAttachmentsService } from './features/chat/chat-attachments.service.js';
import { ChatGoalsService } from './features/chat/chat-goals.service.js';
import { ChatMediaOwnership } from './features/chat/chat-media-ownership.js';
import { ChatMembersService } from './features/chat/chat-members.service.js';
import { ChatBlocksService } from './features/chat/chat-blocks.service.js';
import { registerChatSubscriptions } from './features/chat/chat.subscriptions.js';
import { ConversationsService } from './features/chat/conversations.service.js';
import { MessagesService } from './features/chat/messages.service.js';
import { GoalActivityService } from './features/goal-activity/goal-activity.service.js';
import { registerGoalActivitySubscriptions } from './features/goal-activity/goal-activity.subscriptions.js';
import { MemoriesFeedService } from './features/memories-feed/memories-feed.service.js';
import { friendsInboxTrimJob } from './features/memories-feed/friends-inbox.jobs.js';
import { FriendsInboxService } from './features/memories-feed/friends-inbox.service.js';
import { registerFriendsInboxSubscriptions } from './features/memories-feed/friends-inbox.subscriptions.js';
import { goalRemindersJob } from './features/goal-reminders/goal-reminders.jobs.js';
import { GoalRemindersService } from './features/goal-reminders/goal-reminders.service.js';
import { registerGoalReminderSubscriptions } from './features/goal-reminders/goal-reminders.subscriptions.js';
import { ContributionsService } from './features/goals/contributions.service.js';
import { GoalReadsService } from './features/goals/goals.reads.service.js';
import { GoalsService } from './features/goals/goals.service.js';
import { MilestonesService } from './features/goals/milestones.service.js';
import { ParticipantsService } from './features/goals/participants.service.js';
import { MediaLinks } from './features/media/media.links.js';
import { MediaService } from './features/media/media.service.js';
import { NotificationPreferencesService } from './features/notifications/preferences.service.js';
import { MessagePushService } from './features/notifications/message-push.service.js';
import { partnerCheckinsJob, pushDeliveryJob } from './features/notifications/notifications.jobs.js';
import { NotificationsService } from './features/notifications/notifications.service.js';
import { registerNotificationSubscriptions } from './features/notifications/notifications.subscriptions.js';
import { NotifierService } from './features/notifications/notifier.service.js';
import { PushDeliveryService, type PushDeliveryOptions, type PushSenders } from './features/notifications/push-delivery.service.js';
import { PushTokensService } from './features/notifications/push-tokens.service.js';
import { friendSuggestionsJob } from './features/friends/friends.jobs.js';
import { FriendsService } from './features/friends/friends.service.js';
import { registerFriendsSubscriptions } from './features/friends/friends.subscriptions.js';
import { PartnersService } from './features/partners/partners.service.js';
import { registerPartnersSubscriptions } from './features/partners/partners.subscriptions.js';
import { CommentsService } from './features/posts/comments.service.js';
import { LikesService } from './features/posts/likes.service.js';
import { PostsService } from './features/posts/posts.service.js';
import { PrivacyService } from './features/privacy/privacy.service.js';
import { BlocksService } from './features/settings/blocks.service.js';
import { SettingsService } from './features/settings/settings.service.js';
import { storyCleanupJob } from './features/stories/stories.job.js';
import { StoriesService } from './features/stories/stories.service.js';
import { registerSettingsSubscriptions } from './features/settings/settings.subscriptions.js';
import { MemoryEventLog } from './features/realtime/memory-event-log.js';
import { MemoryPresenceStore } from './features/realtime/memory-presence.js';
import { realtimePeople } from './features/realtime/realtime.people.js';
import { RealtimeService } from './features/realtime/realtime.service.js';
import { registerRealtimeSubscriptions } from './features/realtime/realtime.subscriptions.js';
import { RedisEventLog } from './features/realtime/redis-event-log.js';
import { RedisPresenceStore } from './features/realtime/redis-presence.js';
import { ProfileImagesService } from './features/users/profile-images.service.js';
import { EmailChangeService } from './features/users/email-change.service.js';
import { UsersService } from './features/users/users.service.js';
import type { EventBus } from './infra/bus/event-bus.js';
import { OutboxEventBus } from './infra/bus/outbox-event-bus.js';
import type { Cache } from './infra/cache/cache.js';
import { MemoryCache } from './infra/cache/memory-cache.js';
import { RedisCache } from './infra/cache/redis-cache.js';
import { systemClock, type Clock } from './infra/clock/clock.js';
import type { Database } from './infra/db/database.js';
import { openPgliteDatabase } from './infra/db/pglite-database.js';
import { openPostgresDatabase } from './infra/db/postgres-database.js';
import { createLogger } from './infra/logger.js';
import { noErrorReporting, type ErrorReporter } from './infra/error-reporting/error-reporter.js';
import { SentryReporter } from './infra/error-reporting/sentry-reporter.js';
import { APP_VERSION } from './version.js';
import { FileMailer } from './infra/mail/file-mailer.js';
import type { Mailer } from './infra/mail/mailer.js';
import { SmtpMailer } from './infra/mail/smtp-mailer.js';
import { MemoryRateLimiter } from './infra/ratelimit/memory-rate-limiter.js';
import type { RateLimiter } from './infra/ratelimit/rate-limiter.js';
import { RedisRateLimiter } from './infra/ratelimit/redis-rate-limiter.js';
import { FailOpenRateLimiter } from './infra/ratelimit/fail-open-rate-limiter.js';
import { RedisFallbacks } from './infra/redis/redis-fallback.js';
import { waitForRedis } from './infra/redis/wait-for-redis.js';
import { FailOpenCache } from './infra/cache/fail-open-cache.js';
import { InstrumentedCache } from './infra/cache/instrumented-cache.js';
import { InstrumentedMailer } from './infra/mail/instrumented-mailer.js';
import { databasePoolStats } from './infra/metrics/database-pool-stats.js';
import { Metrics } from './infra/metrics/metrics.js';
import { JobEngine, openPgBoss } from './infra/jobs/job-engine.js';
import { DiskStorage } from './infra/storage/disk-storage.js';
import { S3Storage } from './infra/storage/s3-storage.js';
import { MediaUrlSignature } from './infra/storage/url-signature.js';
import { FcmSender, loadServiceAccount } from './infra/push/fcm-sender.js';
import { WebPushSender } from './infra/push/web-push-sender.js';
import { MemoryPubSub } from './infra/pubsub/memory-pubsub.js';
import type { PubSub } from './infra/pubsub/pubsub.js';
import { RedisPubSub } from './infra/pubsub/redis-pubsub.js';
import type { ObjectStorage } from './infra/storage/storage.js';

/** The feature services, built once per process. */
export interface Services {
  users: UsersService;
  privacy: PrivacyService;
  sessions: AuthSessionsService;
  recovery: AuthRecoveryService;
  credentials: AuthCredentialsService;
  media: MediaService;
  profileImages: ProfileImagesService;
  preferences: NotificationPreferencesService;
  notifications: NotificationsService;
  notifier: NotifierService;
  pushTokens: PushTokensService;
  pushDelivery: PushDeliveryService;
  friends: FriendsService;
  partners: PartnersService;
  blocks: BlocksService;
  settings: SettingsService;
  stories: StoriesService;
  goalReminders: GoalRemindersService;
  goals: GoalsService;
  goalReads: GoalReadsService;
  goalParticipants: ParticipantsService;
  goalContributions: ContributionsService;
  goalMilestones: MilestonesService;
  posts: PostsService;
  postLikes: LikesService;
  postComments: CommentsService;
  achievements: AchievementsService;
  goalActivity: GoalActivityService;
  memoriesFeed: MemoriesFeedService;
  friendsInbox: FriendsInboxService;
  conversations: ConversationsService;
  chatMembers: ChatMembersService;
  messages: MessagesService;
  chatAttachments: ChatAttachmentsService;
  chatGoals: ChatGoalsService;
  /** The WebSocket gateway's delivery, presence and catch-up (also the RealtimeDelivery port). */
  realtime: RealtimeService;
}

export interface AppContext {
  config: Config;
  logger: Logger;
  clock: Clock;
  database: Database;
  redis: Redis | undefined;
  cache: Cache;
  rateLimiter: RateLimiter;
  bus: EventBus;
  /** Cross-instance broadcast (realtime fan-out). */
  pubsub: PubSub;
  mailer: Mailer;
  storage: ObjectStorage;
  /** Crash reports (unhandled 500s, unhandled rejections) to SENTRY_DSN; a no-op without it. */
  errorReporter: ErrorReporter;
  /** The Prometheus metrics (`/metrics`: infra/metrics/). */
  metrics: Metrics;
  /**
   * The job engine (pg-boss on the same database): the bus's subscriber queues and the cron jobs.
   * It consumes in the worker, and in the API process when config.runJobsInApi.
   */
  jobs: JobEngine;
  services: Services;
  /** Releases every connection; idempotent. */
  close(): Promise<void>;
}

/** Adapters a test (or a script) supplies instead of the ones config would pick. */
export interface ContextOverrides {
  logger?: Logger;
  clock?: Clock;
  database?: Database;
  mailer?: Mailer;
  storage?: ObjectStorage;
  jwtSecret?: string;
  /** Push delivery tuning (tests: no in-process kick, short backoff). */
  pushDelivery?: Partial<PushDeliveryOptions>;
}

/** How the process that builds the context runs. */
export interface ContextRole {
  /**
   * `worker` consumes jobs and runs the cron schedules; `api` (the default) only when
   * config.runJobsInApi; `script` never (it may enqueue: a worker runs the jobs).
   */
  role?: 'api' | 'worker' | 'script';
  /** Apply pending database migrations before the job engine starts (the API and worker processes). */
  migrate?: boolean;
}

/** Development convenience: a random secret kept in DATA_DIR so tokens survive restarts. */
function developmentJwtSecret(dataDir: string): string {
  const file = path.join(dataDir, 'jwt-secret');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(dataDir, { recursive: true });
  const secret = randomBytes(48).toString('base64url');
  writeFileSync(file, secret, { mode: 0o600 });
  return secret;
}

/** S3 when S3_BUCKET is set, else DATA_DIR/media (public) and DATA_DIR/media-private (signed URLs only); docs/media.md. */
function openStorage(config: Config, clock: Clock, jwtSecret: string): ObjectStorage {
  if (config.s3) return new S3Storage(config.s3, config.media.baseUrl, clock);
  // Without MEDIA_URL_SECRET the key is derived from the JWT secret (a separate key per purpose).
  const urlSecret = config.media.urlSecret ?? createHmac('sha256', jwtSecret).update('tribe media URL signatures v1').digest();
  return new DiskStorage({
    publicRoot: path.join(config.dataDir, 'media'),
    privateRoot: path.join(config.dataDir, 'media-private'),
    publicBaseUrl: config.media.baseUrl ?? `${config.publicUrl}/media`,
    // Signed URLs always go to the API itself: a CDN in front of /media caches public media only.
    privateBaseUrl: `${config.publicUrl}/media`,
    signature: new MediaUrlSignature(urlSecret),
    clock,
  });
}

/** FCM when a service account is configured, Web Push when VAPID keys are; otherwise pushes are only recorded and logged. */
function openPushSenders(config: Config): PushSenders {
  const { fcm, webPush } = config.push;
  return {
    fcm: fcm ? new FcmSender({ account: loadServiceAccount(fcm), apiBaseUrl: fcm.apiBaseUrl, oauthTokenUrl: fcm.oauthTokenUrl }) : undefined,
    webpush: webPush ? new WebPushSender({ vapid: webPush, allowedHosts: config.push.webPushAllowedHosts }) : undefined,
  };
}

async function openDatabase(config: Config): Promise<Database> {
  if (config.databaseUrl) return openPostgresDatabase({ url: config.databaseUrl, poolSize: config.dbPoolSize, timeouts: config.dbTimeouts });
  return openPgliteDatabase({ dataDir: path.join(config.dataDir, 'db'), timeouts: config.dbTimeouts });
}

/**
 * The composition root: the only place that chooses adapters (from config) and wires services.
 * The API process (main.ts), the worker, scripts and tests all start here.
 */
export async function createContext(config: Config, overrides: ContextOverrides = {}, start: ContextRole = {}): Promise<AppContext> {
  const logger = overrides.logger ?? createLogger(config.logLevel);
  const clock = overrides.clock ?? systemClock;
  const errorReporter: ErrorReporter = config.errorReporting.sentryDsn
    ? new SentryReporter({ dsn: config.errorReporting.sentryDsn, version: APP_VERSION, environment: config.errorReporting.environment, appRoot: process.cwd(), logger })
    : noErrorReporting;
  const database = overrides.database ?? (await openDatabase(config));
  if (start.migrate) await database.migrate();
  const applicationPools = databasePoolStats(database);
  const metrics = new Metrics({
    // pg-boss's own pool (PostgreSQL) is reported as pool="jobs" beside the application's.
    databasePools: () => {
      const jobsPool = jobs.poolStats();
      return jobsPool ? [...applicationPools(), { pool: 'jobs', ...jobsPool }] : applicationPools();
    },
    logger,
  });
  // Commands fail fast while Redis is away (a timeout, no offline queue) so that the cache and the
  // rate limiter fall back at once instead of stalling every request.
  const redis = config.redisUrl
    ? new Redis(config.redisUrl, {
        keyPrefix: config.redisKeyPrefix,
        maxRetriesPerRequest: 1,
        commandTimeout: config.redisCommandTimeoutMs,
        enableOfflineQueue: false,
        enableAutoPipelining: true,
      })
    : undefined;
  redis?.on('error', (err) => logger.warn({ err }, 'redis connection error'));
  if (redis) await waitForRedis(redis, logger);
  const redisFallbacks = new RedisFallbacks(logger);
  const cache: Cache = new InstrumentedCache(redis ? new FailOpenCache(new RedisCache(redis), redisFallbacks) : new MemoryCache(), metrics);
  const rateLimiter: RateLimiter = redis
    ? new FailOpenRateLimiter(new RedisRateLimiter(redis), new MemoryRateLimiter(), redisFallbacks)
    : new MemoryRateLimiter();
  const consumesJobs = start.role === 'worker' || (start.role !== 'script' && config.runJobsInApi);
  const jobs = new JobEngine(
    openPgBoss({ database, postgresUrl: database.url, poolSize: config.jobs.dbPoolSize, consume: consumesJobs, cron: config.jobs.cronEnabled }),
    { consume: consumesJobs, cron: config.jobs.cronEnabled, pollingSeconds: config.jobs.pollIntervalMs / 1000, batchSize: config.jobs.batchSize, stopTimeoutMs: config.jobs.stopTimeoutMs, logger,
      observe: (queue, outcome, seconds) => metrics.observeJob(queue, outcome, seconds) },
    () => clock.now(),
  );
  metrics.setQueueDepthSource(() => jobs.queueDepth());
  const bus = new OutboxEventBus(jobs, logger, consumesJobs);
  const pubsub: PubSub = redis ? new RedisPubSub(redis, `${config.redisKeyPrefix}ps:`) : new MemoryPubSub();
  const mailer = new InstrumentedMailer(
    overrides.mailer ??
    (config.smtpUrl
      ? new SmtpMailer(config.smtpUrl, config.mailFrom)
      : new FileMailer(path.join(config.dataDir, 'mail'), config.mailFrom, logger)),
    metrics,
  );

  const jwtSecret = overrides.jwtSecret ?? config.jwtSecret ?? developmentJwtSecret(config.dataDir);
  const storage = overrides.storage ?? openStorage(config, clock, jwtSecret);
  const signer = new AccessTokenSigner(jwtSecret, config.accessTokenTtlSeconds);
  const privacy = new PrivacyService(database);
  const users = new UsersService(database, cache, bus, clock);
  const recovery = new AuthRecoveryService(database, bus, clock, users);
  // Ended sessions are kept for one access-token lifetime (plus a minute of margin for clock steps).
  const revocations = new SessionRevocations(cache, pubsub, { ttlSeconds: config.accessTokenTtlSeconds + 60 });
  // Until subscribed (Redis unreachable: when it is back) every check reads the shared store.
  revocations.start().catch((err: unknown) => logger.warn({ err }, 'session revocations: subscribe failed'));
  const sessions = new AuthSessionsService(database, bus, clock, users, recovery, signer, revocations, config.refreshTokenTtlSeconds);
  const emailChanges = new EmailChangeService(database, clock, users);
  const credentials = new AuthCredentialsService(bus, rateLimiter, users, emailChanges, sessions);

  const mediaLinks = new MediaLinks(storage, config.media.signedUrlTtlSeconds);
  const media = new MediaService(
    storage,
    {
      maxImageBytes: config.media.maxImageBytes,
      maxImagePixels: config.media.maxImagePixels,
      maxVideoBytes: config.media.maxVideoBytes,
      imageFormat: config.media.imageFormat,
      ffmpegPath: config.media.ffmpegPath,
    },
    mediaLinks,
  );
  const profileImages = new ProfileImagesService(database, media, bus, clock);
  const preferences = new NotificationPreferencesService(database, clock);
  const settings = new SettingsService(database, bus, clock, users, preferences);
  const stories = new StoriesService(database, bus, clock, media, logger);
  // Friends' is_online reads the realtime presence store (realtime is built below; called later).
  const friends = new FriendsService(database, bus, clock, privacy, {
    onlineAmong: (ids): Promise<Set<string>> => realtime.onlineAmong(ids),
  });
  const partners = new PartnersService(database, bus, clock);
  const blocks = new BlocksService(database, bus, clock, users, { friends, partners });
  const goalReminders = new GoalRemindersService(database, bus, clock);
  const goalReads = new GoalReadsService(database, clock, mediaLinks);
  const goals = new GoalsService(database, bus, clock, media, goalReads);
  const goalParticipants = new ParticipantsService(database, bus, clock);
  const goalContributions = new ContributionsService(database, bus, clock);
  const goalMilestones = new MilestonesService(database, bus, clock);
  const posts = new PostsService(database, bus, clock, media);
  const postLikes = new LikesService(database, bus, clock, posts);
  const postComments = new CommentsService(database, bus, clock, posts);
  const achievements = new AchievementsService(database, bus, clock, privacy, logger);
  const goalActivity = new GoalActivityService(database, clock, mediaLinks);
  const memoriesFeed = new MemoriesFeedService(database, clock, mediaLinks);
  const friendsInbox = new FriendsInboxService(database, clock);
  const chatMedia = new ChatMediaOwnership(media, storage, posts);
  const conversations = new ConversationsService(database, bus, clock, chatMedia);
  const chatMembers = new ChatMembersService(database, bus, clock, chatMedia);
  const chatAttachments = new ChatAttachmentsService(database, media, chatMedia);
  const messages = new MessagesService(database, bus, clock, chatAttachments);
  const chatGoals = new ChatGoalsService(database, bus, clock);
  const realtimeInstanceId = randomUUID();
  const realtime: RealtimeService = new RealtimeService(
    redis
      ? new RedisEventLog(redis, config.realtime.logMaxEvents, config.realtime.logTtlMs)
      : new MemoryEventLog(config.realtime.logMaxEvents, config.realtime.logTtlMs),
    redis ? new RedisPresenceStore(redis, realtimeInstanceId, 45_000) : new MemoryPresenceStore(),
    pubsub,
    realtimePeople(users, friends),
    conversations,
    logger,
    { instanceId: realtimeInstanceId, typingTimeoutMs: config.realtime.typingTimeoutMs, heartbeatMs: config.realtime.heartbeatMs, now: () => clock.now() },
  );

  const pushDelivery = new PushDeliveryService(database, clock, logger, openPushSenders(config), overrides.pushDelivery, metrics);
  const notifier = new NotifierService(database, bus, clock, pushDelivery);
  const notifications = new NotificationsService(database, clock);
  const pushTokens = new PushTokensService(database, clock, config.push.webPushAllowedHosts);

  registerAuthSubscriptions(bus, database, recovery, new AuthMail(mailer, config.appUrl));
  registerSettingsSubscriptions(bus, settings);
  jobs.scheduleCron(storyCleanupJob(stories));
  jobs.scheduleCron(friendsInboxTrimJob(friendsInbox));
  registerFriendsSubscriptions(bus, friends);
  registerPartnersSubscriptions(bus, partners);
  jobs.scheduleCron(friendSuggestionsJob(friends));
  registerGoalReminderSubscriptions(bus, goalReminders);
  jobs.scheduleCron(goalRemindersJob(goalReminders));
  registerAchievementSubscriptions(bus, achievements);
  registerGoalActivitySubscriptions(bus, goalActivity);
  registerChatSubscriptions(bus, chatGoals, new ChatBlocksService(database, bus));
  registerNotificationSubscriptions(bus, notifier, new MessagePushService(pushDelivery, realtime));
  jobs.scheduleCron(pushDeliveryJob(pushDelivery));
  jobs.scheduleCron(partnerCheckinsJob(notifier));
  registerRealtimeSubscriptions(bus, realtime);
  registerFriendsInboxSubscriptions(bus, friendsInbox);

  // Every subscriber and cron job is registered: create their queues and, when consuming, start them.
  await jobs.start();

  let closed = false;
  return {
    config,
    logger,
    clock,
    database,
    redis,
    cache,
    rateLimiter,
    bus,
    pubsub,
    mailer,
    storage,
    errorReporter,
    metrics,
    jobs,
    services: { users, privacy, sessions, recovery, credentials, media, profileImages, preferences, notifications, notifier, pushTokens, pushDelivery, settings, stories, friends, partners, blocks, goalReminders,
      goals, goalReads, goalParticipants, goalContributions, goalMilestones, posts, postLikes, postComments, achievements, goalActivity, memoriesFeed, friendsInbox, conversations, chatMembers, messages, chatAttachments, chatGoals, realtime },
    async close() {
      if (closed) return;
      closed = true;
      // Running jobs finish (or are handed back to the queue) before the adapters they use close.
      await jobs.stop();
      await pushDelivery.close();
      await bus.drain().catch(() => undefined);
      await mailer.close();
      await revocations.stop().catch(() => undefined);
      await pubsub.close();
      storage.close?.();
      if (redis) await redis.quit().catch(() => redis.disconnect());
      await database.close();
      await errorReporter.flush(2_000);
    },
  };
}
