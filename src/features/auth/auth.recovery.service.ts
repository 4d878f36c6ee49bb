import type { Clock } from '../../infra/clock/clock.js';
import { inTransaction, type Database } from '../../infra/db/database.js';
import type { EventBus } from '../../infra/bus/event-bus.js';
import { claimReceipt, type EventReceipt } from '../../infra/db/event-receipts.js';
import type { UsersService } from '../users/users.service.js';
import type { UserRow } from '../users/users.tables.js';
import { emailAlreadyVerified, invalidResetToken, invalidVerificationToken } from './auth.errors.js';
import { hashAcceptableNewPassword } from './auth.new-password.js';
import { AuthRepo } from './auth.repo.js';
import { hashOpaqueToken, newOpaqueToken } from './auth.tokens.js';
import './auth.events.js';

const VERIFICATION_TTL_MS = 48 * 3600 * 1000;
const RESET_TTL_MS = 3600 * 1000;

export interface PasswordReset {
  token: string;
  newPassword: string;
  confirmPassword: string;
}

/** Email verification and password reset: single-use, hashed, expiring tokens delivered by mail. */
export class AuthRecoveryService {
  private readonly repo: AuthRepo;

  constructor(
    private readonly database: Database,
    private readonly bus: EventBus,
    private readonly clock: Clock,
    private readonly users: UsersService,
  ) {
    this.repo = new AuthRepo(database.db);
  }

  /**
   * Issues a verification token for the account's current email and has it mailed. With `receipt`
   * (a reset request's event handler), once per event: a retry issues no second token and mail.
   */
  async requestVerification(user: Pick<UserRow, 'id' | 'email' | 'fullName'>, receipt?: EventReceipt): Promise<void> {
    const token = newOpaqueToken();
    const now = this.clock.now();
    await inTransaction(this.database, async (tx) => {
      if (!(await claimReceipt(tx, receipt))) return;
      await new AuthRepo(tx).insertVerificationToken({
        userId: user.id,
        email: user.email,
        tokenHash: hashOpaqueToken(token),
        expiresAt: new Date(now.getTime() + VERIFICATION_TTL_MS),
        createdAt: now,
      });
      await this.bus.publish(tx, 'auth.verification_requested', { userId: user.id, email: user.email, fullName: user.fullName, token });
    });
  }

  /** Sends a fresh verification mail to the caller; 409 when already verified. */
  async resendVerification(userId: string): Promise<void> {
    const user = await this.users.getById(userId);
    if (user.emailVerified) throw emailAlreadyVerified();
    await this.requestVerification(user);
  }

  /** Consumes a verification token; it must be unused, unexpired and for the account's current email. */
  async verifyEmail(token: string): Promise<void> {
    const now = this.clock.now();
    // Claim the token first (single use even under concurrent clicks), then mark the address verified.
    const row = await inTransaction(this.database, async (tx) => {
      const repo = new AuthRepo(tx);
      const found = await repo.findVerificationTokenForUpdate(hashOpaqueToken(token));
      if (!found || found.verified || found.expiresAt.getTime() <= now.getTime()) return undefined;
      await repo.markVerificationUsed(found.id);
      return found;
    });
    if (!row || !(await this.users.markEmailVerified(row.userId, row.email))) throw invalidVerificationToken();
  }

  /**
   * Records a reset request (its job, nothing looked up) and returns: the lookup and the mail happen
   * after the response (sendPasswordReset, from the bus), so a known and an unknown address answer
   * alike and as fast.
   */
  async requestPasswordReset(email: string): Promise<void> {
    await this.bus.publish(this.database.db, 'auth.password_reset_asked', { email });
  }

  /**
   * Mails a reset link when an active account logs in with `email` and that address is verified.
   * An unverified address (never confirmed since registration) gets a verification link instead:
   * reset links go only to addresses proven to belong to the account. `receipt` (the request's event
   * handler) makes it once per request: the token and its mail event commit with the receipt.
   */
  async sendPasswordReset(email: string, receipt?: EventReceipt): Promise<void> {
    const user = await this.users.findByEmail(email);
    if (!user || !user.isActive || user.deactivatedAt) return;
    if (!user.emailVerified) {
      await this.requestVerification(user, receipt);
      return;
    }
    const token = newOpaqueToken();
    const now = this.clock.now();
    await inTransaction(this.database, async (tx) => {
      if (!(await claimReceipt(tx, receipt))) return;
      await new AuthRepo(tx).insertResetToken({
        userId: user.id,
        tokenHash: hashOpaqueToken(token),
        expiresAt: new Date(now.getTime() + RESET_TTL_MS),
        createdAt: now,
      });
      await this.bus.publish(tx, 'auth.password_reset_requested', {
        userId: user.id,
        email: user.email,
        fullName: user.fullName,
        token,
      });
    });
  }

  /**
   * Sets a new password from a reset token, refusing the last 5 passwords, and revokes every refresh
   * token; returns the account so the caller can end its live sessions (AuthSessionsService).
   */
  async resetPassword(input: PasswordReset): Promise<string> {
    const now = this.clock.now();
    const tokenHash = hashOpaqueToken(input.token);
    const row = await this.repo.findResetTokenForUpdate(tokenHash);
    if (!row || row.used || row.expiresAt.getTime() <= now.getTime()) throw invalidResetToken();
    const user = await this.users.getById(row.userId);
    const newHash = await hashAcceptableNewPassword(this.users, user, input);
    // Claim the token atomically so two concurrent resets with one link cannot both succeed.
    const claimed = await inTransaction(this.database, async (tx) => {
      const repo = new AuthRepo(tx);
      const locked = await repo.findResetTokenForUpdate(tokenHash);
      if (!locked || locked.used) return false;
      await repo.markAllResetTokensUsed(user.id);
      return true;
    });
    if (!claimed) throw invalidResetToken();
    await this.users.changePassword(user.id, newHash, 'reset');
    await this.repo.revokeAllForUser(user.id, this.clock.now());
    return user.id;
  }
}
