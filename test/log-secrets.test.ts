import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { appLogFile, failOnLogLeaks, findLogLeaks, recordExchange, recordSecret, setSecretsDir } from './log-secrets.js';

let dir: string;

/** Records into a directory of its own (the run's recording goes on afterwards). */
function withScratchDir(work: () => void): void {
  dir = mkdtempSync(path.join(os.tmpdir(), 'tribe-log-secrets-test-'));
  try {
    setSecretsDir(dir);
    work();
  } finally {
    setSecretsDir(inject('testLogDir'));
  }
}
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const fresh = (prefix: string) => `${prefix}${randomBytes(12).toString('base64url')}`;
const writeLog = (...lines: object[]) => writeFileSync(appLogFile(dir), lines.map((l) => JSON.stringify(l)).join('\n'));

describe('issue 14.5: the suite’s log search for passwords, hashes and tokens', () => {
  it('finds recorded passwords, tokens and hash parts, and any argon2 hash or JWT, naming file and line', () => {
    const password = fresh('Pw!');
    const refresh = fresh('');
    const salt = randomBytes(16).toString('base64').replace(/=+$/, '');
    withScratchDir(() => {
      recordSecret('password', password);
      recordSecret('token', refresh);
      recordSecret('hash', `$argon2id$v=19$m=19456,t=2,p=1$${salt}$${randomBytes(32).toString('base64')}`);
    });
    writeLog(
      { msg: 'clean line', url: '/api/v1/auth/login' },
      { msg: `password was ${password}` },
      { msg: 'refresh', url: `/x?refresh=${refresh}&y=1` },
      { err: { message: `salt ${salt} only` } },
      { err: { message: 'params: $argon2id$v=19$m=65536,t=3,p=4$c29tZXNhbHQ$abc' } },
      { msg: 'Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U' },
    );
    const leaks = findLogLeaks(dir);
    expect(leaks.map((l) => [l.line, l.what])).toEqual([
      [2, 'a recorded password'],
      [3, 'a recorded token or hash'],
      [4, 'a recorded token or hash'],
      [5, 'an argon2 password hash'],
      [6, 'a JWT'],
    ]);
  });

  it('records what a successful exchange sent and the tokens any response carried, never a refused request’s password', () => {
    const accepted = fresh('Accepted!');
    const refused = fresh('Refused!');
    const issued = fresh('');
    withScratchDir(() => {
      recordExchange({ password: accepted }, 201, 'application/json; charset=utf-8', JSON.stringify({ refresh_token: issued }));
      recordExchange(JSON.stringify({ new_password: refused }), 422, 'application/json', '{"error":{}}');
    });
    writeLog({ msg: accepted }, { msg: issued }, { msg: refused });
    expect(findLogLeaks(dir).map((l) => l.line)).toEqual([1, 2]);
  });

  it('a clean run’s logs are removed; a leak fails the run (exit code 1) and keeps them', () => {
    withScratchDir(() => recordSecret('token', fresh('')));
    writeLog({ msg: 'nothing to see' });
    failOnLogLeaks(dir);
    expect(existsSync(dir)).toBe(false);

    dir = mkdtempSync(path.join(os.tmpdir(), 'tribe-log-secrets-test-'));
    writeLog({ msg: 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U' });
    const before = process.exitCode;
    try {
      expect(() => failOnLogLeaks(dir)).toThrow(/1 log line\(s\) of this run hold a password, token or hash/);
      expect(process.exitCode).toBe(1);
    } finally {
      process.exitCode = before;
    }
    expect(readdirSync(dir)).toHaveLength(1);
  });
});
