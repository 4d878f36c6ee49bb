/**
 * The suite's check that logs never hold credentials (issue 14.5): every test app logs at trace
 * level into a per-worker file under the run's log directory (test/global-setup.ts provides it),
 * factories and the harness record the passwords, tokens and hashes they see, and the global
 * teardown scans the files once the run is over.
 */
import { appendFileSync, existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';

const APP_LOG_PREFIX = 'app-';
const SECRETS_PREFIX = 'secrets-';
/** Shorter strings would match ordinary log text by chance. */
const MIN_SECRET_LENGTH = 8;

/** The log file this worker's test apps append to. */
export function appLogFile(dir: string): string {
  return path.join(dir, `${APP_LOG_PREFIX}${process.pid}.log`);
}

const recorded = new Set<string>();
let secretsDir: string | undefined;

/** Where recordSecret writes (set by the harness from the run's provided log directory). */
export function setSecretsDir(dir: string): void {
  secretsDir = dir;
}

/** passwords are searched as substrings; tokens and hashes as whole runs of token characters. */
export type SecretKind = 'password' | 'token' | 'hash';

/** Remembers a password, token or hash that must never appear in a log. */
export function recordSecret(kind: SecretKind, secret: unknown): void {
  if (!secretsDir || typeof secret !== 'string' || secret.length < MIN_SECRET_LENGTH || recorded.has(secret)) return;
  recorded.add(secret);
  appendFileSync(path.join(secretsDir, `${SECRETS_PREFIX}${process.pid}.txt`), `${JSON.stringify([kind, secret])}\n`);
}

const SECRET_REQUEST_FIELDS: Array<[string, SecretKind]> = [
  ['password', 'password'],
  ['confirm_password', 'password'],
  ['new_password', 'password'],
  ['current_password', 'password'],
  ['refresh_token', 'token'],
  ['token', 'token'],
];

function jsonObject(value: unknown): Record<string, unknown> | undefined {
  if (typeof value === 'string' && value.startsWith('{')) {
    try {
      return JSON.parse(value) as Record<string, unknown>;
    } catch {
      return undefined;
    }
  }
  return value && typeof value === 'object' && !Buffer.isBuffer(value) ? (value as Record<string, unknown>) : undefined;
}

/**
 * Records the credentials of one HTTP exchange: those a successful request sent (a refused one's
 * "password" is no one's credential), and the tokens it got back.
 */
export function recordExchange(payload: unknown, status: number, contentType: unknown, body: string): void {
  const sent = status >= 200 && status < 300 ? jsonObject(payload) : undefined;
  if (sent) for (const [field, kind] of SECRET_REQUEST_FIELDS) recordSecret(kind, sent[field]);
  if (String(contentType).startsWith('application/json') && body.includes('_token"')) {
    const received = jsonObject(body);
    recordSecret('token', received?.access_token);
    recordSecret('token', received?.refresh_token);
  }
}

export interface LogLeak {
  file: string;
  line: number;
  what: string;
  excerpt: string;
}

// Any of these in a log is a leak, whoever's it is.
const ALWAYS_SECRET: Array<[string, RegExp]> = [
  ['an argon2 password hash', /\$argon2(?:id|i|d)\$v=\d+\$/g],
  ['a JWT', /eyJ[\w-]{8,}\.eyJ[\w-]{8,}\.[\w-]{16,}/g],
];
// Runs of base64url (JWTs: dotted) and of standard base64 (argon2's salt and digest).
const TOKEN_RUNS = [/[\w.-]{8,}/g, /[A-Za-z0-9+/]{8,}/g];

function readSecrets(dir: string): { tokens: Set<string>; passwords: string[] } {
  const tokens = new Set<string>();
  const passwords = new Set<string>();
  for (const file of readdirSync(dir).filter((f) => f.startsWith(SECRETS_PREFIX))) {
    for (const line of readFileSync(path.join(dir, file), 'utf8').split('\n')) {
      if (!line) continue;
      const [kind, secret] = JSON.parse(line) as [SecretKind, string];
      if (kind === 'password') {
        passwords.add(secret);
      } else if (kind === 'hash') {
        // Its salt and digest are secrets on their own too.
        for (const part of secret.split('$')) if (part.length >= 16) tokens.add(part);
      } else {
        tokens.add(secret);
      }
    }
  }
  return { tokens, passwords: [...passwords] };
}

/**
 * Searches every captured log for the recorded secrets and for anything shaped like a password
 * hash or a JWT. Tokens are looked up by the runs of token characters in each line (one pass,
 * however many there are); the few distinct passwords by substring.
 */
export function findLogLeaks(dir: string): LogLeak[] {
  if (!existsSync(dir)) return [];
  const { tokens, passwords } = readSecrets(dir);
  const leaks: LogLeak[] = [];
  for (const file of readdirSync(dir).filter((f) => f.startsWith(APP_LOG_PREFIX)).sort()) {
    const lines = readFileSync(path.join(dir, file), 'utf8').split('\n');
    lines.forEach((text, index) => {
      const found = (what: string) => leaks.push({ file, line: index + 1, what, excerpt: text.slice(0, 300) });
      for (const [what, pattern] of ALWAYS_SECRET) {
        pattern.lastIndex = 0;
        if (pattern.test(text)) found(what);
      }
      const runs = TOKEN_RUNS.flatMap((pattern) => text.match(pattern) ?? []);
      if (runs.some((run) => tokens.has(run) || run.split('.').some((part) => tokens.has(part)))) found('a recorded token or hash');
      for (const password of passwords) if (text.includes(password)) found('a recorded password');
    });
  }
  return leaks;
}

/** The global teardown's verdict: the logs are removed when clean; otherwise they are kept and the run fails. */
export function failOnLogLeaks(dir: string): void {
  const leaks = findLogLeaks(dir);
  if (leaks.length === 0) {
    rmSync(dir, { recursive: true, force: true });
    return;
  }
  // Vitest 4 reports an error thrown by a global teardown but still exits 0: set the code ourselves.
  process.exitCode = 1;
  const shown = leaks.slice(0, 10).map((l) => `  ${l.file}:${l.line} holds ${l.what}: ${l.excerpt}`);
  throw new Error(
    `issue 14.5: ${leaks.length} log line(s) of this run hold a password, token or hash (logs kept in ${dir}):\n${shown.join('\n')}`,
  );
}
