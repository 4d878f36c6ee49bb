/**
 * `npm run jobs`: the job queues of the configured database (pg-boss, schema `pgboss`) with their
 * pending/active/completed/failed counts and newest errors.
 *   npm run jobs                          the table (add `-- --json` for JSON)
 *   npm run jobs -- retry <queue> <id>    runs a failed job again: a job of <queue> by its id, or the
 *                                         original of a dead-letter copy (<queue> ending in `.dead`)
 * Against PostgreSQL it runs beside live APIs and workers. The embedded database (PGlite, one
 * process) must not be open in `npm start` at the same time: stop the server first.
 */
import { ConfigError, loadConfig } from '../src/config/config.js';
import { readEnv } from '../src/config/env.js';
import { createContext } from '../src/context.js';
import type { QueueReport } from '../src/infra/jobs/job-engine.js';

function table(report: QueueReport[]): string {
  const rows = report.map((q) => [q.name, String(q.pending), String(q.active), String(q.completed), String(q.failed)]);
  const header = ['queue', 'pending', 'active', 'completed', 'failed'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  const out = [line(header), ...rows.map(line)];
  const errors = report.flatMap((q) => q.lastErrors.map((e) => `  ${q.name} ${e.jobId} ${e.at}: ${e.message}`));
  if (errors.length > 0) out.push('', 'Newest failures (retry with: npm run jobs -- retry <queue> <id>):', ...errors);
  return `${out.join('\n')}\n`;
}

async function main(args: string[]): Promise<number> {
  let config;
  try {
    config = loadConfig(readEnv());
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`jobs: ${err.message}\n`);
      return 78;
    }
    throw err;
  }
  const ctx = await createContext(config, {}, { role: 'script' });
  try {
    if (args[0] === 'retry') {
      const [, queue, id] = args;
      if (!queue || !id || !/^[0-9a-f-]{36}$/i.test(id)) {
        process.stderr.write('usage: npm run jobs -- retry <queue> <job id>\n');
        return 64;
      }
      const retried = await ctx.jobs.retryFailed(queue, id);
      if (!retried) {
        process.stderr.write(`jobs: no failed job ${id} in ${queue}\n`);
        return 1;
      }
      process.stdout.write(`Retrying ${retried.queue} ${retried.id}.\n`);
      return 0;
    }
    if (args.length > 0 && args[0] !== '--json') {
      process.stderr.write('usage: npm run jobs [-- --json] | npm run jobs -- retry <queue> <job id>\n');
      return 64;
    }
    const report = await ctx.jobs.report();
    process.stdout.write(args[0] === '--json' ? `${JSON.stringify(report, null, 2)}\n` : table(report));
    return 0;
  } finally {
    await ctx.close();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`jobs: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
