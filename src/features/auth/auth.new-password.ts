import type { UsersService } from '../users/users.service.js';
import type { UserRow } from '../users/users.tables.js';
import { passwordReused, passwordsDoNotMatch, weakPassword } from './auth.errors.js';
import { hashPassword, passwordProblems, verifyPassword } from './auth.passwords.js';

/** A new password may not reuse any of this many most recent passwords (the current one included). */
export const PASSWORD_HISTORY_DEPTH = 5;

/**
 * The hash of an acceptable new password for `user` (reset or change): it follows the password
 * rules, matches its confirmation and is none of the last 5; otherwise 422 naming `field`.
 */
export async function hashAcceptableNewPassword(
  users: UsersService,
  user: UserRow,
  input: { newPassword: string; confirmPassword: string },
  field = 'new_password',
): Promise<string> {
  const problems = passwordProblems(input.newPassword, field, user);
  if (problems.length > 0) throw weakPassword(problems);
  if (input.newPassword !== input.confirmPassword) throw passwordsDoNotMatch('confirm_password');
  for (const oldHash of await users.recentPasswordHashes(user.id, PASSWORD_HISTORY_DEPTH)) {
    if (await verifyPassword(oldHash, input.newPassword)) throw passwordReused(field);
  }
  return hashPassword(input.newPassword);
}
