/**
 * `npm run openapi`: writes the OpenAPI 3.1 document of every route to ./openapi.json and the AsyncAPI
 * 3.0 document of the WebSocket to ./asyncapi.json (both checked in; test/openapi.test.ts and
 * test/contract.test.ts fail when they drift from what the app serves at GET /openapi.json and
 * GET /asyncapi.json).
 *
 * The app is built on a throwaway context — an in-memory PGlite (the document never touches the
 * database), NODE_ENV=test, a random JWT secret and a temp DATA_DIR — so the output depends only on
 * the code: no timestamps, hosts or machine paths, and running it twice gives identical bytes.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildApp } from '../src/app.js';
import { loadConfig } from '../src/config/config.js';
import { createContext } from '../src/context.js';
import { buildAsyncApi } from '../src/features/realtime/realtime.asyncapi.js';
import { openPgliteDatabase } from '../src/infra/db/pglite-database.js';
import { APP_VERSION } from '../src/version.js';

/** Where the checked-in document lives: the repository root. */
export const OPENAPI_FILE = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'openapi.json');
export const ASYNCAPI_FILE = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'asyncapi.json');

/** The AsyncAPI document on the same default configuration as generateOpenApi (PUBLIC_URL's default). */
export function generateAsyncApi(): unknown {
  const config = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', JWT_SECRET: randomBytes(32).toString('hex') });
  return JSON.parse(JSON.stringify(buildAsyncApi(APP_VERSION, config.publicUrl))) as unknown;
}

/** The document as committed: 2-space JSON with a trailing newline. */
export function formatOpenApi(document: unknown): string {
  return `${JSON.stringify(document, null, 2)}\n`;
}

/** Builds the app on a throwaway context and returns its OpenAPI document. */
export async function generateOpenApi(): Promise<unknown> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'tribe-openapi-'));
  try {
    // Deliberately not readEnv(): the document must not depend on the caller's environment.
    const config = loadConfig({
      NODE_ENV: 'test',
      DATA_DIR: dataDir,
      LOG_LEVEL: 'silent',
      JWT_SECRET: randomBytes(32).toString('hex'),
    });
    const ctx = await createContext(config, { database: await openPgliteDatabase() });
    try {
      const app = await buildApp(ctx);
      try {
        await app.ready();
        // Round-trip through JSON so the result is exactly what GET /openapi.json serves.
        return JSON.parse(JSON.stringify(app.swagger())) as unknown;
      } finally {
        await app.close();
      }
    } finally {
      await ctx.close();
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const document = await generateOpenApi();
  writeFileSync(OPENAPI_FILE, formatOpenApi(document));
  writeFileSync(ASYNCAPI_FILE, formatOpenApi(generateAsyncApi()));
  const paths = Object.keys((document as { paths?: Record<string, unknown> }).paths ?? {}).length;
  process.stdout.write(`Wrote ${path.relative(process.cwd(), OPENAPI_FILE) || OPENAPI_FILE} (${paths} paths) and asyncapi.json.\n`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((err: unknown) => {
    process.stderr.write(`openapi: failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  });
}
