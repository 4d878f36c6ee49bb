import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { processMetricsRegistry } from './process-metrics.js';

/** How one push ended in a delivery pass (push_outbox; `retried` is rescheduled, the others are final). */
export type PushDeliveryOutcome = 'sent' | 'retried' | 'failed' | 'token_invalid' | 'skipped';
/** How one mail ended: handed to the transport (SMTP accepted it, or the .eml file was written) or not. */
export type MailDeliveryOutcome = 'sent' | 'failed';
/** How one job run ended. */
export type JobOutcome = 'completed' | 'failed';

/** One queue's jobs in one state (pg-boss: created, retry, active, completed, failed, ...). */
export interface QueueDepth {
  queue: string;
  state: string;
  count: number;
}

/** One connection pool's state at a scrape (PostgreSQL: each `pg` pool; PGlite: its one connection). */
export interface DatabasePoolStats {
  pool: string;
  /** Connections open (idle or checked out). */
  total: number;
  idle: number;
  /** Queries waiting for a connection. */
  waiting: number;
}

export interface MetricsOptions {
  /** Read at each scrape for the `tribe_db_pool_*` gauges; none: those gauges stay empty. */
  databasePools?: () => DatabasePoolStats[];
  /** Include the process metrics (prom-client's default set, shared by the process); default true. */
  processMetrics?: boolean;
  /** Where a failing collect callback (the queue-depth source) is reported; the scrape still answers. */
  logger?: { warn(obj: object, msg: string): void };
}

/** Seconds buckets of request durations: 5 ms … 10 s. */
const HTTP_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
/** Seconds buckets of job durations: 10 ms … 10 min. */
const JOB_BUCKETS = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 600];

/**
 * The application's Prometheus metrics, in a registry of their own (never prom-client's global one,
 * so several apps in one process — tests — do not clash), served at `/metrics`. Each feature sees only
 * the narrow interface it counts through (GatewayMetrics, PushOutcomeCounter, the instrumented cache
 * and mailer); the HTTP plugin (http-metrics.ts) uses the HTTP metrics directly.
 */
export class Metrics {
  /** The registry `/metrics` serializes: this app's metrics, plus the process's when enabled. */
  readonly registry: Registry;

  readonly httpRequestDuration: Histogram<'method' | 'route' | 'status'>;
  readonly httpRequestsInFlight: Gauge;
  readonly websocketConnections: Gauge;
  readonly websocketMessages: Counter<'direction'>;
  readonly dbPoolConnections: Gauge<'pool'>;
  readonly dbPoolIdleConnections: Gauge<'pool'>;
  readonly dbPoolWaitingQueries: Gauge<'pool'>;
  readonly cacheHits: Counter<'keyspace'>;
  readonly cacheMisses: Counter<'keyspace'>;
  readonly pushDeliveries: Counter<'provider' | 'outcome'>;
  readonly mailDeliveries: Counter<'outcome'>;
  readonly jobs: Counter<'queue' | 'outcome'>;
  readonly jobDuration: Histogram<'queue'>;
  readonly queueDepth: Gauge<'queue' | 'state'>;

  private queueDepthSource: (() => Promise<QueueDepth[]>) | undefined;

  constructor(options: MetricsOptions = {}) {
    const own = new Registry();
    const registers = [own];
    this.httpRequestDuration = new Histogram({
      name: 'tribe_http_request_duration_seconds',
      help: 'HTTP request duration by method, route pattern ("unmatched" when no route matched) and status code',
      labelNames: ['method', 'route', 'status'],
      buckets: HTTP_BUCKETS,
      registers,
    });
    this.httpRequestsInFlight = new Gauge({
      name: 'tribe_http_requests_in_flight',
      help: 'HTTP requests received and not yet answered (or abandoned by the client)',
      registers,
    });
    this.websocketConnections = new Gauge({
      name: 'tribe_websocket_connections',
      help: 'Open WebSocket connections on this instance (authenticated or still authenticating)',
      registers,
    });
    this.websocketMessages = new Counter({
      name: 'tribe_websocket_messages_total',
      help: 'WebSocket frames received from clients (direction="in") and sent to them (direction="out")',
      labelNames: ['direction'],
      registers,
    });
    const pools = options.databasePools;
    const poolGauge = (name: string, help: string, read: (stats: DatabasePoolStats) => number) =>
      new Gauge({
        name,
        help,
        labelNames: ['pool'],
        registers,
        collect() {
          this.reset();
          for (const stats of pools?.() ?? []) this.set({ pool: stats.pool }, read(stats));
        },
      });
    this.dbPoolConnections = poolGauge('tribe_db_pool_connections', 'Database connections open in the pool (idle or in use)', (s) => s.total);
    this.dbPoolIdleConnections = poolGauge('tribe_db_pool_idle_connections', 'Database connections idle in the pool', (s) => s.idle);
    this.dbPoolWaitingQueries = poolGauge('tribe_db_pool_waiting_queries', 'Queries waiting for a database connection', (s) => s.waiting);
    this.cacheHits = new Counter({ name: 'tribe_cache_hits_total', help: 'Cache reads that found a value, by key space', labelNames: ['keyspace'], registers });
    this.cacheMisses = new Counter({
      name: 'tribe_cache_misses_total',
      help: 'Cache reads that found nothing (or failed open while Redis was away), by key space',
      labelNames: ['keyspace'],
      registers,
    });
    this.pushDeliveries = new Counter({
      name: 'tribe_push_deliveries_total',
      help: 'Push delivery attempts by provider (fcm, webpush, log) and outcome (sent, retried, failed, token_invalid, skipped)',
      labelNames: ['provider', 'outcome'],
      registers,
    });
    this.mailDeliveries = new Counter({
      name: 'tribe_mail_deliveries_total',
      help: 'Mails handed to the transport (outcome="sent") or refused by it (outcome="failed")',
      labelNames: ['outcome'],
      registers,
    });
    this.jobs = new Counter({ name: 'tribe_jobs_total', help: 'Job runs by queue and outcome (completed, failed)', labelNames: ['queue', 'outcome'], registers });
    this.jobDuration = new Histogram({ name: 'tribe_job_duration_seconds', help: 'Job run duration by queue', labelNames: ['queue'], buckets: JOB_BUCKETS, registers });
    const depth = () => this.queueDepthSource;
    const logger = options.logger;
    this.queueDepth = new Gauge({
      name: 'tribe_queue_depth',
      help: 'Jobs per queue and state at the scrape',
      labelNames: ['queue', 'state'],
      registers,
      async collect() {
        const source = depth();
        if (!source) return;
        let rows: QueueDepth[];
        try {
          rows = await source();
        } catch (err) {
          // A scrape must still answer: the series are left out and the cause logged.
          this.reset();
          logger?.warn({ err }, 'metrics: queue depth could not be read');
          return;
        }
        this.reset();
        for (const row of rows) this.set({ queue: row.queue, state: row.state }, row.count);
      },
    });
    this.registry = options.processMetrics === false ? own : Registry.merge([own, processMetricsRegistry()]);
  }

  /** The Content-Type of {@link scrape}'s text (Prometheus text exposition 0.0.4). */
  get contentType(): string {
    return this.registry.contentType;
  }

  /** Every metric in the Prometheus text format (collect callbacks run now). */
  scrape(): Promise<string> {
    return this.registry.metrics();
  }

  /** The gateway's counting port (realtime.gateway.ts GatewayMetrics). */
  websocketOpened(): void {
    this.websocketConnections.inc();
  }

  websocketClosed(): void {
    this.websocketConnections.dec();
  }

  websocketMessageReceived(): void {
    this.websocketMessages.inc({ direction: 'in' });
  }

  websocketMessageSent(): void {
    this.websocketMessages.inc({ direction: 'out' });
  }

  /** One cache read (instrumented-cache.ts). */
  countCacheLookup(keyspace: string, hit: boolean): void {
    (hit ? this.cacheHits : this.cacheMisses).inc({ keyspace });
  }

  /** One push's outcome in a delivery pass (push-delivery.service.ts PushOutcomeCounter). */
  countPushDelivery(provider: string, outcome: PushDeliveryOutcome): void {
    this.pushDeliveries.inc({ provider, outcome });
  }

  /** One mail's outcome (instrumented-mailer.ts). */
  countMailDelivery(outcome: MailDeliveryOutcome): void {
    this.mailDeliveries.inc({ outcome });
  }

  /** One job run: counted by queue and outcome, its duration observed by queue. */
  observeJob(queue: string, outcome: JobOutcome, seconds: number): void {
    this.jobs.inc({ queue, outcome });
    this.jobDuration.observe({ queue }, seconds);
  }

  /** Where `tribe_queue_depth` is read from at each scrape (the job engine's counts); replaces any earlier source. */
  setQueueDepthSource(source: () => Promise<QueueDepth[]>): void {
    this.queueDepthSource = source;
  }
}
