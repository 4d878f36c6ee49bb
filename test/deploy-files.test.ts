/**
 * The container files, checked without a Docker engine (none runs on this machine, and images
 * cannot be pulled): Dockerfile, .dockerignore, docker-compose.yml and deploy/nginx.conf are parsed
 * and held against the code they deploy — package.json's scripts and dependencies, the config
 * schema (every app service's environment goes through loadConfig) and .ci/run's list of variables.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { loadConfig, type Config } from '../src/config/config.js';

const root = path.resolve(import.meta.dirname, '..');
const read = (file: string) => readFileSync(path.join(root, file), 'utf8');
const pkg = JSON.parse(read('package.json')) as { scripts: Record<string, string>; dependencies: Record<string, string> };

// --- Dockerfile ---------------------------------------------------------------------------------

interface Instruction {
  op: string;
  args: string;
  stage: number;
}

/** Instructions with continuation lines joined and comments dropped; `stage` counts FROMs (0-based). */
function dockerInstructions(text: string): Instruction[] {
  const logical = text
    .split('\n')
    .filter((line) => !/^\s*#/.test(line))
    .join('\n')
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean);
  let stage = -1;
  return logical.map((line) => {
    const [op = '', ...rest] = line.split(/\s+/);
    if (op.toUpperCase() === 'FROM') stage += 1;
    return { op: op.toUpperCase(), args: rest.join(' '), stage };
  });
}

/** A Dockerfile's exec-form (JSON array) argument. */
const execForm = (args: string) => JSON.parse(args) as string[];

// --- compose ------------------------------------------------------------------------------------

/** Compose's interpolation: ${VAR}, ${VAR:-default}, ${VAR-default}, ${VAR:?error}, ${VAR?error}; $$ is a literal $. */
function interpolate(text: string, vars: Record<string, string>): string {
  return text
    .replaceAll('$$', '\u0000')
    .replace(/\$\{([A-Z0-9_]+)(?:(:?)([-?])([^}]*))?\}/g, (_, name: string, colon: string, kind: string, operand: string) => {
      const value = vars[name];
      const missing = value === undefined || (colon === ':' && value === '');
      if (kind === '?' && missing) throw new Error(`required variable ${name}: ${operand}`);
      if (kind === '-' && missing) return operand;
      return value ?? '';
    })
    .replaceAll('\u0000', '$');
}

interface ComposeService {
  image?: string;
  build?: unknown;
  command?: string[];
  environment?: Record<string, unknown>;
  volumes?: string[];
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test?: string[]; disable?: boolean };
  ports?: string[];
  entrypoint?: string[];
}
interface ComposeFile {
  services: Record<string, ComposeService>;
  volumes: Record<string, unknown>;
}

const SECRETS = {
  JWT_SECRET: 'compose-test-jwt-secret-0123456789abcdefghijkl',
  POSTGRES_PASSWORD: 'compose-test-postgres-password',
  MINIO_ROOT_PASSWORD: 'compose-test-minio-password',
};

function loadCompose(vars: Record<string, string> = SECRETS): ComposeFile {
  return parseYaml(interpolate(read('docker-compose.yml'), vars), { merge: true }) as ComposeFile;
}

/** The services that run this repository's image. */
const appServiceNames = (compose: ComposeFile) =>
  Object.entries(compose.services)
    .filter(([, service]) => service.build !== undefined)
    .map(([name]) => name);

/** Names of .ci/run's APP_ENV_VARS: every variable config.ts reads (the test runs unset them). */
function ciAppEnvVars(): Set<string> {
  const match = /APP_ENV_VARS=\(([^)]*)\)/.exec(read('.ci/run'));
  if (!match?.[1]) throw new Error('APP_ENV_VARS not found in .ci/run');
  return new Set(match[1].split(/\s+/).filter(Boolean));
}

// --- nginx --------------------------------------------------------------------------------------

interface Directive {
  name: string;
  args: string[];
  block?: Directive[];
}

/** nginx's configuration syntax: directives ending in `;`, blocks in braces, `#` comments, quoted strings. */
function parseNginx(text: string): Directive[] {
  const tokens = text.replace(/#[^\n]*/g, '').match(/'[^']*'|"[^"]*"|[{};]|[^\s{};]+/g) ?? [];
  let at = 0;
  const block = (): Directive[] => {
    const out: Directive[] = [];
    while (at < tokens.length) {
      const name = tokens[at++]!;
      if (name === '}') return out;
      const args: string[] = [];
      while (at < tokens.length && tokens[at] !== ';' && tokens[at] !== '{') args.push(tokens[at++]!.replace(/^(['"])(.*)\1$/, '$2'));
      if (tokens[at++] === '{') out.push({ name, args, block: block() });
      else out.push({ name, args });
    }
    return out;
  };
  return block();
}

const find = (directives: Directive[], name: string, ...args: string[]) =>
  directives.filter((d) => d.name === name && args.every((arg, i) => d.args[i] === arg));
const one = (directives: Directive[], name: string, ...args: string[]): Directive => {
  const found = find(directives, name, ...args);
  expect(found, `${name} ${args.join(' ')}`).toHaveLength(1);
  return found[0]!;
};
const headerOf = (location: Directive, header: string) =>
  find(location.block ?? [], 'proxy_set_header').find((d) => d.args[0]?.toLowerCase() === header.toLowerCase())?.args[1];
const seconds = (value: string) => Number(/^(\d+)s?$/.exec(value)?.[1] ?? NaN);
const megabytes = (value: string) => Number(/^(\d+)m$/i.exec(value)?.[1] ?? NaN) * 1024 * 1024;

// ------------------------------------------------------------------------------------------------

describe('issue 17: Dockerfile', () => {
  const instructions = dockerInstructions(read('Dockerfile'));
  const finalStage = Math.max(...instructions.map((i) => i.stage));
  const final = instructions.filter((i) => i.stage === finalStage);
  const finalOp = (op: string) => final.filter((i) => i.op === op);

  it('is multi-stage on Node 24 LTS and installs exactly the lockfile’s runtime dependencies', () => {
    const args = Object.fromEntries(
      instructions.filter((i) => i.op === 'ARG' && i.args.includes('=')).map((i) => i.args.split('=') as [string, string]),
    );
    const froms = instructions.filter((i) => i.op === 'FROM').map((i) => i.args.split(/\s+/)[0]!.replace(/^\$\{(\w+)\}$/, (_, name: string) => args[name] ?? ''));
    expect(froms.length).toBeGreaterThanOrEqual(2);
    for (const image of froms) expect(image).toMatch(/^node:24(\.|-|$)/);
    const install = instructions.find((i) => i.op === 'RUN' && /\bnpm ci\b/.test(i.args));
    expect(install?.args).toMatch(/npm ci --omit=dev\b/);
    // The runtime stage takes node_modules from the install stage, not from the build context.
    expect(finalOp('COPY').some((i) => /--from=\w+/.test(i.args) && i.args.includes('node_modules'))).toBe(true);
  });

  it('runs as a non-root user, checks /healthz without curl, stops on SIGTERM and exposes PORT', () => {
    const user = finalOp('USER').at(-1)?.args;
    expect(user).toBeDefined();
    expect(user).not.toMatch(/^(root|0)(:|$)/);
    const healthcheck = finalOp('HEALTHCHECK');
    expect(healthcheck).toHaveLength(1);
    expect(healthcheck[0]!.args).toContain('/healthz');
    expect(healthcheck[0]!.args).toMatch(/CMD \["node", "-e", .*fetch\(/);
    expect(healthcheck[0]!.args).not.toMatch(/\b(curl|wget)\b/);
    expect(finalOp('STOPSIGNAL').map((i) => i.args)).toEqual(['SIGTERM']);
    const env = finalOp('ENV').map((i) => i.args).join(' ');
    const port = /\bPORT=(\d+)/.exec(env)?.[1];
    expect(port).toBe('8000');
    expect(finalOp('EXPOSE').map((i) => i.args)).toEqual([port]);
    expect(env).toMatch(/\bNODE_ENV=production\b/);
  });

  it('starts the API exactly as npm start does, with what it needs at run time copied in', () => {
    const cmd = execForm(finalOp('CMD').at(-1)!.args);
    expect(`exec ${cmd.join(' ')}`).toBe(pkg.scripts.start);
    const copied = finalOp('COPY')
      .filter((i) => !i.args.includes('--from='))
      .flatMap((i) => i.args.split(/\s+/).filter((word) => !word.startsWith('--')).slice(0, -1));
    for (const needed of ['package.json', 'src', 'migrations', 'scripts/migrate.ts', 'scripts/jobs.ts']) expect(copied).toContain(needed);
    expect(pkg.scripts.migrate).toBe('tsx scripts/migrate.ts');
    expect(pkg.scripts.jobs, 'the operators\' command runs in the image').toBe('tsx scripts/jobs.ts');
  });

  it('every package the shipped code imports is a runtime dependency (npm ci --omit=dev installs it)', () => {
    const shipped: string[] = ['scripts/migrate.ts', 'scripts/jobs.ts'];
    const walk = (dir: string) => {
      for (const entry of readdirSync(path.join(root, dir), { withFileTypes: true })) {
        const file = path.join(dir, entry.name);
        if (entry.isDirectory()) walk(file);
        else if (/\.(ts|mjs)$/.test(entry.name) && !/\.test(-helpers)?\.ts$/.test(entry.name)) shipped.push(file);
      }
    };
    walk('src');
    expect(shipped.length).toBeGreaterThan(100);
    const builtins = new Set(builtinModules);
    const missing = new Set<string>();
    for (const file of shipped) {
      for (const [, specifier] of read(file).matchAll(/(?:^|\n)\s*(?:import|export)[^'"]*?from\s+'([^'.][^']*)'|import\('([^'.][^']*)'\)/g)) {
        if (!specifier || specifier.startsWith('node:') || builtins.has(specifier)) continue;
        const name = specifier.startsWith('@') ? specifier.split('/').slice(0, 2).join('/') : specifier.split('/')[0]!;
        if (!(name in pkg.dependencies)) missing.add(`${name} (${file})`);
      }
    }
    expect([...missing]).toEqual([]);
    expect(pkg.dependencies).toHaveProperty('tsx');
  });

  it('.dockerignore keeps secrets, node_modules and tests out of the build context, and the code in', () => {
    const ignored = read('.dockerignore').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
    for (const pattern of ['.git', '.env', 'node_modules', 'data', '**/*.test.ts']) expect(ignored).toContain(pattern);
    for (const kept of ['src', 'migrations', 'scripts', 'package.json', 'package-lock.json']) expect(ignored).not.toContain(kept);
  });
});

describe('issue 17: docker-compose.yml', () => {
  const compose = loadCompose();
  const { services } = compose;
  const apps = appServiceNames(compose);
  const configOf = (name: string): Config => loadConfig(services[name]!.environment as Record<string, string>);

  it('refuses to start without its secrets (${VAR:?})', () => {
    for (const name of Object.keys(SECRETS)) {
      const vars: Record<string, string> = { ...SECRETS };
      delete vars[name];
      expect(() => loadCompose(vars), name).toThrow(`required variable ${name}`);
    }
  });

  it('has two API instances, a worker, migrations, nginx, PostgreSQL 16, Redis and MinIO', () => {
    expect(apps.sort()).toEqual(['api-1', 'api-2', 'migrate', 'worker']);
    for (const api of ['api-1', 'api-2']) {
      expect(services[api]!.command, 'the image CMD: npm start').toBeUndefined();
      expect(services[api]!.depends_on?.migrate?.condition).toBe('service_completed_successfully');
    }
    expect(services.worker!.command).toEqual(['npm', 'run', 'worker']);
    expect(pkg.scripts.worker).toBe('exec node --import tsx src/worker.ts');
    expect(services.worker!.healthcheck?.disable, 'no HTTP in the worker').toBe(true);
    expect(services.worker!.depends_on?.migrate?.condition).toBe('service_completed_successfully');
    expect(services.migrate!.command).toEqual(['node', '--import', 'tsx', 'scripts/migrate.ts']);
    expect(services.migrate!.depends_on?.postgres?.condition).toBe('service_healthy');
    expect(services.proxy!.image).toMatch(/^nginx:/);
    expect(services.proxy!.volumes).toContain('./deploy/nginx.conf:/etc/nginx/nginx.conf:ro');
    expect(services.proxy!.depends_on?.['api-1']?.condition).toBe('service_healthy');
    expect(services.proxy!.depends_on?.['api-2']?.condition).toBe('service_healthy');
  });

  it('PostgreSQL 16 keeps its data in a named volume and has a healthcheck', () => {
    const pg = services.postgres!;
    expect(pg.image).toMatch(/^postgres:16(\.|-|$)/);
    const volume = pg.volumes?.find((v) => v.endsWith(':/var/lib/postgresql/data'))?.split(':')[0];
    expect(volume).toBeDefined();
    expect(compose.volumes).toHaveProperty(volume!);
    expect(pg.healthcheck?.test?.join(' ')).toContain('pg_isready');
  });

  it('Redis appends to an AOF, never evicts, and keeps /data in a named volume', () => {
    const redis = services.redis!;
    const command = redis.command!.join(' ');
    expect(command).toMatch(/--appendonly yes\b/);
    expect(command).toMatch(/--maxmemory-policy noeviction\b/);
    const volume = redis.volumes?.find((v) => v.endsWith(':/data'))?.split(':')[0];
    expect(compose.volumes).toHaveProperty(volume!);
  });

  it('MinIO serves the bucket the app is configured with, created by a one-shot service', () => {
    expect(services.minio!.image).toMatch(/^minio\/minio:RELEASE\./);
    const bucket = configOf('api-1').s3!.bucket;
    const init = services['minio-init']!;
    expect(init.image).toMatch(/^minio\/mc:RELEASE\./);
    const script = init.entrypoint!.join('\n');
    expect(script).toContain(`mc mb --ignore-existing local/${bucket}`);
    expect(script).toContain('"$MINIO_ROOT_USER"'); // $$ reached the shell as $
    expect(services['api-1']!.depends_on?.['minio-init']?.condition).toBe('service_completed_successfully');
    const policy = JSON.parse(read('deploy/minio-public-read.json')) as { Statement: Array<{ Effect: string; Resource: string[] }> };
    expect(policy.Statement.find((s) => s.Effect === 'Deny')?.Resource).toEqual([`arn:aws:s3:::${bucket}/private/*`]);
  });

  it('every app service’s environment is strings of variables config.ts reads', () => {
    const known = ciAppEnvVars();
    const configSource = read('src/config/config.ts');
    for (const name of apps) {
      const env = services[name]!.environment!;
      for (const [key, value] of Object.entries(env)) {
        expect(typeof value, `${name}: ${key} must be quoted`).toBe('string');
        expect(known.has(key), `${name}: ${key} is not in .ci/run's APP_ENV_VARS`).toBe(true);
        expect(configSource, `${name}: config.ts does not read ${key}`).toContain(key);
      }
    }
  });

  it('each app service’s environment loads through the config schema in the production mode', () => {
    for (const name of apps) {
      const config = configOf(name);
      expect(config.env, name).toBe('production');
      expect(config.jwtSecret).toBe(SECRETS.JWT_SECRET);
      expect(new URL(config.databaseUrl!).host).toBe('postgres:5432');
      expect(new URL(config.databaseUrl!).password).toBe(SECRETS.POSTGRES_PASSWORD);
      expect(config.redisUrl).toBe('redis://redis:6379');
      expect(config.s3).toMatchObject({ bucket: 'tribe-media', endpoint: 'http://minio:9000', forcePathStyle: true, secretAccessKey: SECRETS.MINIO_ROOT_PASSWORD });
      expect(config.media.baseUrl).toBe(`${config.publicUrl}/media-bucket`);
      expect(config.smtpUrl).toBeUndefined();
      expect(config.errorReporting.sentryDsn).toBeUndefined();
    }
    for (const api of ['api-1', 'api-2']) {
      const config = configOf(api);
      expect(config.runJobsInApi, `${api} only enqueues`).toBe(false);
      expect(config.trustProxy).toBe(true);
      expect(config.port).toBe(8000);
      expect(config.publicUrl).toBe('http://localhost:8080');
    }
    // The optional variables compose passes through are accepted when set.
    const withOptional = loadCompose({ ...SECRETS, SENTRY_DSN: 'https://abc123@sentry.example.com/42', SMTP_URL: 'smtp://mail:25', PUBLIC_URL: 'https://api.example.com' });
    const config = loadConfig(withOptional.services['api-1']!.environment as Record<string, string>);
    expect(config.errorReporting.sentryDsn?.envelopeUrl).toBe('https://sentry.example.com/api/42/envelope/');
    expect(config.errorReporting.environment).toBe('compose');
    expect(config.smtpUrl).toBe('smtp://mail:25');
    expect(config.media.baseUrl).toBe('https://api.example.com/media-bucket');
  });

  it('the processes’ pools fit in PostgreSQL’s max_connections', () => {
    const maxConnections = Number(/max_connections=(\d+)/.exec(services.postgres!.command!.join(' '))?.[1]);
    // Per process: the main pool, the prepared-read pool (half of it) and the job engine's pool.
    const perProcess = apps.map((name) => {
      const config = configOf(name);
      return config.dbPoolSize + Math.max(2, Math.ceil(config.dbPoolSize / 2)) + config.jobs.dbPoolSize;
    });
    const total = perProcess.reduce((a, b) => a + b, 0);
    expect(total).toBeLessThanOrEqual(maxConnections - 20);
  });
});

describe('issue 17: deploy/nginx.conf', () => {
  const conf = parseNginx(read('deploy/nginx.conf'));
  const http = one(conf, 'http').block!;
  const server = one(http, 'server').block!;
  const compose = loadCompose();

  it('balances over both API instances on the port they listen on', () => {
    const upstream = one(http, 'upstream', 'tribe_api').block!;
    const port = loadConfig(compose.services['api-1']!.environment as Record<string, string>).port;
    expect(find(upstream, 'server').map((d) => d.args[0]).sort()).toEqual([`api-1:${port}`, `api-2:${port}`]);
    for (const name of ['api-1', 'api-2']) expect(compose.services).toHaveProperty(name);
    expect(one(server, 'listen').args[0]).toBe(compose.services.proxy!.ports![0]!.split(':').at(-1));
  });

  it('upgrades WebSockets on /ws and keeps them open past the heartbeat', () => {
    const map = one(http, 'map', '$http_upgrade', '$connection_upgrade');
    expect(find(map.block!, 'default')[0]?.args).toEqual(['upgrade']);
    const ws = one(server, 'location', '=', '/ws');
    expect(find(ws.block!, 'proxy_pass')[0]?.args).toEqual(['http://tribe_api']);
    expect(headerOf(ws, 'Upgrade')).toBe('$http_upgrade');
    expect(headerOf(ws, 'Connection')).toBe('$connection_upgrade');
    expect(one(server, 'proxy_http_version').args).toEqual(['1.1']);
    const heartbeatSeconds = loadConfig({}).realtime.heartbeatMs / 1000;
    expect(seconds(one(ws.block!, 'proxy_read_timeout').args[0]!)).toBeGreaterThan(2 * heartbeatSeconds);
  });

  it('every location that reaches the API sets the forwarded headers itself (proxy_set_header is not inherited once a location sets one)', () => {
    const toApi = find(server, 'location').filter((l) => find(l.block!, 'proxy_pass')[0]?.args[0] === 'http://tribe_api');
    expect(toApi.length).toBe(2);
    for (const location of toApi) {
      expect(headerOf(location, 'Host'), location.args.join(' ')).toBe('$host');
      // Overwritten, not appended: the client cannot choose the address TRUST_PROXY makes the API see.
      expect(headerOf(location, 'X-Forwarded-For')).toBe('$remote_addr');
      expect(headerOf(location, 'X-Forwarded-Proto')).toBe('$scheme');
    }
  });

  it('lets the largest upload through, and never serves private media from the bucket', () => {
    const config = loadConfig({});
    expect(megabytes(one(server, 'client_max_body_size').args[0]!)).toBeGreaterThan(Math.max(config.media.maxVideoBytes, config.media.maxImageBytes));
    const privateMedia = one(server, 'location', '/media-bucket/private/');
    expect(privateMedia.block).toEqual([{ name: 'return', args: ['404'] }]);
    const media = one(server, 'location', '/media-bucket/');
    expect(find(media.block!, 'proxy_pass')[0]?.args).toEqual(['http://minio:9000/tribe-media/']);
  });
});
