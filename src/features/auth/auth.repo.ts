import { and, eq, inArray, sql } from 'drizzle-orm';
import type { Db } from '../../infra/db/database.js';
import {
  emailVerificationTokens,
  passwordResetTokens,
  refreshTokens,
  type EmailVerificationTokenRow,
  type NewRefreshTokenRow,
  type PasswordResetTokenRow,
  type RefreshTokenRow,
} from './auth.tables.js';

/** Every SQL statement on the token tables. */
export class AuthRepo {
  constructor(private readonly db: Db) {}

  async insertRefreshToken(values: NewRefreshTokenRow): Promise<void> {
    await this.db.insert(refreshTokens).values(values);
  }

  /** Locks the row for the rest of the transaction so two refreshes of one token serialise. */
  async findRefreshTokenForUpdate(tokenHash: string): Promise<RefreshTokenRow | undefined> {
    const [row] = await this.db
      .select()
      .from(refreshTokens)
      .where(eq(refreshTokens.tokenHash, tokenHash))
      .for('update')
      .limit(1);
    return row;
  }

  async findRefreshToken(tokenHash: string): Promise<RefreshTokenRow | undefined> {
    const [row] = await this.db.select().from(refreshTokens).where(eq(refreshTokens.tokenHash, tokenHash)).limit(1);
    return row;
  }

  async markRotated(id: string, at: Date): Promise<void> {
    await this.db
      .update(refreshTokens)
      .set({ revoked: true, revokedAt: at, rotatedAt: at, lastUsedAt: at })
      .where(eq(refreshTokens.id, id));
  }

  /** The user's sessions (refresh-token families) that still hold a live token; with `deviceId`, that device's only. */
  async liveFamilyIds(userId: string, deviceId?: string): Promise<string[]> {
    const rows = await this.db
      .selectDistinct({ familyId: refreshTokens.familyId })
      .from(refreshTokens)
      .where(
        and(
          eq(refreshTokens.userId, userId),
          eq(refreshTokens.revoked, false),
          deviceId === undefined ? undefined : sql`${refreshTokens.deviceInfo} ->> 'device_id' = ${deviceId}`,
        ),
      );
    return rows.map((r) => r.familyId);
  }

  /**
   * Revokes every token of the families. Twice: a refresh of the family running meanwhile holds its
   * row locked, so the first statement waits for it, but that statement's snapshot cannot see the
   * token the refresh inserted on commit; the second statement does.
   */
  async revokeFamilies(familyIds: readonly string[], at: Date): Promise<void> {
    if (familyIds.length === 0) return;
    for (let pass = 0; pass < 2; pass++) {
      await this.db
        .update(refreshTokens)
        .set({ revoked: true, revokedAt: at })
        .where(and(inArray(refreshTokens.familyId, [...familyIds]), eq(refreshTokens.revoked, false)));
    }
  }

  async revokeAllForUser(userId: string, at: Date): Promise<void> {
    await this.db
      .update(refreshTokens)
      .set({ revoked: true, revokedAt: at })
      .where(and(eq(refreshTokens.userId, userId), eq(refreshTokens.revoked, false)));
  }

  async insertVerificationToken(values: {
    userId: string;
    email: string;
    tokenHash: string;
    expiresAt: Date;
    createdAt: Date;
  }): Promise<void> {
    await this.db.insert(emailVerificationTokens).values(values);
  }

  async findVerificationTokenForUpdate(tokenHash: string): Promise<EmailVerificationTokenRow | undefined> {
    const [row] = await this.db
      .select()
      .from(emailVerificationTokens)
      .where(eq(emailVerificationTokens.tokenHash, tokenHash))
      .for('update')
      .limit(1);
    return row;
  }

  async markVerificationUsed(id: string): Promise<void> {
    await this.db.update(emailVerificationTokens).set({ verified: true }).where(eq(emailVerificationTokens.id, id));
  }

  async insertResetToken(values: { userId: string; tokenHash: string; expiresAt: Date; createdAt: Date }): Promise<void> {
    await this.db.insert(passwordResetTokens).values(values);
  }

  async findResetTokenForUpdate(tokenHash: string): Promise<PasswordResetTokenRow | undefined> {
    const [row] = await this.db
      .select()
      .from(passwordResetTokens)
      .where(eq(passwordResetTokens.tokenHash, tokenHash))
      .for('update')
      .limit(1);
    return row;
  }

  /** Uses up every outstanding reset token of the account (a reset link works once, and only the newest matters). */
  async markAllResetTokensUsed(userId: string): Promise<void> {
    await this.db
      .update(passwordResetTokens)
      .set({ used: true })
      .where(and(eq(passwordResetTokens.userId, userId), eq(passwordResetTokens.used, false)));
  }
}
