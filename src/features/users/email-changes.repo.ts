import { and, desc, eq, gt, isNull, sql } from 'drizzle-orm';
import type { Db } from '../../infra/db/database.js';
import { emailChanges, users, type EmailChangeRow, type NewEmailChangeRow } from './users.tables.js';

/** The account's requests not yet confirmed, replaced or reverted. */
const openRequestsOf = (userId: string) =>
  and(
    eq(emailChanges.userId, userId),
    isNull(emailChanges.confirmedAt),
    isNull(emailChanges.supersededAt),
    isNull(emailChanges.revertedAt),
  );

/** Every SQL statement on `email_changes`, and the login-address writes they lead to. */
export class EmailChangesRepo {
  constructor(private readonly db: Db) {}

  async insert(values: NewEmailChangeRow): Promise<EmailChangeRow> {
    const [row] = await this.db.insert(emailChanges).values(values).returning();
    if (!row) throw new Error('insert into email_changes returned no row');
    return row;
  }

  /** Marks the account's unconfirmed, unreverted requests as replaced (only the newest link confirms). */
  async supersedePending(userId: string, at: Date): Promise<void> {
    await this.db
      .update(emailChanges)
      .set({ supersededAt: at })
      .where(openRequestsOf(userId));
  }

  /** The address waiting for confirmation, if any (an unexpired, open request). */
  async pendingFor(userId: string, now: Date): Promise<EmailChangeRow | undefined> {
    const [row] = await this.db
      .select()
      .from(emailChanges)
      .where(and(openRequestsOf(userId), gt(emailChanges.confirmExpiresAt, now)))
      .orderBy(desc(emailChanges.createdAt))
      .limit(1);
    return row;
  }

  async findByConfirmHashForUpdate(tokenHash: string): Promise<EmailChangeRow | undefined> {
    const [row] = await this.db
      .select()
      .from(emailChanges)
      .where(eq(emailChanges.confirmTokenHash, tokenHash))
      .for('update')
      .limit(1);
    return row;
  }

  async findByRevertHashForUpdate(tokenHash: string): Promise<EmailChangeRow | undefined> {
    const [row] = await this.db
      .select()
      .from(emailChanges)
      .where(eq(emailChanges.revertTokenHash, tokenHash))
      .for('update')
      .limit(1);
    return row;
  }

  async markConfirmed(id: string, at: Date): Promise<void> {
    await this.db.update(emailChanges).set({ confirmedAt: at }).where(eq(emailChanges.id, id));
  }

  async markReverted(id: string, at: Date): Promise<void> {
    await this.db.update(emailChanges).set({ revertedAt: at }).where(eq(emailChanges.id, id));
  }

  /** Locks the account row and returns its current address and name (serialises changes of one account). */
  async lockUserEmail(userId: string): Promise<{ email: string; emailVerified: boolean; fullName: string } | undefined> {
    const [row] = await this.db
      .select({ email: users.email, emailVerified: users.emailVerified, fullName: users.fullName })
      .from(users)
      .where(eq(users.id, userId))
      .for('update')
      .limit(1);
    return row;
  }

  /** Sets the login address; reverting also voids every access token issued so far. */
  async setUserEmail(userId: string, email: string, verified: boolean, at: Date, voidTokens: boolean): Promise<void> {
    await this.db
      .update(users)
      .set({
        email,
        emailVerified: verified,
        updatedAt: at,
        ...(voidTokens ? { tokenVersion: sql`${users.tokenVersion} + 1` } : {}),
      })
      .where(eq(users.id, userId));
  }

  /** True when another account logs in with `email`, or holds it reserved (see isReservedForAnother). */
  async emailInUse(email: string, exceptUserId: string | undefined, now: Date): Promise<boolean> {
    const [row] = await this.db
      .select({ id: users.id })
      .from(users)
      .where(
        and(
          sql`lower(${users.email}) = ${email.toLowerCase()}`,
          exceptUserId ? sql`${users.id} <> ${exceptUserId}` : undefined,
        ),
      )
      .limit(1);
    return row !== undefined || (await this.isReservedForAnother(email, exceptUserId, now));
  }

  /**
   * True when `email` was the address of another account that changed it within its revert window:
   * the address stays reserved for that account until the window ends or the change is reverted.
   */
  async isReservedForAnother(email: string, exceptUserId: string | undefined, now: Date): Promise<boolean> {
    const [row] = await this.db
      .select({ id: emailChanges.id })
      .from(emailChanges)
      .where(
        and(
          sql`lower(${emailChanges.oldEmail}) = ${email.toLowerCase()}`,
          isNull(emailChanges.revertedAt),
          gt(emailChanges.revertExpiresAt, now),
          exceptUserId ? sql`${emailChanges.userId} <> ${exceptUserId}` : undefined,
        ),
      )
      .limit(1);
    return row !== undefined;
  }
}
