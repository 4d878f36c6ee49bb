import './require-supported-node.js';
import { loadConfigOrExit } from './config/config.js';
import { readEnv } from './config/env.js';
import { createContext } from './context.js';
import { CLOSE_POOLS_GRACE_MS } from './http/shutdown.js';
import { metricsEndpoints, openMetricsServer } from './infra/metrics/metrics-server.js';
import { surviveUnhandledRejections } from './infra/process-guards.js';

/**
 * The worker process (`npm run worker`): the same context as the API, no HTTP; consumes the job
 * queues (every subscriber's side effects) and runs the cron schedules. Run any number beside the
 * API instances: each job runs in one of them, each schedule fires once per period across all.
 */
async function main(): Promise<void> {
  const config = loadConfigOrExit(readEnv());
  const ctx = await createContext(config, {}, { role: 'worker', migrate: true });
  surviveUnhandledRejections(ctx.logger, ctx.errorReporter);
  // The worker has no API port: it is scraped on METRICS_PORT only (infra/metrics/metrics-server.ts).
  const metricsServer = await openMetricsServer(ctx.metrics, config.metrics, ctx.logger);
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    ctx.logger.info({ signal }, 'worker shutting down');
    // Running jobs get JOBS_STOP_TIMEOUT_MS (then are handed back); a close hanging past that forces the exit.
    const force = setTimeout(() => process.exit(1), config.jobs.stopTimeoutMs + CLOSE_POOLS_GRACE_MS);
    force.unref();
    try {
      await ctx.close();
      await metricsServer?.close();
    } finally {
      process.exit(0);
    }
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
  // Keep the process alive whatever the job engine's timers do.
  setInterval(() => undefined, 1 << 30);
  ctx.logger.info({ queues: ctx.jobs.queues, metrics: metricsEndpoints(config.metrics, false), cron: ctx.jobs.cronJobs.map((job) => `${job.name} (${job.cron})`) }, 'Tribe worker ready');
}

main().catch((err: unknown) => {
  process.stderr.write(`fatal: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
