import './require-supported-node.js';
import { buildApp } from './app.js';
import { loadConfigOrExit } from './config/config.js';
import { readEnv } from './config/env.js';
import { createContext } from './context.js';
import { CLOSE_POOLS_GRACE_MS, shutDownGracefully } from './http/shutdown.js';
import { metricsEndpoints, openMetricsServer } from './infra/metrics/metrics-server.js';
import { surviveUnhandledRejections } from './infra/process-guards.js';

/** The API process: config → context → migrations → app → listen, and a graceful stop on SIGTERM/SIGINT. */
async function main(): Promise<void> {
  const config = loadConfigOrExit(readEnv());
  // Migrations first, then the job engine starts (consuming only when RUN_JOBS_IN_API).
  const ctx = await createContext(config, {}, { role: 'api', migrate: true });
  surviveUnhandledRejections(ctx.logger, ctx.errorReporter);
  const app = await buildApp(ctx);
  // METRICS_PORT: /metrics without a token, on an internal interface (infra/metrics/metrics-server.ts).
  const metricsServer = await openMetricsServer(ctx.metrics, config.metrics, ctx.logger);

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    ctx.logger.info({ signal, drainTimeoutMs: config.shutdownTimeoutMs }, 'shutting down');
    // The last resort when a close hangs past its budget (the drain's own cut-off did not end it);
    // an API running jobs first lets them finish or hands them back (JOBS_STOP_TIMEOUT_MS, in ctx.close()).
    const jobsStopMs = config.runJobsInApi ? config.jobs.stopTimeoutMs : 0;
    const force = setTimeout(() => process.exit(1), config.shutdownTimeoutMs + jobsStopMs + CLOSE_POOLS_GRACE_MS);
    force.unref();
    const clean = await shutDownGracefully(app, async () => {
      await ctx.close();
      await metricsServer?.close();
    }, config.shutdownTimeoutMs, ctx.logger);
    process.exit(clean ? 0 : 1);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));

  await app.listen({ port: config.port, host: config.host });
  ctx.logger.info(
    {
      database: ctx.database.kind,
      redis: ctx.redis ? 'on' : 'off',
      jobs: config.runJobsInApi ? ctx.jobs.queues : 'in workers (npm run worker)',
      docs: config.apiDocsEnabled ? `${config.publicUrl}/docs` : 'off (API_DOCS_ENABLED=false)',
      node: process.version,
      metrics: metricsEndpoints(config.metrics, true),
    },
    'Tribe API ready',
  );
}

main().catch((err: unknown) => {
  process.stderr.write(`fatal: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
