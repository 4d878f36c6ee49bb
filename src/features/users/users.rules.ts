import { validationError } from '../../lib/app-error.js';

/** Usernames: 3–30 characters of a-z 0-9 _ . (stored lower-case, so unique regardless of case). */
export const USERNAME_PATTERN = '^[A-Za-z0-9_.]{3,30}$';
/** USERNAME_PATTERN in words: the validation message and the schema description. */
export const USERNAME_RULE = 'must be 3–30 characters of letters (a-z, A-Z), digits, _ and .';
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

export const FULL_NAME_MAX_LENGTH = 255;

/**
 * Bidi controls (LRE…RLO U+202A–U+202E, isolates U+2066–U+2069, the marks U+200E, U+200F and U+061C)
 * and zero-width characters (U+200B–U+200D, U+2060, U+FEFF): in a name they reorder the text shown
 * around it or make two different names look the same.
 */
const BIDI_OR_ZERO_WIDTH = /[\u061C\u200B-\u200F\u202A-\u202E\u2060\u2066-\u2069\uFEFF]/u;

const codePoint = (char: string) => `U+${char.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;

/**
 * A person's display name as stored: NFKC-normalised (full-width and other compatibility forms
 * become their plain letters), spaces collapsed and trimmed. Refuses (422 invalid_full_name) a
 * blank name, one over 255 characters, and one with bidi controls or zero-width characters.
 */
export function normalizeFullName(fullName: string, field = 'full_name'): string {
  const normalized = fullName.normalize('NFKC');
  const hidden = BIDI_OR_ZERO_WIDTH.exec(normalized);
  if (hidden) {
    throw validationError('invalid_full_name', [
      { field, message: `must not contain invisible or text-direction control characters (found ${codePoint(hidden[0])})` },
    ]);
  }
  const trimmed = normalized.trim().replace(/\s+/g, ' ');
  if (trimmed.length === 0) throw validationError('invalid_full_name', [{ field, message: 'must not be blank' }]);
  // NFKC can lengthen a name (one ligature becomes several letters): the column holds 255 characters.
  if ([...trimmed].length > FULL_NAME_MAX_LENGTH) {
    throw validationError('invalid_full_name', [{ field, message: `must be at most ${FULL_NAME_MAX_LENGTH} characters` }]);
  }
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
