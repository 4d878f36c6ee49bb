import underPressure from '@fastify/under-pressure';
import type { FastifyInstance } from 'fastify';
import { getHeapStatistics } from 'node:v8';
import type { OverloadConfig } from '../config/config.js';
import { AppError } from '../lib/app-error.js';
import type { ReadinessCheck } from './health.js';

/**
 * Answered under pressure too: the probes (liveness must not get an overloaded process restarted;
 * readiness reports the load itself) and the metrics scrape, which matters most right then.
 */
const EXEMPT_ROUTES = new Set(['/healthz', '/readyz', '/metrics']);

/** At most one `overloaded` warning per this, however many requests are shed. */
const WARN_EVERY_MS = 10_000;

/** under-pressure's sample interval (its default): each check compares the last second's figures. */
const SAMPLE_INTERVAL_MS = 1_000;

/**
 * The event-loop delay counts from two samples after the app is ready: the first samples hold the
 * start's own synchronous work (compiling every route's schemas: seconds on a busy machine), which
 * says nothing about load and would shed the first requests of a fresh instance.
 */
const EVENT_LOOP_WARM_UP_MS = 2 * SAMPLE_INTERVAL_MS;

/** The heap threshold in bytes: a percentage of V8's heap limit (which follows --max-old-space-size); 0 = off. */
export function heapThresholdBytes(percent: number): number {
  return percent > 0 ? Math.floor((getHeapStatistics().heap_size_limit * percent) / 100) : 0;
}

/**
 * Load shedding with `@fastify/under-pressure`: while the mean event-loop delay, the V8 heap or the
 * RSS is over its threshold (sampled every second), every request but the probes is answered at once
 * with 503 `overloaded` and `Retry-After` instead of queueing behind the ones the process cannot
 * serve. Resolves with the function telling whether requests are being shed now.
 */
export async function registerOverloadProtection(app: FastifyInstance, config: OverloadConfig): Promise<() => boolean> {
  let lastWarning = -Infinity;
  let eventLoopCountsFrom = Infinity;
  app.addHook('onReady', async () => {
    eventLoopCountsFrom = Date.now() + EVENT_LOOP_WARM_UP_MS;
  });
  const maxHeapUsedBytes = heapThresholdBytes(config.maxHeapUsedPercent);
  /** The threshold the last sample is over (under-pressure stops at the first it finds), if any. */
  const pressure = (): string | undefined => {
    const usage = app.memoryUsage();
    if (config.maxEventLoopDelayMs > 0 && usage.eventLoopDelay > config.maxEventLoopDelayMs && Date.now() >= eventLoopCountsFrom) {
      return underPressure.TYPE_EVENT_LOOP_DELAY;
    }
    if (maxHeapUsedBytes > 0 && usage.heapUsed > maxHeapUsedBytes) return underPressure.TYPE_HEAP_USED_BYTES;
    if (config.maxRssBytes > 0 && usage.rssBytes > config.maxRssBytes) return underPressure.TYPE_RSS_BYTES;
    return undefined;
  };
  await app.register(underPressure, {
    maxEventLoopDelay: config.maxEventLoopDelayMs,
    maxHeapUsedBytes,
    maxRssBytes: config.maxRssBytes,
    retryAfter: config.retryAfterSeconds,
    sampleInterval: SAMPLE_INTERVAL_MS,
    // Called when a sample is over a threshold. A rejected promise reaches the error handler (the
    // project's error body); a resolved one lets the request through.
    pressureHandler: async (request) => {
      if (EXEMPT_ROUTES.has(request.routeOptions.url ?? '')) return;
      const over = pressure();
      if (over === undefined) return;
      const now = Date.now();
      if (now - lastWarning >= WARN_EVERY_MS) {
        lastWarning = now;
        request.log.warn({ pressure: over, usage: app.memoryUsage() }, 'overloaded: shedding requests with 503');
      }
      throw new AppError('unavailable', 'overloaded', 'The server is overloaded; try again later', [], config.retryAfterSeconds);
    },
  });
  return () => pressure() !== undefined;
}

/**
 * The readiness check of load: `/readyz` reports `load: "unavailable"` (503) while requests are shed,
 * so a load balancer sends new traffic to the other instances until this one has caught up.
 */
export function overloadReadinessCheck(shedding: () => boolean): ReadinessCheck {
  return {
    name: 'load',
    check: async () => {
      if (shedding()) throw new Error('over an OVERLOAD_* threshold');
    },
  };
}
