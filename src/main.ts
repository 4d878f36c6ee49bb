import './require-supported-node.js';
import { buildApp } from './app.js';
import { loadConfigOrExit } from './config/config.js';
import { readEnv } from './config/env.js';
import { createContext } from './context.js';
import { surviveUnhandledRejections } from './infra/process-guards.js';

/** The API process: config → context → migrations → app → listen, and a graceful stop on SIGTERM/SIGINT. */
async function main(): Promise<void> {
  const config = loadConfigOrExit(readEnv());
  const ctx = await createContext(config);
  surviveUnhandledRejections(ctx.logger);
  await ctx.database.migrate();
  const app = await buildApp(ctx);

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    ctx.logger.info({ signal }, 'shutting down');
    const force = setTimeout(() => process.exit(1), 15_000);
    force.unref();
    try {
      await app.close();
      await ctx.close();
    } finally {
      process.exit(0);
    }
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));

  await app.listen({ port: config.port, host: config.host });
  if (config.runJobsInApi) ctx.scheduler.start();
  ctx.logger.info(
    {
      database: ctx.database.kind,
      redis: ctx.redis ? 'on' : 'off',
      jobs: config.runJobsInApi ? ctx.scheduler.registered : 'in workers (npm run worker)',
      docs: config.apiDocsEnabled ? `${config.publicUrl}/docs` : 'off (API_DOCS_ENABLED=false)',
      node: process.version,
    },
    'Tribe API ready',
  );
}

main().catch((err: unknown) => {
  process.stderr.write(`fatal: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
