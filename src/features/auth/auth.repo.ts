import { and, eq, sql } from 'drizzle-orm';
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

  async revokeRefreshToken(id: string, at: Date): Promise<void> {
    await this.db
      .update(refreshTokens)
      .set({ revoked: true, revokedAt: at })
      .where(and(eq(refreshTokens.id, id), eq(refreshTokens.revoked, false)));
  }

  async revokeFamily(familyId: string, at: Date): Promise<void> {
    await this.db
      .update(refreshTokens)
      .set({ revoked: true, revokedAt: at })
      .where(and(eq(refreshTokens.familyId, familyId), eq(refreshTokens.revoked, false)));
  }

  async revokeAllForUser(userId: string, at: Date): Promise<void> {
    await this.db
      .update(refreshTokens)
      .set({ revoked: true, revokedAt: at })
      .where(and(eq(refreshTokens.userId, userId), eq(refreshTokens.revoked, false)));
  }

  /** Ends the earlier sessions of the same device, so one device holds one live refresh token family. */
  async revokeForDevice(userId: string, deviceId: string, at: Date): Promise<void> {
    await this.db
      .update(refreshTokens)
      .set({ revoked: true, revokedAt: at })
      .where(
        and(
          eq(refreshTokens.userId, userId),
          eq(refreshTokens.revoked, false),
          sql`${refreshTokens.deviceInfo} ->> 'device_id' = ${deviceId}`,
        ),
      );
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
