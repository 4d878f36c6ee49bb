import path from 'node:path';
import { DEFAULT_WEB_PUSH_ALLOWED_HOSTS, parseAllowedPushHosts, type AllowedPushHost } from '../infra/push/web-push-endpoint-policy.js';
import { DEFAULT_DATABASE_TIMEOUTS, type DatabaseTimeouts } from '../infra/db/database.js';
import { parseSentryDsn, type SentryDsn } from '../infra/error-reporting/sentry-dsn.js';
import type { RawEnv } from './env.js';

export interface Config {
  env: 'development' | 'production' | 'test';
  port: number;
  host: string;
  dataDir: string;
  /** Public base URL of the API (links in mails point here unless APP_URL says otherwise). */
  publicUrl: string;
  /** Base URL of the app's web/deep-link pages used in mails (verify-email, reset-password). */
  appUrl: string;
  logLevel: string;
  /** Whether /docs (Swagger UI) and /openapi.json are served (API_DOCS_ENABLED; default: not in production). */
  apiDocsEnabled: boolean;
  trustProxy: boolean;
  databaseUrl: string | undefined;
  dbPoolSize: number;
  /** Statement, lock, idle-in-transaction, pool-acquire and maintenance budgets (DB_*_TIMEOUT_MS). */
  dbTimeouts: DatabaseTimeouts;
  redisUrl: string | undefined;
  redisKeyPrefix: string;
  /** A Redis command not answered within this is failed (the cache and limiter then fall back). */
  redisCommandTimeoutMs: number;
  jwtSecret: string | undefined;
  accessTokenTtlSeconds: number;
  refreshTokenTtlSeconds: number;
  smtpUrl: string | undefined;
  mailFrom: string;
  allowedOrigins: string[];
  rateLimit: {
    enabled: boolean;
    readPerMinute: number;
    writePerMinute: number;
  };
  bodyLimitBytes: number;
  /** HTTP server timeouts (HTTP_*_TIMEOUT_MS): slow clients are cut off, kept-alive connections outlive the proxy's. */
  httpTimeouts: HttpTimeouts;
  /** Load shedding (OVERLOAD_*): past a threshold the API answers 503 with Retry-After (http/overload.ts). */
  overload: OverloadConfig;
  /** SIGTERM: requests in flight get this long to finish before the connections still open are cut (SHUTDOWN_TIMEOUT_MS). */
  shutdownTimeoutMs: number;
  /** Whether the API process also runs the periodic jobs (default: unless both DATABASE_URL and REDIS_URL are set). */
  runJobsInApi: boolean;
  /** The job engine (pg-boss): its own pool on PostgreSQL, polling, batches and the shutdown grace. */
  jobs: { dbPoolSize: number; pollIntervalMs: number; batchSize: number; stopTimeoutMs: number; cronEnabled: boolean };
  media: {
    maxImageBytes: number;
    maxImagePixels: number;
    maxVideoBytes: number;
    /** Encoding of stored image variants. */
    imageFormat: 'jpeg' | 'webp';
    /** ffmpeg binary used for video poster frames when it exists. */
    ffmpegPath: string;
    /** Public base URL of stored media (a CDN in front of the bucket); default: derived from storage. */
    baseUrl: string | undefined;
    /** Lifetime of signed URLs of private media (MEDIA_SIGNED_URL_TTL_SECONDS, default 1 hour); see docs/media.md. */
    signedUrlTtlSeconds: number;
    /** Key of the disk adapter's URL signatures (MEDIA_URL_SECRET); default: derived from the JWT secret. */
    urlSecret: string | undefined;
  };
  /** Set when media go to an S3-compatible bucket instead of DATA_DIR/media. */
  s3: S3Config | undefined;
  /** The WebSocket gateway (GET /ws). */
  realtime: RealtimeConfig;
  /** Push senders; a provider left unset records its pushes in push_outbox and logs them instead. */
  push: PushConfig;
  /** The apps that may open APP_URL links (universal links / App Links); docs/deep-links.md. */
  appLinks: AppLinksConfig;
  /** `GET /metrics` (Prometheus): on the API port with METRICS_TOKEN, and/or without one on METRICS_PORT. */
  metrics: MetricsConfig;
  /** Crash reports to a Sentry-compatible service (SENTRY_DSN, SENTRY_ENVIRONMENT); unset DSN: none. */
  errorReporting: { sentryDsn: SentryDsn | undefined; environment: string };
}

export interface MetricsConfig {
  /** Bearer token a scraper presents on the API port (METRICS_TOKEN); unset: the API port has no /metrics. */
  token: string | undefined;
  /** A separate port serving /metrics without a token (METRICS_PORT), in the API and the worker; unset: none. */
  port: number | undefined;
  /** Interface the METRICS_PORT server binds (METRICS_HOST, default 127.0.0.1): keep it internal. */
  host: string;
}

export interface HttpTimeouts {
  /** Whole request (headers and body) received within this, else 408 and the socket closed; 0 = no limit. */
  requestMs: number;
  /** Request headers received within this (slow-headers clients), else 408; at most requestMs. */
  headersMs: number;
  /** An idle kept-alive connection is closed after this; keep it above the proxy's upstream idle timeout. */
  keepAliveMs: number;
}

export interface OverloadConfig {
  /** Mean event-loop delay over a one-second sample above this sheds load; 0 = not checked. */
  maxEventLoopDelayMs: number;
  /** V8 heap used above this percentage of the heap limit sheds load; 0 = not checked. */
  maxHeapUsedPercent: number;
  /** Resident set size above this sheds load; 0 = not checked. */
  maxRssBytes: number;
  /** The `Retry-After` of a shed request. */
  retryAfterSeconds: number;
}

export interface AppLinksConfig {
  /** iOS app ids (`TEAMID.bundle.id`, IOS_APP_IDS): /.well-known/apple-app-site-association lists them; none: 404. */
  iosAppIds: string[];
  /** Android package and signing-certificate SHA-256 fingerprints (ANDROID_APP_PACKAGE, ANDROID_APP_CERT_SHA256): /.well-known/assetlinks.json. */
  android: { packageName: string; certFingerprints: string[] } | undefined;
}

export interface PushConfig {
  /** FCM HTTP v1 for android/ios tokens, when a service account is configured. */
  fcm:
    | { credentialsFile: string | undefined; credentialsJson: string | undefined; apiBaseUrl: string; oauthTokenUrl: string | undefined }
    | undefined;
  /** Web Push with VAPID for web tokens, when the key pair is configured. */
  webPush: { publicKey: string; privateKey: string; subject: string } | undefined;
  /** The push service hosts a Web Push endpoint must be on (WEB_PUSH_ALLOWED_HOSTS; default: the browsers' services). */
  webPushAllowedHosts: AllowedPushHost[];
}

export interface RealtimeConfig {
  /** Inbound frames larger than this are refused (close 1009). */
  maxMessageBytes: number;
  /** Inbound frames per second per connection; beyond it an error event, at twice it the socket is closed. */
  maxFramesPerSecond: number;
  /** A connection whose unsent outbound data exceeds this is disconnected (a client that does not read). */
  maxBufferedBytes: number;
  /** Protocol pings this often; a connection that missed a pong by the next ping is dropped. */
  heartbeatMs: number;
  /** Time to send {"event":"auth"} when the URL has no token. */
  authTimeoutMs: number;
  /** Open sockets' tokens are checked again this often (log-out-everywhere, expiry). */
  tokenRecheckMs: number;
  /** A typing indicator not renewed within this ends (a typing:false is sent). */
  typingTimeoutMs: number;
  /** Missed-events log per user: at most this many events ... */
  logMaxEvents: number;
  /** ... kept at least this long after the user's latest event. */
  logTtlMs: number;
}

export interface S3Config {
  bucket: string;
  region: string;
  endpoint: string | undefined;
  accessKeyId: string | undefined;
  secretAccessKey: string | undefined;
  forcePathStyle: boolean;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

/** Turns raw environment variables into a validated Config; throws ConfigError listing every problem. */
export function loadConfig(env: RawEnv): Config {
  const problems: string[] = [];
  const int = (name: string, fallback: number, min: number, max: number): number => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < min || value > max) {
      problems.push(`${name} must be an integer between ${min} and ${max} (got "${raw}")`);
      return fallback;
    }
    return value;
  };
  const bool = (name: string, fallback: boolean): boolean => {
    const raw = env[name]?.trim().toLowerCase();
    if (raw === undefined || raw === '') return fallback;
    if (['1', 'true', 'yes', 'on'].includes(raw)) return true;
    if (['0', 'false', 'no', 'off'].includes(raw)) return false;
    problems.push(`${name} must be true or false (got "${env[name]}")`);
    return fallback;
  };
  const url = (name: string, protocols: string[]): string | undefined => {
    const raw = env[name]?.trim();
    if (!raw) return undefined;
    try {
      const parsed = new URL(raw);
      if (!protocols.includes(parsed.protocol)) {
        problems.push(`${name} must use ${protocols.join(' or ')} (got ${parsed.protocol})`);
      }
      return raw;
    } catch {
      problems.push(`${name} is not a valid URL`);
      return undefined;
    }
  };

  const nodeEnv = env.NODE_ENV ?? 'development';
  const appEnv: Config['env'] =
    nodeEnv === 'production' ? 'production' : nodeEnv === 'test' ? 'test' : 'development';
  const port = int('PORT', 8000, 0, 65535);
  const host = env.HOST?.trim() || '0.0.0.0';
  const publicUrl = (url('PUBLIC_URL', ['http:', 'https:']) ?? `http://localhost:${port}`).replace(/\/$/, '');
  const jwtSecret = env.JWT_SECRET?.trim() || undefined;
  if (jwtSecret !== undefined && jwtSecret.length < 32) {
    problems.push('JWT_SECRET must be at least 32 characters');
  }
  if (appEnv === 'production' && jwtSecret === undefined) {
    problems.push('JWT_SECRET is required when NODE_ENV=production');
  }

  const imageFormat = (env.MEDIA_IMAGE_FORMAT?.trim().toLowerCase() || 'jpeg') as 'jpeg' | 'webp';
  if (imageFormat !== 'jpeg' && imageFormat !== 'webp') problems.push('MEDIA_IMAGE_FORMAT must be jpeg or webp');
  const MB = 1024 * 1024;
  const media: Config['media'] = {
    maxImageBytes: int('MEDIA_MAX_IMAGE_MB', 15, 1, 1024) * MB,
    maxImagePixels: int('MEDIA_MAX_IMAGE_MEGAPIXELS', 40, 1, 1000) * 1_000_000,
    maxVideoBytes: int('MEDIA_MAX_VIDEO_MB', 100, 1, 10_240) * MB,
    imageFormat,
    ffmpegPath: env.FFMPEG_PATH?.trim() || 'ffmpeg',
    baseUrl: url('MEDIA_BASE_URL', ['http:', 'https:'])?.replace(/\/$/, ''),
    signedUrlTtlSeconds: int('MEDIA_SIGNED_URL_TTL_SECONDS', 3600, 60, 86_400),
    urlSecret: env.MEDIA_URL_SECRET?.trim() || undefined,
  };
  if (media.urlSecret !== undefined && media.urlSecret.length < 32) problems.push('MEDIA_URL_SECRET must be at least 32 characters');
  let s3: S3Config | undefined;
  const bucket = env.S3_BUCKET?.trim();
  if (bucket) {
    const endpoint = url('S3_ENDPOINT', ['http:', 'https:']);
    s3 = {
      bucket,
      region: env.S3_REGION?.trim() || env.AWS_REGION?.trim() || 'us-east-1',
      endpoint,
      accessKeyId: env.S3_ACCESS_KEY_ID?.trim() || env.AWS_ACCESS_KEY_ID?.trim() || undefined,
      secretAccessKey: env.S3_SECRET_ACCESS_KEY?.trim() || env.AWS_SECRET_ACCESS_KEY?.trim() || undefined,
      forcePathStyle: bool('S3_FORCE_PATH_STYLE', endpoint !== undefined),
    };
  }
  const push = loadPushConfig(env, appEnv, url, problems);
  const config: Config = {
    env: appEnv,
    port,
    host,
    dataDir: path.resolve(env.DATA_DIR?.trim() || './data'),
    publicUrl,
    appUrl: (url('APP_URL', ['http:', 'https:', 'tribe:']) ?? publicUrl).replace(/\/$/, ''),
    logLevel: env.LOG_LEVEL?.trim() || (appEnv === 'test' ? 'silent' : 'info'),
    apiDocsEnabled: bool('API_DOCS_ENABLED', appEnv !== 'production'),
    trustProxy: bool('TRUST_PROXY', false),
    databaseUrl: url('DATABASE_URL', ['postgres:', 'postgresql:']),
    dbPoolSize: int('DB_POOL_SIZE', 20, 1, 500),
    dbTimeouts: {
      statementMs: int('DB_STATEMENT_TIMEOUT_MS', DEFAULT_DATABASE_TIMEOUTS.statementMs, 0, 3_600_000),
      lockMs: int('DB_LOCK_TIMEOUT_MS', DEFAULT_DATABASE_TIMEOUTS.lockMs, 0, 3_600_000),
      idleInTransactionMs: int('DB_IDLE_IN_TRANSACTION_TIMEOUT_MS', DEFAULT_DATABASE_TIMEOUTS.idleInTransactionMs, 0, 3_600_000),
      poolAcquireMs: int('DB_POOL_ACQUIRE_TIMEOUT_MS', DEFAULT_DATABASE_TIMEOUTS.poolAcquireMs, 100, 600_000),
      maintenanceMs: int('DB_MAINTENANCE_TIMEOUT_MS', DEFAULT_DATABASE_TIMEOUTS.maintenanceMs, 0, 86_400_000),
    },
    redisUrl: url('REDIS_URL', ['redis:', 'rediss:']),
    redisKeyPrefix: env.REDIS_KEY_PREFIX?.trim() || 'tribe:',
    redisCommandTimeoutMs: int('REDIS_COMMAND_TIMEOUT_MS', 200, 10, 10_000),
    jwtSecret,
    accessTokenTtlSeconds: int('ACCESS_TOKEN_EXPIRE_MINUTES', 60, 1, 24 * 60) * 60,
    refreshTokenTtlSeconds: int('REFRESH_TOKEN_EXPIRE_DAYS', 30, 1, 365) * 24 * 3600,
    smtpUrl: url('SMTP_URL', ['smtp:', 'smtps:']),
    mailFrom: env.MAIL_FROM?.trim() || 'Tribe <no-reply@tribe.app>',
    allowedOrigins: (env.ALLOWED_ORIGINS ?? 'https://tribe.app,https://app.tribe.com')
      .split(',')
      .map((origin) => origin.trim())
      .filter((origin) => origin.length > 0),
    rateLimit: {
      enabled: bool('RATE_LIMIT_ENABLED', true),
      readPerMinute: int('RATE_LIMIT_READ_PER_MINUTE', 100, 1, 1_000_000),
      writePerMinute: int('RATE_LIMIT_WRITE_PER_MINUTE', 30, 1, 1_000_000),
    },
    bodyLimitBytes: 1024 * 1024,
    httpTimeouts: loadHttpTimeouts(int, problems),
    overload: {
      maxEventLoopDelayMs: int('OVERLOAD_MAX_EVENT_LOOP_DELAY_MS', 1_000, 0, 60_000),
      maxHeapUsedPercent: int('OVERLOAD_MAX_HEAP_USED_PERCENT', 90, 0, 100),
      maxRssBytes: int('OVERLOAD_MAX_RSS_BYTES', 0, 0, Number.MAX_SAFE_INTEGER),
      retryAfterSeconds: int('OVERLOAD_RETRY_AFTER_SECONDS', 5, 1, 3_600),
    },
    shutdownTimeoutMs: int('SHUTDOWN_TIMEOUT_MS', 10_000, 100, 600_000),
    // Workers only make sense beside a shared database and Redis; otherwise the API runs the jobs.
    runJobsInApi: bool('RUN_JOBS_IN_API', !(env.REDIS_URL?.trim() && env.DATABASE_URL?.trim())),
    jobs: {
      dbPoolSize: int('JOBS_DB_POOL_SIZE', 4, 1, 100),
      pollIntervalMs: int('JOBS_POLL_INTERVAL_MS', 1_000, 500, 600_000),
      batchSize: int('JOBS_BATCH_SIZE', 20, 1, 1_000),
      stopTimeoutMs: int('JOBS_STOP_TIMEOUT_MS', 20_000, 1_000, 600_000),
      cronEnabled: bool('JOBS_CRON_ENABLED', true),
    },
    media,
    s3,
    realtime: {
      maxMessageBytes: int('WS_MAX_MESSAGE_KB', 64, 1, 16_384) * 1024,
      maxFramesPerSecond: int('WS_MAX_MESSAGES_PER_SECOND', 20, 1, 10_000),
      maxBufferedBytes: int('WS_MAX_BUFFERED_KB', 1024, 16, 1_048_576) * 1024,
      heartbeatMs: int('WS_HEARTBEAT_MS', 30_000, 50, 600_000),
      authTimeoutMs: int('WS_AUTH_TIMEOUT_MS', 5_000, 50, 600_000),
      tokenRecheckMs: int('WS_TOKEN_RECHECK_SECONDS', 300, 1, 86_400) * 1000,
      typingTimeoutMs: int('WS_TYPING_TIMEOUT_MS', 5_000, 50, 600_000),
      logMaxEvents: int('WS_LOG_MAX_EVENTS', 1_000, 1, 100_000),
      logTtlMs: int('WS_LOG_TTL_HOURS', 24, 1, 24 * 30) * 3600_000,
    },
    push,
    appLinks: loadAppLinksConfig(env, problems),
    metrics: loadMetricsConfig(env, port, int, problems),
    errorReporting: loadErrorReportingConfig(env, appEnv, problems),
  };
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}

/** FCM_*, VAPID_* and WEB_PUSH_ALLOWED_HOSTS: each provider is on when its credentials are set, and then checked. */
function loadPushConfig(
  env: RawEnv,
  appEnv: Config['env'],
  url: (name: string, protocols: string[]) => string | undefined,
  problems: string[],
): PushConfig {
  const credentialsFile = env.FCM_CREDENTIALS_FILE?.trim() || undefined;
  const credentialsJson = env.FCM_CREDENTIALS_JSON?.trim() || undefined;
  if (credentialsFile && credentialsJson) problems.push('set FCM_CREDENTIALS_FILE or FCM_CREDENTIALS_JSON, not both');
  if (credentialsJson) {
    try {
      JSON.parse(credentialsJson);
    } catch {
      problems.push('FCM_CREDENTIALS_JSON is not valid JSON');
    }
  }
  const apiBaseUrl = (url('FCM_API_BASE_URL', ['http:', 'https:']) ?? 'https://fcm.googleapis.com').replace(/\/$/, '');
  const oauthTokenUrl = url('FCM_OAUTH_TOKEN_URL', ['http:', 'https:']);
  const vapid = { publicKey: env.VAPID_PUBLIC_KEY?.trim() ?? '', privateKey: env.VAPID_PRIVATE_KEY?.trim() ?? '', subject: env.VAPID_SUBJECT?.trim() ?? '' };
  const vapidSet = [vapid.publicKey, vapid.privateKey, vapid.subject].filter(Boolean).length;
  if (vapidSet > 0 && vapidSet < 3) problems.push('Web Push needs all of VAPID_PUBLIC_KEY, VAPID_PRIVATE_KEY and VAPID_SUBJECT');
  if (vapidSet === 3) {
    const bytes = (value: string) => (/^[A-Za-z0-9_-]+$/.test(value) ? Buffer.from(value, 'base64url').length : -1);
    if (bytes(vapid.publicKey) !== 65) problems.push('VAPID_PUBLIC_KEY must be a base64url uncompressed P-256 public key (65 bytes)');
    if (bytes(vapid.privateKey) !== 32) problems.push('VAPID_PRIVATE_KEY must be a base64url P-256 private key (32 bytes)');
    if (!/^(mailto:|https:\/\/)/.test(vapid.subject)) problems.push('VAPID_SUBJECT must be a mailto: or https: URL');
  }
  const allowList = env.WEB_PUSH_ALLOWED_HOSTS?.split(',').map((entry) => entry.trim()).filter(Boolean);
  const webPushAllowedHosts = parseAllowedPushHosts(allowList?.length ? allowList : DEFAULT_WEB_PUSH_ALLOWED_HOSTS, appEnv === 'production');
  problems.push(...webPushAllowedHosts.problems);
  return {
    fcm: credentialsFile || credentialsJson ? { credentialsFile, credentialsJson, apiBaseUrl, oauthTokenUrl } : undefined,
    webPush: vapidSet === 3 ? vapid : undefined,
    webPushAllowedHosts: webPushAllowedHosts.hosts,
  };
}

/** HTTP_REQUEST_TIMEOUT_MS, HTTP_HEADERS_TIMEOUT_MS, HTTP_KEEP_ALIVE_TIMEOUT_MS (Node refuses headers > request). */
function loadHttpTimeouts(int: (name: string, fallback: number, min: number, max: number) => number, problems: string[]): HttpTimeouts {
  const timeouts: HttpTimeouts = {
    requestMs: int('HTTP_REQUEST_TIMEOUT_MS', 300_000, 0, 3_600_000),
    headersMs: int('HTTP_HEADERS_TIMEOUT_MS', 20_000, 100, 600_000),
    keepAliveMs: int('HTTP_KEEP_ALIVE_TIMEOUT_MS', 65_000, 1_000, 600_000),
  };
  if (timeouts.requestMs > 0 && timeouts.headersMs > timeouts.requestMs) {
    problems.push(`HTTP_HEADERS_TIMEOUT_MS (${timeouts.headersMs}) must not exceed HTTP_REQUEST_TIMEOUT_MS (${timeouts.requestMs})`);
  }
  return timeouts;
}

/** METRICS_TOKEN (at least 32 characters), METRICS_PORT (not PORT) and METRICS_HOST. */
function loadMetricsConfig(
  env: RawEnv,
  port: number,
  int: (name: string, fallback: number, min: number, max: number) => number,
  problems: string[],
): MetricsConfig {
  const token = env.METRICS_TOKEN?.trim() || undefined;
  if (token !== undefined && (token.length < 32 || /\s/.test(token))) problems.push('METRICS_TOKEN must be at least 32 characters, without spaces');
  const metricsPort = env.METRICS_PORT?.trim() ? int('METRICS_PORT', 0, 1, 65535) : undefined;
  if (metricsPort !== undefined && metricsPort === port) problems.push(`METRICS_PORT must differ from PORT (${port})`);
  return { token, port: metricsPort, host: env.METRICS_HOST?.trim() || '127.0.0.1' };
}

/** SENTRY_DSN (parsed now, so a malformed one stops the process at start) and SENTRY_ENVIRONMENT (default: NODE_ENV's mode). */
function loadErrorReportingConfig(env: RawEnv, appEnv: Config['env'], problems: string[]): Config['errorReporting'] {
  const raw = env.SENTRY_DSN?.trim();
  let sentryDsn: SentryDsn | undefined;
  if (raw) {
    try {
      sentryDsn = parseSentryDsn(raw);
    } catch (err) {
      problems.push((err as Error).message);
    }
  }
  return { sentryDsn, environment: env.SENTRY_ENVIRONMENT?.trim() || appEnv };
}

const listOf = (raw: string | undefined) => (raw ?? '').split(',').map((entry) => entry.trim()).filter(Boolean);

/** IOS_APP_IDS, ANDROID_APP_PACKAGE and ANDROID_APP_CERT_SHA256 (the Android pair together or not at all). */
function loadAppLinksConfig(env: RawEnv, problems: string[]): AppLinksConfig {
  const iosAppIds = listOf(env.IOS_APP_IDS);
  for (const id of iosAppIds) {
    if (!/^[A-Z0-9]{10}\.[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*$/.test(id)) {
      problems.push(`IOS_APP_IDS entries must be TEAMID.bundle.id (a 10-character team id, a dot, the bundle id; got "${id}")`);
    }
  }
  const packageName = env.ANDROID_APP_PACKAGE?.trim() || undefined;
  const certFingerprints = listOf(env.ANDROID_APP_CERT_SHA256).map((f) => f.toUpperCase());
  if (Boolean(packageName) !== certFingerprints.length > 0) {
    problems.push('Android App Links need both ANDROID_APP_PACKAGE and ANDROID_APP_CERT_SHA256');
  }
  if (packageName && !/^[A-Za-z][A-Za-z0-9_]*(\.[A-Za-z][A-Za-z0-9_]*)+$/.test(packageName)) {
    problems.push(`ANDROID_APP_PACKAGE must be an application id such as com.example.tribe (got "${packageName}")`);
  }
  for (const f of certFingerprints) {
    if (!/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/.test(f)) {
      problems.push(`ANDROID_APP_CERT_SHA256 entries must be SHA-256 fingerprints as 32 colon-separated hex bytes (got "${f}")`);
    }
  }
  return { iosAppIds, android: packageName && certFingerprints.length > 0 ? { packageName, certFingerprints } : undefined };
}

/** Loads the configuration for a process entry point; on invalid configuration prints every problem and exits 78. */
export function loadConfigOrExit(env: RawEnv): Config {
  try {
    return loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(78);
    }
    throw err;
  }
}
