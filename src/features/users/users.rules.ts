import { validationError } from '../../lib/app-error.js';

/** Usernames: 3–30 characters of a-z 0-9 _ . (stored lower-case, so unique regardless of case). */
export const USERNAME_PATTERN = '^[A-Za-z0-9_.]{3,30}$';
export const BIO_MAX_LENGTH = 500;

export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

export function normalizeUsername(username: string): string {
  return username.trim().toLowerCase();
}

export function normalizeFullName(fullName: string, field = 'full_name'): string {
  const trimmed = fullName.trim().replace(/\s+/g, ' ');
  if (trimmed.length === 0) throw validationError('invalid_full_name', [{ field, message: 'must not be blank' }]);
  return trimmed;
}

/** Accepts IANA zone names such as "Africa/Nairobi" or "UTC". */
export function assertTimezone(timezone: string): string {
  try {
    return new Intl.DateTimeFormat('en-US', { timeZone: timezone }).resolvedOptions().timeZone;
  } catch {
    throw validationError('invalid_timezone', [{ field: 'timezone', message: 'is not an IANA time zone' }]);
  }
}
