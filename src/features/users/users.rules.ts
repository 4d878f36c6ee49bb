import { validationError } from '../../lib/app-error.js';

/** Usernames: 3–30 characters of a-z 0-9 _ . (stored lower-case, so unique regardless of case). */
export const USERNAME_PATTERN = '^[A-Za-z0-9_.]{3,30}$';
export const BIO_MAX_LENGTH = 500;

// One @, no spaces, a dot in the domain: what a mail server will accept, without RFC 5322's corners.
const EMAIL_SHAPE = /^[^\s@]{1,64}@[^\s@]+\.[^\s@.]{2,}$/;

/** Trims and lower-cases an email address (no validation: use for look-ups). */
export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

/** Normalises an address that is about to be stored, refusing one that cannot be an email address. */
export function validEmail(email: string, field = 'email'): string {
  const normalized = normalizeEmail(email);
  if (normalized.length > 255 || !EMAIL_SHAPE.test(normalized)) {
    throw validationError('invalid_email', [{ field, message: 'must be an email address' }]);
  }
  return normalized;
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
