import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { loadConfig } from '../src/config/config.js';
import { createContext } from '../src/context.js';
import type { Database } from '../src/infra/db/database.js';
import { migrateJobSchema } from '../src/infra/jobs/job-engine.js';
import { openPgliteDatabase } from '../src/infra/db/pglite-database.js';
import { openPostgresDatabase } from '../src/infra/db/postgres-database.js';
import { failOnLogLeaks } from './log-secrets.js';
import { databaseUrlFor } from './pg-admin.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Embedded mode: a migrated PGlite image every test file starts from. */
    pgliteImagePath: string;
    /** Production mode: a migrated template database every test file copies, and the run's name prefix. */
    pgTemplateDatabase: string;
    pgRunPrefix: string;
    /** The run's directory of captured app logs and recorded secrets (test/log-secrets.ts). */
    testLogDir: string;
  }
}

/**
 * Migrates ONE database per run, so each test file starts from a copy in well under a second:
 * a PGlite data-dir dump in embedded mode, a template database on PostgreSQL (DATABASE_URL).
 * At the end, fails the run if a captured log holds a password, token or hash.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const logDir = mkdtempSync(path.join(os.tmpdir(), 'tribe-test-logs-'));
  project.provide('testLogDir', logDir);
  const dropDatabases = await prepareDatabases(project);
  return async () => {
    try {
      failOnLogLeaks(logDir);
    } finally {
      await dropDatabases();
    }
  };
}

async function prepareDatabases(project: TestProject): Promise<() => Promise<void>> {
  const baseUrl = process.env.DATABASE_URL;
  if (!baseUrl) {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'tribe-test-image-'));
    const database = await openPgliteDatabase();
    await database.migrate();
    await migrateJobSchema(database);
    await createJobQueues(database);
    const image = await database.client.dumpDataDir('none');
    await database.close();
    const file = path.join(dir, 'migrated.tar');
    writeFileSync(file, Buffer.from(await image.arrayBuffer()));
    project.provide('pgliteImagePath', file);
    project.provide('pgTemplateDatabase', '');
    project.provide('pgRunPrefix', '');
    return async () => rmSync(dir, { recursive: true, force: true });
  }

  const prefix = `tribe_test_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
  const template = `${prefix}_tpl`;
  const admin = new pg.Client({ connectionString: baseUrl });
  await admin.connect();
  await admin.query(`create database "${template}"`);
  const database = openPostgresDatabase({ url: databaseUrlFor(baseUrl, template), poolSize: 2 });
  await database.migrate();
  await migrateJobSchema(database, databaseUrlFor(baseUrl, template));
  await createJobQueues(database);
  await database.close();
  project.provide('pgliteImagePath', '');
  project.provide('pgTemplateDatabase', template);
  project.provide('pgRunPrefix', prefix);
  return async () => {
    const { rows } = await admin.query<{ datname: string }>(
      'select datname from pg_database where datname like $1',
      [`${prefix}%`],
    );
    for (const { datname } of rows) {
      await admin.query(`drop database if exists "${datname}" with (force)`);
    }
    await admin.end();
  };
}

/**
 * Creates every job queue (and its dead-letter queue) in the image: pg-boss makes a table per queue,
 * and creating some forty of them in every test file's copy would cost seconds each time.
 */
async function createJobQueues(database: Database): Promise<void> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'tribe-test-queues-'));
  try {
    const config = loadConfig({ NODE_ENV: 'test', DATA_DIR: dataDir, LOG_LEVEL: 'silent', JWT_SECRET: randomBytes(32).toString('hex') });
    // The context closes its database; this one is still needed (its image is taken afterwards).
    const kept = Object.create(database, { close: { value: async () => undefined } }) as Database;
    const ctx = await createContext(config, { database: kept }, { role: 'script' });
    await ctx.close();
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}
