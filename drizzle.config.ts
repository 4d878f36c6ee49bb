import { defineConfig } from 'drizzle-kit';

/** drizzle-kit reads every feature's table definitions and writes SQL migrations to ./migrations. */
export default defineConfig({
  dialect: 'postgresql',
  schema: './src/features/*/*.tables.ts',
  out: './migrations',
  casing: 'snake_case',
});
