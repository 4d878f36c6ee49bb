import argon2 from 'argon2';
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
  const lowered = password.toLowerCase();
  if (lowered === identity.email.toLowerCase() || lowered === identity.username.toLowerCase()) {
    problems.push('must not be your email or username');
  }
  return problems.map((message) => ({ field, message }));
}
