import { randomUUID } from 'node:crypto';
import type { Clock } from '../../infra/clock/clock.js';
import { inTransaction, type Database, type Db } from '../../infra/db/database.js';
import type { EventBus } from '../../infra/bus/event-bus.js';
import type { Principal } from '../../http/principal.js';
import { validationError } from '../../lib/app-error.js';
import type { UsersService } from '../users/users.service.js';
import type { UserRow } from '../users/users.tables.js';
import {
  accountDeactivated,
  accountInactive,
  invalidCredentials,
  invalidRefreshToken,
  passwordsDoNotMatch,
  refreshTokenExpired,
  refreshTokenReused,
  weakPassword,
} from './auth.errors.js';
import { hashPassword, passwordProblems, spendPasswordCheckTime, verifyPassword } from './auth.passwords.js';
import { AuthRepo } from './auth.repo.js';
import type { SessionRevocations } from './auth.revocations.js';
import { AccessTokenSigner, hashOpaqueToken, invalidToken, newOpaqueToken, sessionRevoked } from './auth.tokens.js';
import type { AuthRecoveryService } from './auth.recovery.service.js';
import { USERNAME_PATTERN } from '../users/users.rules.js';
import './auth.events.js';

export interface DeviceInfo {
  device_type?: string;
  device_id?: string;
  app_version?: string;
  os_version?: string;
  device_name?: string;
}

/** Where a session is being opened from. */
export interface ClientContext {
  ip: string | null;
  userAgent: string | null;
  deviceInfo?: DeviceInfo | null;
}

export interface TokenPair {
  accessToken: string;
  refreshToken: string;
  expiresIn: number;
}

export interface Session extends TokenPair {
  user: UserRow;
}

/** Why sessions end (logged, and carried by the `auth.sessions_revoked` event). */
export type SessionEndReason =
  | 'logout'
  | 'logout_everywhere'
  | 'refresh_token_reused'
  | 'replaced_on_device'
  | 'password_changed'
  | 'email_change_reverted';

export interface Registration {
  email: string;
  username: string;
  fullName: string;
  password: string;
  confirmPassword: string;
}

/**
 * Registration, login, token refresh with rotation and reuse detection, logout, and access-token
 * checks. A session is a refresh-token family; its access tokens carry its id (`sid`), and ending
 * it puts the id in the revocation set, so they are refused from the next request on.
 */
export class AuthSessionsService {
  private readonly repo: AuthRepo;

  constructor(
    private readonly database: Database,
    private readonly bus: EventBus,
    private readonly clock: Clock,
    private readonly users: UsersService,
    private readonly recovery: AuthRecoveryService,
    private readonly signer: AccessTokenSigner,
    private readonly revocations: SessionRevocations,
    private readonly refreshTtlSeconds: number,
  ) {
    this.repo = new AuthRepo(database.db);
  }

  /** Creates the account, sends the verification mail and opens a first session. */
  async register(input: Registration, client: ClientContext): Promise<Session> {
    if (!new RegExp(USERNAME_PATTERN).test(input.username.trim())) {
      throw validationError('invalid_username', [
        { field: 'username', message: 'must be 3–30 characters of a-z, 0-9, _ and .' },
      ]);
    }
    const problems = passwordProblems(input.password, 'password', input);
    if (problems.length > 0) throw weakPassword(problems);
    if (input.password !== input.confirmPassword) throw passwordsDoNotMatch('confirm_password');
    const user = await this.users.createAccount({
      email: input.email,
      username: input.username,
      fullName: input.fullName,
      passwordHash: await hashPassword(input.password),
    });
    await this.recovery.requestVerification(user);
    return { user, ...(await this.openSession(user, client)) };
  }

  /** Checks the credentials; unknown email and wrong password fail alike, in about the same time. */
  async login(email: string, password: string, client: ClientContext): Promise<Session> {
    const user = await this.users.findByEmail(email);
    if (!user) {
      await spendPasswordCheckTime(password);
      throw invalidCredentials();
    }
    if (!(await verifyPassword(user.passwordHash, password))) throw invalidCredentials();
    if (!user.isActive || user.deactivatedAt) throw accountDeactivated();
    const session = await this.openSession(user, client, (tx) =>
      this.bus.publish(tx, 'auth.logged_in', { userId: user.id, deviceInfo: { ...(client.deviceInfo ?? {}) }, ip: client.ip }),
    );
    await this.users.touchLastSeen(user.id);
    return { user, ...session };
  }

  /**
   * Exchanges a refresh token for a new pair. The presented token is retired (rotation); presenting
   * a retired token again means it was copied, so its whole family is revoked.
   */
  async refresh(refreshToken: string): Promise<TokenPair> {
    const now = this.clock.now();
    const tokenHash = hashOpaqueToken(refreshToken);
    // Read the account's state before the transaction: inside it only the transaction's own handle
    // may be used (PGlite has a single connection, and other services use the root handle).
    const peek = await this.repo.findRefreshToken(tokenHash);
    const state = peek ? await this.users.getAuthState(peek.userId) : undefined;
    const outcome = await inTransaction(this.database, async (tx) => {
      const repo = new AuthRepo(tx);
      const row = await repo.findRefreshTokenForUpdate(tokenHash);
      if (!row) return { error: invalidRefreshToken() } as const;
      if (row.rotatedAt) {
        await this.revocations.revoke([row.familyId]);
        await repo.revokeFamilies([row.familyId], now);
        const { userId, familyId } = row;
        await this.bus.publish(tx, 'auth.refresh_token_reused', { userId, familyId });
        await this.bus.publish(tx, 'auth.sessions_revoked', { userId, sessionIds: [familyId], reason: 'refresh_token_reused' });
        return { error: refreshTokenReused() } as const;
      }
      if (row.revoked) return { error: invalidRefreshToken() } as const;
      if (row.expiresAt.getTime() <= now.getTime()) return { error: refreshTokenExpired() } as const;
      if (row.userId !== peek?.userId || !state?.isActive) return { error: accountInactive() } as const;
      await repo.markRotated(row.id, now);
      const next = newOpaqueToken();
      await repo.insertRefreshToken({
        userId: row.userId,
        tokenHash: hashOpaqueToken(next),
        familyId: row.familyId,
        deviceInfo: row.deviceInfo,
        ipAddress: row.ipAddress,
        userAgent: row.userAgent,
        expiresAt: new Date(now.getTime() + this.refreshTtlSeconds * 1000),
        createdAt: now,
      });
      return { userId: row.userId, familyId: row.familyId, state, next } as const;
    });
    if ('error' in outcome) throw outcome.error;
    const accessToken = await this.signer.sign(
      { userId: outcome.userId, username: outcome.state.username, sessionId: outcome.familyId, version: outcome.state.tokenVersion },
      now,
    );
    return { accessToken, refreshToken: outcome.next, expiresIn: this.signer.ttlSeconds };
  }

  /**
   * Ends the session `sessionId` (the caller's, from their access token) and the session of
   * `refreshToken` when it is one of the user's (another device); with `allDevices`, every session.
   */
  async logout(userId: string, options: { sessionId?: string; refreshToken?: string; allDevices?: boolean }): Promise<void> {
    if (options.allDevices) return this.revokeAllSessions(userId, 'logout_everywhere');
    const sessionIds = new Set<string>();
    if (options.sessionId) sessionIds.add(options.sessionId);
    if (options.refreshToken) {
      const row = await this.repo.findRefreshToken(hashOpaqueToken(options.refreshToken));
      if (row && row.userId === userId) sessionIds.add(row.familyId);
    }
    await this.endSessions(userId, [...sessionIds], 'logout');
  }

  /**
   * Ends every session of the user at once: refresh tokens revoked, access tokens refused from the
   * next request on every instance, open sockets closed (4401). Resolves once all that is recorded.
   */
  async revokeAllSessions(userId: string, reason: SessionEndReason): Promise<void> {
    const now = this.clock.now();
    const sessionIds = await this.repo.liveFamilyIds(userId);
    await this.revocations.revoke(sessionIds);
    // The token version also voids access tokens of sessions whose refresh tokens were revoked otherwise.
    await this.users.revokeAccessTokens(userId);
    await inTransaction(this.database, async (tx) => {
      const repo = new AuthRepo(tx);
      await repo.revokeFamilies(sessionIds, now);
      await repo.revokeAllForUser(userId, now);
      await this.bus.publish(tx, 'auth.sessions_revoked', { userId, sessionIds: null, reason });
    });
  }

  /** Verifies an access token, that its session was not ended and that its account is still active. */
  async authenticate(token: string): Promise<Principal> {
    const claims = await this.signer.verify(token, this.clock.now());
    const [revoked, state] = await Promise.all([this.revocations.isRevoked(claims.sid), this.users.getAuthState(claims.user_id)]);
    if (revoked) throw sessionRevoked();
    if (!state) throw invalidToken();
    if (!state.isActive) throw accountInactive();
    if (claims.ver !== state.tokenVersion) throw invalidToken();
    await this.users.noteActivity(claims.user_id);
    return {
      userId: claims.user_id,
      username: state.username,
      email: state.email,
      sessionId: claims.sid,
      expiresAt: new Date(claims.exp * 1000),
    };
  }

  /** Ends these sessions of the user: access tokens first (the revocation set), then refresh tokens. */
  private async endSessions(userId: string, sessionIds: string[], reason: SessionEndReason): Promise<void> {
    if (sessionIds.length === 0) return;
    await this.revocations.revoke(sessionIds);
    await inTransaction(this.database, async (tx) => {
      await new AuthRepo(tx).revokeFamilies(sessionIds, this.clock.now());
      await this.bus.publish(tx, 'auth.sessions_revoked', { userId, sessionIds, reason });
    });
  }

  /** Opens a session (its refresh-token family); `announce` (the caller's events about it) commits with it. */
  private async openSession(user: UserRow, client: ClientContext, announce?: (tx: Db) => Promise<void>): Promise<TokenPair> {
    const deviceId = client.deviceInfo?.device_id;
    if (deviceId) await this.endSessions(user.id, await this.repo.liveFamilyIds(user.id, deviceId), 'replaced_on_device');
    const now = this.clock.now();
    const refreshToken = newOpaqueToken();
    const sessionId = randomUUID();
    await inTransaction(this.database, async (tx) => {
      await new AuthRepo(tx).insertRefreshToken({
        userId: user.id,
        tokenHash: hashOpaqueToken(refreshToken),
        familyId: sessionId,
        deviceInfo: client.deviceInfo ?? null,
        ipAddress: client.ip,
        userAgent: client.userAgent,
        expiresAt: new Date(now.getTime() + this.refreshTtlSeconds * 1000),
        createdAt: now,
      });
      if (announce) await announce(tx);
    });
    const accessToken = await this.signer.sign(
      { userId: user.id, username: user.username, sessionId, version: user.tokenVersion },
      now,
    );
    return { accessToken, refreshToken, expiresIn: this.signer.ttlSeconds };
  }
}
