import { execFile, execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { freePort } from './own-redis.js';

const run = promisify(execFile);

/** The newest PostgreSQL server binaries on this machine (Debian's /usr/lib/postgresql/<v>/bin, else PATH). */
function binDir(): string {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root)
    ? readdirSync(root)
        .filter((v) => existsSync(path.join(root, v, 'bin', 'initdb')))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  if (versions[0]) return path.join(root, versions[0], 'bin');
  return path.dirname(execFileSync('sh', ['-c', 'command -v initdb'], { encoding: 'utf8' }).trim());
}

/** initdb refuses to run as root: then every server command runs as the `postgres` OS user. */
const asRoot = process.getuid?.() === 0;

function postgresUid(): { uid: number; gid: number } {
  const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
  const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
  return { uid, gid };
}

function command(bin: string, args: string[]): [string, string[]] {
  return asRoot ? ['runuser', ['-u', 'postgres', '--', bin, ...args]] : [bin, args];
}

/** Clusters still running when the process exits (a crashed test) are stopped, never left behind. */
const running = new Set<OwnPostgres>();
process.once('exit', () => {
  for (const cluster of running) cluster.killNow();
});

/**
 * A PostgreSQL cluster of the test's own (initdb into a temp dir, pg_ctl on a free port on
 * 127.0.0.1; never the machine's shared server), which the test may stop, start and restart to
 * inject an outage. Durability is off (fsync, synchronous_commit): it only lives for one test file.
 */
export class OwnPostgres {
  private readonly bin = binDir();
  private readonly dataDir: string;

  private constructor(
    readonly port: number,
    private readonly dir: string,
  ) {
    this.dataDir = path.join(dir, 'data');
  }

  /** initdb + start; one cluster per test file, reused by its tests. */
  static async start(): Promise<OwnPostgres> {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'tribe-own-pg-'));
    if (asRoot) {
      const { uid, gid } = postgresUid();
      chownSync(dir, uid, gid);
    }
    const cluster = new OwnPostgres(await freePort(), dir);
    running.add(cluster);
    try {
      await cluster.pg('initdb', ['-D', cluster.dataDir, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--no-locale', '--no-sync']);
      await cluster.start();
    } catch (err) {
      await cluster.destroy();
      throw err;
    }
    return cluster;
  }

  /** postgres://postgres@127.0.0.1:<port>/<database> */
  url(database = 'postgres'): string {
    return `postgres://postgres@127.0.0.1:${this.port}/${database}`;
  }

  /** Starts the server and waits until it accepts connections. */
  async start(): Promise<void> {
    const options = [
      `-p ${this.port}`,
      `-k ${this.dir}`,
      '-c listen_addresses=127.0.0.1',
      '-c fsync=off',
      '-c synchronous_commit=off',
      '-c full_page_writes=off',
      '-c max_connections=60',
      '-c shared_buffers=32MB',
    ].join(' ');
    await this.pg('pg_ctl', ['start', '-w', '-t', '60', '-D', this.dataDir, '-l', path.join(this.dir, 'server.log'), '-o', options]);
  }

  /** Stops the server: `fast` ends every session (57P01), as an operator's restart does. */
  async stop(mode: 'fast' | 'immediate' = 'fast'): Promise<void> {
    await this.pg('pg_ctl', ['stop', '-w', '-t', '60', '-m', mode, '-D', this.dataDir]);
  }

  async restart(): Promise<void> {
    await this.stop();
    await this.start();
  }

  /** Creates a database (as the superuser, over TCP). */
  async createDatabase(name: string): Promise<string> {
    const admin = new pg.Client({ connectionString: this.url() });
    await admin.connect();
    try {
      await admin.query(`create database "${name}"`);
    } finally {
      await admin.end();
    }
    return this.url(name);
  }

  /** Stops the server (if running) and removes its directory. */
  async destroy(): Promise<void> {
    running.delete(this);
    if (existsSync(path.join(this.dataDir, 'postmaster.pid'))) await this.stop('immediate').catch(() => undefined);
    rmSync(this.dir, { recursive: true, force: true });
  }

  /** Synchronous last resort at process exit. */
  killNow(): void {
    try {
      const [cmd, args] = command(path.join(this.bin, 'pg_ctl'), ['stop', '-m', 'immediate', '-D', this.dataDir]);
      execFileSync(cmd, args, { stdio: 'ignore' });
    } catch {
      // already down
    }
    rmSync(this.dir, { recursive: true, force: true });
  }

  private async pg(tool: 'initdb' | 'pg_ctl', args: string[]): Promise<void> {
    const [cmd, argv] = command(path.join(this.bin, tool), args);
    try {
      await run(cmd, argv, { cwd: this.dir, env: { ...process.env, LC_ALL: 'C' } });
    } catch (err) {
      const e = err as { stderr?: string; stdout?: string; message: string };
      throw new Error(`${tool} ${args[0]} failed: ${e.message}\n${e.stdout ?? ''}${e.stderr ?? ''}`);
    }
  }
}
