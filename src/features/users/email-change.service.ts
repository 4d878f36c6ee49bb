import type { Clock } from '../../infra/clock/clock.js';
import { inTransaction, type Database, type Db } from '../../infra/db/database.js';
import { violatedUniqueConstraint } from '../../infra/db/errors.js';
import { emailTaken } from './users.errors.js';
import { EmailChangesRepo } from './email-changes.repo.js';
import type { UsersService } from './users.service.js';
import { validEmail } from './users.rules.js';
import type { EmailChangeRow } from './users.tables.js';

/** How long the link mailed to the new address confirms it. */
export const EMAIL_CHANGE_CONFIRM_TTL_MS = 48 * 3600 * 1000;
/** How long the link mailed to the old address can undo the change (and the old address stays reserved). */
export const EMAIL_CHANGE_REVERT_TTL_MS = 7 * 24 * 3600 * 1000;

export interface EmailChangeTokens {
  confirmTokenHash: string;
  revertTokenHash: string;
}

/** The outcome of a confirmed or reverted change: the account and the address it now logs in with. */
export interface EmailChangeOutcome {
  userId: string;
  email: string;
  /** The account's name as the change left it (for the notice mails). */
  fullName: string;
  change: EmailChangeRow;
}

/** A recorded request: the open change and the account's name. */
export interface RequestedEmailChange {
  change: EmailChangeRow;
  fullName: string;
}

/**
 * The caller's events about a step of the change (the mails it owes), published through `tx` so
 * they commit with the step: a link is mailed if and only if its token row exists.
 */
export type AnnounceEmailChange<T> = (tx: Db, step: T) => Promise<void>;

/**
 * The login address's lifecycle (users feature: the writer of `users.email` and `email_changes`).
 * A new address takes effect only once confirmed; the old one can revert it for a week.
 */
export class EmailChangeService {
  private readonly repo: EmailChangesRepo;

  constructor(
    private readonly database: Database,
    private readonly clock: Clock,
    private readonly users: UsersService,
  ) {
    this.repo = new EmailChangesRepo(database.db);
  }

  /** The normalised new address (422 when malformed), or undefined when it is the account's current one. */
  async normalizeNewEmail(userId: string, email: string): Promise<string | undefined> {
    const user = await this.users.getById(userId);
    const normalized = validEmail(email);
    return normalized.toLowerCase() === user.email.toLowerCase() ? undefined : normalized;
  }

  /** 409 email_taken when another account logs in with the address or holds it reserved. */
  async assertAvailable(userId: string, email: string): Promise<void> {
    if (await this.repo.emailInUse(email, userId, this.clock.now())) throw emailTaken();
  }

  /**
   * Records the request (replacing any earlier open one); the caller's `announce` (the mail of the
   * two links) commits with it.
   */
  async request(
    userId: string,
    newEmail: string,
    tokens: EmailChangeTokens,
    announce: AnnounceEmailChange<RequestedEmailChange>,
  ): Promise<EmailChangeRow> {
    const now = this.clock.now();
    return inTransaction(this.database, async (tx) => {
      const repo = new EmailChangesRepo(tx);
      const current = await repo.lockUserEmail(userId);
      if (!current) throw new Error(`account ${userId} vanished during an email change`);
      await repo.supersedePending(userId, now);
      const change = await repo.insert({
        userId,
        oldEmail: current.email,
        oldEmailVerified: current.emailVerified,
        newEmail,
        ...tokens,
        confirmExpiresAt: new Date(now.getTime() + EMAIL_CHANGE_CONFIRM_TTL_MS),
        revertExpiresAt: new Date(now.getTime() + EMAIL_CHANGE_REVERT_TTL_MS),
        createdAt: now,
      });
      await announce(tx, { change, fullName: current.fullName });
      return change;
    });
  }

  /** Withdraws the open request, if any (the caller set the address back to the current one). */
  async cancelPending(userId: string): Promise<void> {
    await this.repo.supersedePending(userId, this.clock.now());
  }

  /** The address waiting for confirmation, or null. */
  async pendingEmail(userId: string): Promise<string | null> {
    return (await this.repo.pendingFor(userId, this.clock.now()))?.newEmail ?? null;
  }

  /**
   * Makes the new address the login address (verified: the link reached it). Undefined when the
   * link is unknown, expired, replaced, reverted or used, or the account's address changed since.
   * The caller's `announce` commits with the change.
   */
  async confirm(confirmTokenHash: string, announce: AnnounceEmailChange<EmailChangeOutcome>): Promise<EmailChangeOutcome | undefined> {
    const now = this.clock.now();
    const outcome = await this.writeAddress(announce, async (repo) => {
      const change = await repo.findByConfirmHashForUpdate(confirmTokenHash);
      if (!change || change.confirmedAt || change.supersededAt || change.revertedAt) return undefined;
      if (change.confirmExpiresAt.getTime() <= now.getTime()) return undefined;
      const current = await repo.lockUserEmail(change.userId);
      if (!current || current.email !== change.oldEmail) return undefined;
      if (await repo.emailInUse(change.newEmail, change.userId, now)) throw emailTaken();
      await repo.setUserEmail(change.userId, change.newEmail, true, now, false);
      await repo.markConfirmed(change.id, now);
      return { userId: change.userId, email: change.newEmail, fullName: current.fullName, change };
    });
    if (outcome) await this.users.forgetAuthState(outcome.userId);
    return outcome;
  }

  /**
   * Puts the old address back (with its verification state), closes the request and voids every
   * access token. Works before and after confirmation, until the revert window ends. The caller's
   * `announce` commits with it.
   */
  async revert(revertTokenHash: string, announce: AnnounceEmailChange<EmailChangeOutcome>): Promise<EmailChangeOutcome | undefined> {
    const now = this.clock.now();
    const outcome = await this.writeAddress(announce, async (repo) => {
      const change = await repo.findByRevertHashForUpdate(revertTokenHash);
      if (!change || change.revertedAt || change.supersededAt) return undefined;
      if (change.revertExpiresAt.getTime() <= now.getTime()) return undefined;
      const current = await repo.lockUserEmail(change.userId);
      if (!current) return undefined;
      await repo.setUserEmail(change.userId, change.oldEmail, change.oldEmailVerified, now, true);
      await repo.markReverted(change.id, now);
      await repo.supersedePending(change.userId, now);
      return { userId: change.userId, email: change.oldEmail, fullName: current.fullName, change };
    });
    if (outcome) await this.users.forgetAuthState(outcome.userId);
    return outcome;
  }

  /** Runs `work` in one transaction and, when it changed the address, `announce` in it too. */
  private async writeAddress(
    announce: AnnounceEmailChange<EmailChangeOutcome>,
    work: (repo: EmailChangesRepo) => Promise<EmailChangeOutcome | undefined>,
  ): Promise<EmailChangeOutcome | undefined> {
    try {
      return await inTransaction(this.database, async (tx) => {
        const outcome = await work(new EmailChangesRepo(tx));
        if (outcome) await announce(tx, outcome);
        return outcome;
      });
    } catch (err) {
      if (violatedUniqueConstraint(err)?.includes('email')) throw emailTaken();
      throw err;
    }
  }
}
