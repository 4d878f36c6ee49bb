/**
 * `npm run migrate`: applies pending migrations to the configured database — PostgreSQL when
 * DATABASE_URL is set, else the embedded PGlite in DATA_DIR/db — exactly as the API does on start.
 * Safe to run repeatedly (already applied migrations are skipped). Exits non-zero on failure.
 */
import { ConfigError, loadConfig } from '../src/config/config.js';
import { readEnv } from '../src/config/env.js';
import { createContext, type AppContext } from '../src/context.js';

function describeTarget(ctx: AppContext): string {
  if (ctx.database.kind === 'postgres' && ctx.config.databaseUrl) {
    // Name the server and database, never the credentials.
    const url = new URL(ctx.config.databaseUrl);
    return `PostgreSQL at ${url.hostname}${url.port ? `:${url.port}` : ''}${url.pathname}`;
  }
  return `embedded PGlite in ${ctx.config.dataDir}/db`;
}

async function main(): Promise<number> {
  let config;
  try {
    config = loadConfig(readEnv());
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`migrate: ${err.message}\n`);
      return 78;
    }
    throw err;
  }
  // The job engine's schema (pgboss) is created or upgraded as the context starts it.
  const ctx = await createContext(config, {}, { role: 'script' });
  try {
    const target = describeTarget(ctx);
    process.stdout.write(`Migrating ${target} ...\n`);
    const started = Date.now();
    await ctx.database.migrate();
    process.stdout.write(`Migrated ${ctx.database.kind} database (${target}) in ${Date.now() - started} ms.\n`);
    return 0;
  } finally {
    await ctx.close();
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    // The message names the cause (e.g. "connect ECONNREFUSED 127.0.0.1:5432"); DEBUG=1 adds the stack.
    const detail = err instanceof Error ? (readEnv().DEBUG ? (err.stack ?? err.message) : err.message) : String(err);
    process.stderr.write(`migrate: failed: ${detail}\n`);
    process.exit(1);
  },
);
