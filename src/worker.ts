import './require-supported-node.js';
import { loadConfigOrExit } from './config/config.js';
import { readEnv } from './config/env.js';
import { createContext } from './context.js';
import { surviveUnhandledRejections } from './infra/process-guards.js';

/**
 * The worker process (`npm run worker`): the same context as the API, no HTTP; runs the periodic
 * jobs. Run one or more beside the API instances when Redis is configured (each job period runs in
 * exactly one of them); without Redis the API process runs the jobs itself.
 */
async function main(): Promise<void> {
  const config = loadConfigOrExit(readEnv());
  const ctx = await createContext(config);
  surviveUnhandledRejections(ctx.logger);
  await ctx.database.migrate();
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    ctx.logger.info({ signal }, 'worker shutting down');
    const force = setTimeout(() => process.exit(1), 30_000);
    force.unref();
    try {
      await ctx.close();
    } finally {
      process.exit(0);
    }
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
  ctx.scheduler.start();
  // Keep the process alive: the scheduler's timers are unref'd so they never hold the API open.
  setInterval(() => undefined, 1 << 30);
  ctx.logger.info({ jobs: ctx.scheduler.registered }, 'Tribe worker ready');
}

main().catch((err: unknown) => {
  process.stderr.write(`fatal: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
