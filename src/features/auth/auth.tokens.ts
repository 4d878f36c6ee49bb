import { createHash, randomBytes } from 'node:crypto';
import { errors as joseErrors, jwtVerify, SignJWT } from 'jose';
import { TtlLru } from '../../lib/ttl-lru.js';
import { AppError } from '../../lib/app-error.js';

/**
 * The plan's access-token claims (section 8.1) without the email (a token travels in logs and
 * crash reports; nothing reads the address from it), plus `ver`, the account's token version, and
 * `sid`, the session (refresh-token family) it belongs to, so ending a session ends its access tokens.
 */
export interface AccessClaims {
  type: 'access';
  user_id: string;
  username: string;
  sid: string;
  ver: number;
  iat: number;
  exp: number;
}

/** What an access token is issued for. */
export interface AccessTokenSubject {
  userId: string;
  username: string;
  /** The session: the refresh-token family id. */
  sessionId: string;
  version: number;
}

/** A session id as the tokens carry it (a UUID). */
const SESSION_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** How many verified access tokens a process remembers (≈ 0.5 KB each). */
const VERIFIED_TOKENS_CACHED = 20_000;

export const invalidToken = () => new AppError('unauthorized', 'invalid_token', 'The access token is invalid');
export const expiredToken = () => new AppError('unauthorized', 'token_expired', 'The access token has expired');
export const sessionRevoked = () =>
  new AppError('unauthorized', 'session_revoked', 'This session has ended (logged out or revoked); log in again');

/** Signs and verifies HS256 access tokens; only HS256 is accepted (never `alg: none`). */
export class AccessTokenSigner {
  private readonly key: Uint8Array;
  /**
   * Tokens whose signature and claims were already checked, by their exact text: a client sends the
   * same access token on every request until it expires, and the HMAC check (WebCrypto) is the
   * costliest step of authenticating. Expiry is still checked against `now` on every use.
   */
  private readonly verified = new TtlLru<AccessClaims>(VERIFIED_TOKENS_CACHED);

  constructor(
    secret: string,
    readonly ttlSeconds: number,
  ) {
    this.key = new TextEncoder().encode(secret);
  }

  async sign(subject: AccessTokenSubject, now: Date): Promise<string> {
    const iat = Math.floor(now.getTime() / 1000);
    return new SignJWT({
      type: 'access',
      user_id: subject.userId,
      username: subject.username,
      sid: subject.sessionId,
      ver: subject.version,
    })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setIssuedAt(iat)
      .setExpirationTime(iat + this.ttlSeconds)
      .sign(this.key);
  }

  /** The token's claims; throws 401 invalid_token / token_expired. */
  async verify(token: string, now: Date): Promise<AccessClaims> {
    const known = this.verified.get(token);
    if (known) {
      // jose's rule: expired once the current second reaches `exp`.
      if (known.exp <= Math.floor(now.getTime() / 1000)) throw expiredToken();
      return known;
    }
    const claims = await this.verifySignatureAndClaims(token, now);
    this.verified.set(token, claims, this.ttlSeconds * 1000);
    return claims;
  }

  private async verifySignatureAndClaims(token: string, now: Date): Promise<AccessClaims> {
    try {
      const { payload } = await jwtVerify(token, this.key, {
        algorithms: ['HS256'],
        currentDate: now,
        requiredClaims: ['exp', 'iat'],
      });
      // Tokens issued before sessions existed have no `sid`: refused (the client refreshes, which works).
      if (
        payload.type !== 'access' ||
        typeof payload.user_id !== 'string' ||
        typeof payload.ver !== 'number' ||
        typeof payload.sid !== 'string' ||
        !SESSION_ID.test(payload.sid)
      ) {
        throw invalidToken();
      }
      return payload as unknown as AccessClaims;
    } catch (err) {
      if (err instanceof joseErrors.JWTExpired) throw expiredToken();
      if (err instanceof AppError) throw err;
      throw invalidToken();
    }
  }
}

/** A new opaque secret for refresh, verification and reset tokens (256 bits, URL-safe). */
export function newOpaqueToken(): string {
  return randomBytes(32).toString('base64url');
}

/** How opaque tokens are stored: only their SHA-256, so a database leak reveals no usable token. */
export function hashOpaqueToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}
