import { defineConfig } from 'drizzle-kit';

/**
 * drizzle-kit reads every feature's table definitions, and the infrastructure's own tables (the
 * event receipts), and writes SQL migrations to ./migrations.
 */
export default defineConfig({
  dialect: 'postgresql',
  schema: ['./src/features/*/*.tables.ts', './src/infra/db/*.tables.ts'],
  out: './migrations',
  casing: 'snake_case',
});
