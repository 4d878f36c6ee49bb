import { randomBytes } from 'node:crypto';

/**
 * Personal invite codes (issue 15 item 8): 13 characters of Crockford's base32 (0–9 and A–Z without
 * I, L, O, U, so nothing reads as another character), 65 bits from the OS's CSPRNG: unguessable
 * within the redemption limits (friends.invite-limits.ts), short enough to read out or type.
 */

export const INVITE_CODE_ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
export const INVITE_CODE_LENGTH = 13;

const VALID = new RegExp(`^[${INVITE_CODE_ALPHABET}]{${INVITE_CODE_LENGTH}}$`);

/** A fresh random code. 256 is a multiple of 32, so `byte & 31` picks every character equally often. */
export function newInviteCode(): string {
  const bytes = randomBytes(INVITE_CODE_LENGTH);
  let code = '';
  for (const byte of bytes) code += INVITE_CODE_ALPHABET[byte & 31];
  return code;
}

/**
 * The code as stored, from what a person typed: case does not matter, and O, I and L (which codes
 * never contain) read as 0, 1 and 1, as Crockford's base32 decodes them. Undefined when the result
 * cannot be a code at all (answered like an unknown code).
 */
export function normalizeInviteCode(input: string): string | undefined {
  const code = input.toUpperCase().replace(/O/g, '0').replace(/[IL]/g, '1');
  return VALID.test(code) ? code : undefined;
}

/** The shareable link that opens the app on the invite (docs/ARCHITECTURE.md, "Friend invites"). */
export function inviteUrl(appUrl: string, code: string): string {
  return `${appUrl}/invite/${code}`;
}
