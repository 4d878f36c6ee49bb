import type { EventBus } from '../../infra/bus/event-bus.js';
import type { RateLimiter } from '../../infra/ratelimit/rate-limiter.js';
import type { EmailChangeService } from '../users/email-change.service.js';
import type { UsersService } from '../users/users.service.js';
import { credentialChangesLimited, invalidEmailChangeToken, invalidPassword } from './auth.errors.js';
import { hashAcceptableNewPassword } from './auth.new-password.js';
import { verifyPassword } from './auth.passwords.js';
import type { AuthSessionsService, ClientContext, Session } from './auth.sessions.service.js';
import { hashOpaqueToken, newOpaqueToken } from './auth.tokens.js';
import './auth.events.js';

/** Attempts to change a credential (email or password) per account and hour, right or wrong. */
export const CREDENTIAL_CHANGES_PER_HOUR = 10;

export interface PasswordChange {
  currentPassword: string;
  newPassword: string;
  confirmPassword: string;
}

/**
 * Changes of what proves who a user is — the login address and the password. Each needs the
 * current password, so a stolen access token alone cannot take the account over; the login address
 * changes only once the new one is confirmed, and the old one can revert it (ending every session).
 */
export class AuthCredentialsService {
  constructor(
    private readonly bus: EventBus,
    private readonly limiter: RateLimiter,
    private readonly users: UsersService,
    private readonly emailChanges: EmailChangeService,
    private readonly sessions: AuthSessionsService,
  ) {}

  /**
   * Checks a requested login address without writing: undefined when it is the current one, the
   * normalised address otherwise, after checking the current password (403 invalid_password) and
   * that no other account has the address (409 email_taken).
   */
  async checkEmailChange(userId: string, email: string, currentPassword: string | undefined): Promise<string | undefined> {
    const newEmail = await this.emailChanges.normalizeNewEmail(userId, email);
    if (newEmail === undefined) return undefined;
    await this.assertCurrentPassword(userId, currentPassword);
    await this.emailChanges.assertAvailable(userId, newEmail);
    return newEmail;
  }

  /** Records the change and mails a confirm link to the new address and a revert link to the old one. */
  async startEmailChange(userId: string, newEmail: string): Promise<void> {
    const confirmToken = newOpaqueToken();
    const revertToken = newOpaqueToken();
    await this.emailChanges.request(
      userId,
      newEmail,
      { confirmTokenHash: hashOpaqueToken(confirmToken), revertTokenHash: hashOpaqueToken(revertToken) },
      (tx, { change, fullName }) =>
        this.bus.publish(tx, 'auth.email_change_requested', {
          userId,
          fullName,
          oldEmail: change.oldEmail,
          newEmail,
          confirmToken,
          revertToken,
        }),
    );
  }

  /** Withdraws an unconfirmed change (the address was set back to the current one). */
  async cancelEmailChange(userId: string): Promise<void> {
    await this.emailChanges.cancelPending(userId);
  }

  /** The address waiting for confirmation, or null. */
  pendingEmail(userId: string): Promise<string | null> {
    return this.emailChanges.pendingEmail(userId);
  }

  /** Consumes the link mailed to the new address: it becomes the login address, verified. */
  async confirmEmailChange(token: string): Promise<string> {
    const outcome = await this.emailChanges.confirm(hashOpaqueToken(token), (tx, confirmed) =>
      this.bus.publish(tx, 'auth.email_change_confirmed', {
        userId: confirmed.userId,
        fullName: confirmed.fullName,
        oldEmail: confirmed.change.oldEmail,
        newEmail: confirmed.email,
      }),
    );
    if (!outcome) throw invalidEmailChangeToken();
    return outcome.email;
  }

  /** Consumes the link mailed to the old address: the old address comes back and every session ends. */
  async revertEmailChange(token: string): Promise<string> {
    const outcome = await this.emailChanges.revert(hashOpaqueToken(token), (tx, reverted) =>
      this.bus.publish(tx, 'auth.email_change_reverted', { userId: reverted.userId, fullName: reverted.fullName, email: reverted.email }),
    );
    if (!outcome) throw invalidEmailChangeToken();
    await this.sessions.revokeAllSessions(outcome.userId, 'email_change_reverted');
    return outcome.email;
  }

  /**
   * Sets a new password after checking the current one; every other session ends (refresh tokens
   * revoked, access tokens voided) and the caller gets a fresh session. The address gets a notice.
   */
  async changePassword(userId: string, change: PasswordChange, client: ClientContext): Promise<Session> {
    await this.assertCurrentPassword(userId, change.currentPassword);
    const user = await this.users.getById(userId);
    const newHash = await hashAcceptableNewPassword(this.users, user, change);
    await this.users.changePassword(userId, newHash, 'change', (tx) =>
      this.bus.publish(tx, 'auth.password_changed', { userId, fullName: user.fullName, email: user.email }),
    );
    await this.sessions.revokeAllSessions(userId, 'password_changed');
    return this.sessions.login(user.email, change.newPassword, client);
  }

  /** 403 invalid_password unless `password` is the account's; at most 10 attempts per hour (429). */
  private async assertCurrentPassword(userId: string, password: string | undefined): Promise<void> {
    const verdict = await this.limiter.hit(`credential_change:${userId}`, CREDENTIAL_CHANGES_PER_HOUR, 3600);
    if (!verdict.allowed) throw credentialChangesLimited(verdict.resetSeconds);
    const user = await this.users.getById(userId);
    if (password === undefined || !(await verifyPassword(user.passwordHash, password))) throw invalidPassword();
  }
}
