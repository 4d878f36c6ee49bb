import { createHmac, timingSafeEqual } from 'node:crypto';

const SIGNATURE = /^[A-Za-z0-9_-]{43}$/;
const UNIX_SECONDS = /^[0-9]{1,12}$/;

/**
 * HMAC-SHA256 signatures of expiring media URLs (`?exp=<unix seconds>&sig=<base64url>`), the disk
 * adapter's counterpart of an S3 presigned GET. The MAC covers the key and the expiry, so neither
 * can be changed; it is compared in constant time.
 */
export class MediaUrlSignature {
  private readonly secret: Buffer;

  constructor(secret: string | Buffer) {
    this.secret = Buffer.isBuffer(secret) ? secret : Buffer.from(secret, 'utf8');
    if (this.secret.length < 32) throw new Error('the media URL secret must be at least 32 bytes');
  }

  /** The `sig` of `key` valid until `exp` (unix seconds). */
  sign(key: string, exp: number): string {
    return createHmac('sha256', this.secret).update(`${key}\n${exp}`).digest('base64url');
  }

  /** Seconds left before `exp` when `sig` is `key`'s signature until `exp` and `exp` is after `now`; else undefined. */
  verify(key: string, exp: unknown, sig: unknown, now: Date): number | undefined {
    if (typeof exp !== 'string' || typeof sig !== 'string' || !UNIX_SECONDS.test(exp) || !SIGNATURE.test(sig)) return undefined;
    // Compared as text, not decoded: base64url decoding ignores the last character's low bits, so
    // several strings decode to the same MAC.
    const expected = Buffer.from(this.sign(key, Number(exp)), 'ascii');
    const given = Buffer.from(sig, 'ascii');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
    const remaining = Number(exp) - Math.floor(now.getTime() / 1000);
    return remaining > 0 ? remaining : undefined;
  }
}
