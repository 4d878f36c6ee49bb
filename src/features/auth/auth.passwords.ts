import argon2 from 'argon2';
import { readFileSync } from 'node:fs';
import type { AppErrorDetail } from '../../lib/app-error.js';

/** OWASP's argon2id parameters: 19 MiB, 2 iterations, 1 lane (runs on libuv's pool, off the event loop). */
const ARGON2_OPTIONS = { type: argon2.argon2id, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

export const PASSWORD_MIN_LENGTH = 8;
export const PASSWORD_MAX_LENGTH = 128;

export function hashPassword(password: string): Promise<string> {
  return argon2.hash(password, ARGON2_OPTIONS);
}

export async function verifyPassword(hash: string, password: string): Promise<boolean> {
  try {
    return await argon2.verify(hash, password);
  } catch {
    return false;
  }
}

let dummyHash: Promise<string> | undefined;

/**
 * Verifies against a throwaway hash so that a login for an unknown email costs the same time as
 * one with a wrong password (no account enumeration by timing).
 */
export async function spendPasswordCheckTime(password: string): Promise<void> {
  dummyHash ??= hashPassword('timing-equaliser-' + Math.random().toString(36));
  await verifyPassword(await dummyHash, password);
}

/** The rules a new password breaks (empty when it is acceptable). */
export function passwordProblems(
  password: string,
  field: string,
  identity: { email: string; username: string },
): AppErrorDetail[] {
  const problems: string[] = [];
  if (password.length < PASSWORD_MIN_LENGTH || password.length > PASSWORD_MAX_LENGTH) {
    problems.push(`must be ${PASSWORD_MIN_LENGTH}–${PASSWORD_MAX_LENGTH} characters`);
  }
  if (!/[a-z]/.test(password)) problems.push('must contain a lower-case letter');
  if (!/[A-Z]/.test(password)) problems.push('must contain an upper-case letter');
  if (!/[0-9]/.test(password)) problems.push('must contain a digit');
  const common = commonPasswordProblem(password);
  if (common) problems.push(common);
  problems.push(...identityProblems(password, identity));
  return problems.map((message) => ({ field, message }));
}

/** Parts of the account a password must not contain: shorter ones would refuse too much. */
const IDENTITY_PART_MIN_LENGTH = 3;

function identityProblems(password: string, identity: { email: string; username: string }): string[] {
  const lowered = fold(password);
  const username = fold(identity.username.trim());
  const localPart = fold(identity.email.trim()).split('@')[0] ?? '';
  const problems: string[] = [];
  if (username.length >= IDENTITY_PART_MIN_LENGTH && lowered.includes(username)) problems.push('must not contain your username');
  if (localPart.length >= IDENTITY_PART_MIN_LENGTH && lowered.includes(localPart)) {
    problems.push('must not contain your email address or its part before the @');
  }
  return problems;
}

/** NFKC (full-width and other compatibility forms fold to their plain letters), then lower case. */
function fold(text: string): string {
  return text.normalize('NFKC').toLowerCase();
}

let commonPasswords: Set<string> | undefined;

/**
 * The 10,000 most common passwords, lower-case, most common first: the head of the ranked
 * `passwords` list of @zxcvbn-ts/language-common 3.0.4 (MIT; from leaked-password corpora),
 * bundled as common-passwords.txt so that no dependency or network is needed. Read on first use.
 */
function commonPasswordSet(): Set<string> {
  commonPasswords ??= new Set(
    readFileSync(new URL('./common-passwords.txt', import.meta.url), 'utf8')
      .split('\n')
      .filter((line) => line.length > 0),
  );
  return commonPasswords;
}

// Digits and symbols (anything but a letter) at the ends: "Password1!" is "password" with decoration.
const TRAILING_DECORATION = /[^\p{L}]+$/u;
const LEADING_DECORATION = /^[^\p{L}]+/u;

/** Why the password counts as common, or undefined: the list is checked as typed and without end decoration. */
export function commonPasswordProblem(password: string): string | undefined {
  const list = commonPasswordSet();
  const lowered = fold(password);
  if (list.has(lowered)) return 'is one of the 10,000 most common passwords';
  const trimmedEnd = lowered.replace(TRAILING_DECORATION, '');
  const core = trimmedEnd.replace(LEADING_DECORATION, '');
  for (const base of [trimmedEnd, core]) {
    if (base.length > 0 && base !== lowered && list.has(base)) {
      return 'is a common password with digits or symbols added';
    }
  }
  return undefined;
}
