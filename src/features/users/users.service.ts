import type { Cache } from '../../infra/cache/cache.js';
import type { Clock } from '../../infra/clock/clock.js';
import { inTransaction, type Database, type Db } from '../../infra/db/database.js';
import { violatedUniqueConstraint } from '../../infra/db/errors.js';
import type { EventBus } from '../../infra/bus/event-bus.js';
import type { ProfileVisibility } from '../privacy/privacy.vocabulary.js';
import { emailTaken, userNotFound, usernameTaken } from './users.errors.js';
import { EmailChangesRepo } from './email-changes.repo.js';
import { UsersRepo, type UserStatsRow, type UserUpdate } from './users.repo.js';
import { assertTimezone, normalizeEmail, normalizeFullName, normalizeUsername, validEmail } from './users.rules.js';
import type { UserRow } from './users.tables.js';
import './users.events.js';

/** What authentication needs to know about an account on every request (cached briefly). */
export interface AuthState {
  isActive: boolean;
  username: string;
  email: string;
  /** Access tokens carrying an older version (claim `ver`) are refused. */
  tokenVersion: number;
}

export interface NewAccount {
  email: string;
  username: string;
  fullName: string;
  passwordHash: string;
}

export interface ProfilePatch {
  fullName?: string;
  username?: string;
  bio?: string | null;
  timezone?: string;
}

export interface ProfileView {
  user: UserRow;
  /** False when the viewer may only see the card (id, username, full_name, profile_image_url). */
  full: boolean;
  /** Whether the viewer may send this user a new friend request now (privacy.sql.ts `friendRequestAllowed`). */
  canSendFriendRequest: boolean;
}

/**
 * A caller's work that commits with a write of this service (its own events, published through
 * `tx`): what the write owes is recorded if and only if the write commits.
 */
export type AlsoInTransaction = (tx: Db) => Promise<void>;

const AUTH_STATE_TTL_SECONDS = 60;
const authStateKey = (userId: string) => `auth-state:${userId}`;

function uniqueViolationToError(err: unknown): Error {
  const constraint = violatedUniqueConstraint(err);
  if (constraint?.includes('email')) return emailTaken();
  if (constraint?.includes('username')) return usernameTaken();
  return err as Error;
}

/**
 * Accounts and profiles: with EmailChangeService (the login address), the only writer of the
 * `users` and `password_history` tables.
 */
export class UsersService {
  private readonly repo: UsersRepo;
  private readonly emailChanges: EmailChangesRepo;

  constructor(
    private readonly database: Database,
    private readonly cache: Cache,
    private readonly bus: EventBus,
    private readonly clock: Clock,
  ) {
    this.repo = new UsersRepo(database.db);
    this.emailChanges = new EmailChangesRepo(database.db);
  }

  /** Creates an account with its first password-history entry; email/username uniqueness → 409. */
  async createAccount(account: NewAccount): Promise<UserRow> {
    const email = validEmail(account.email);
    const username = normalizeUsername(account.username);
    if (await this.emailChanges.emailInUse(email, undefined, this.clock.now())) throw emailTaken();
    if (await this.repo.usernameExists(username)) throw usernameTaken();
    const now = this.clock.now();
    try {
      const user = await inTransaction(this.database, async (tx) => {
        const repo = new UsersRepo(tx);
        const row = await repo.insert({
          email,
          username,
          fullName: normalizeFullName(account.fullName),
          passwordHash: account.passwordHash,
          createdAt: now,
          updatedAt: now,
        });
        await repo.addPasswordHistory(row.id, account.passwordHash, now);
        await this.bus.publish(tx, 'user.registered', {
          userId: row.id,
          email: row.email,
          username: row.username,
          fullName: row.fullName,
        });
        return row;
      });
      return user;
    } catch (err) {
      throw uniqueViolationToError(err);
    }
  }

  async getById(userId: string): Promise<UserRow> {
    const user = await this.repo.findById(userId);
    if (!user || user.deletedAt) throw userNotFound();
    return user;
  }

  /** The account when it is active (neither deactivated nor deleted); else 404 user_not_found. */
  async getActiveById(userId: string): Promise<UserRow> {
    const user = await this.repo.findActiveById(userId);
    if (!user) throw userNotFound();
    return user;
  }

  /** The account for a login or password reset; undefined when none exists. */
  async findByEmail(email: string): Promise<UserRow | undefined> {
    const user = await this.repo.findByEmail(normalizeEmail(email));
    return user && !user.deletedAt ? user : undefined;
  }

  /** Auth facts for the request hook, from cache when fresh. Undefined when the account is gone. */
  async getAuthState(userId: string): Promise<AuthState | undefined> {
    const cached = await this.cache.get<AuthState>(authStateKey(userId));
    if (cached) return cached;
    const user = await this.repo.findById(userId);
    if (!user) return undefined;
    const state: AuthState = {
      isActive: user.isActive && !user.deletedAt && !user.deactivatedAt,
      username: user.username,
      email: user.email,
      tokenVersion: user.tokenVersion,
    };
    await this.cache.set(authStateKey(userId), state, AUTH_STATE_TTL_SECONDS);
    return state;
  }

  /** Drops the cached auth facts, so the next request reads the account afresh. */
  async forgetAuthState(userId: string): Promise<void> {
    await this.cache.delete(authStateKey(userId));
  }

  /** Applies a partial profile update (the login address changes through EmailChangeService). */
  async updateProfile(userId: string, patch: ProfilePatch): Promise<UserRow> {
    const current = await this.getById(userId);
    const update: UserUpdate = {};
    if (patch.fullName !== undefined) update.fullName = normalizeFullName(patch.fullName);
    if (patch.bio !== undefined) update.bio = patch.bio === null ? null : patch.bio.trim() || null;
    if (patch.timezone !== undefined) update.timezone = assertTimezone(patch.timezone);
    if (patch.username !== undefined) {
      const username = normalizeUsername(patch.username);
      if (username !== current.username) {
        if (await this.repo.usernameExists(username, userId)) throw usernameTaken();
        update.username = username;
      }
    }
    const changed = Object.keys(update);
    let updated: UserRow | undefined;
    try {
      updated = await inTransaction(this.database, async (tx) => {
        const row = await new UsersRepo(tx).update(userId, update, this.clock.now());
        if (row && changed.length > 0) await this.bus.publish(tx, 'user.profile_updated', { userId, changed });
        return row;
      });
    } catch (err) {
      throw uniqueViolationToError(err);
    }
    if (!updated) throw userNotFound();
    await this.forgetAuthState(userId);
    return updated;
  }

  /** Sets the privacy flags kept on the account (plan 3.1): visibility, online status, suggestions. */
  async updatePrivacyFlags(
    userId: string,
    flags: { profileVisibility?: ProfileVisibility; onlineStatusVisible?: boolean; appearInSuggestions?: boolean },
  ): Promise<UserRow> {
    const updated = await this.repo.update(userId, flags, this.clock.now());
    if (!updated) throw userNotFound();
    return updated;
  }

  /**
   * The profile as `viewerId` may see it; blocked in either direction → 404. Its goals_achieved and
   * photos_shared count only what the viewer may see, like {@link viewStats}.
   */
  async viewProfile(viewerId: string, userId: string): Promise<ProfileView> {
    const view = await this.profileAccess(viewerId, userId);
    if (!view.full || viewerId === userId) return view;
    const stats = await this.repo.stats(userId, viewerId);
    if (!stats) throw userNotFound();
    return { ...view, user: { ...view.user, goalsAchieved: stats.goalsAchieved, photosShared: stats.photosShared } };
  }

  /** The user with the viewer's access, in one statement; unknown, inactive and blocked users are 404. */
  private async profileAccess(viewerId: string, userId: string): Promise<ProfileView> {
    const view = await this.repo.findVisibleProfile(viewerId, userId);
    if (!view) throw userNotFound();
    return view;
  }

  /**
   * Profile statistics under the same visibility rules as the profile (card-only viewers get 404),
   * counting only the goals and posts the viewer may see.
   */
  async viewStats(viewerId: string, userId: string): Promise<UserStatsRow> {
    const view = await this.profileAccess(viewerId, userId);
    if (!view.full) throw userNotFound();
    const stats = await this.repo.stats(userId, viewerId);
    if (!stats) throw userNotFound();
    return stats;
  }

  /** The newest `count` password hashes (the current one first). */
  async recentPasswordHashes(userId: string, count: number): Promise<string[]> {
    return this.repo.recentPasswordHashes(userId, count);
  }

  /**
   * Sets a new password, records it in the history and invalidates every access token issued so far;
   * `also` (the caller's events about the change) commits with it.
   */
  async changePassword(userId: string, passwordHash: string, reason: 'reset' | 'change', also?: AlsoInTransaction): Promise<void> {
    const now = this.clock.now();
    await inTransaction(this.database, async (tx) => {
      const repo = new UsersRepo(tx);
      await repo.setPasswordHash(userId, passwordHash, now);
      await repo.addPasswordHistory(userId, passwordHash, now);
      await repo.bumpTokenVersion(userId);
      await this.bus.publish(tx, 'user.password_changed', { userId, reason });
      if (also) await also(tx);
    });
    await this.forgetAuthState(userId);
  }

  /** Invalidates every access token of the account issued so far (logout from all devices). */
  async revokeAccessTokens(userId: string): Promise<void> {
    await this.repo.bumpTokenVersion(userId);
    await this.forgetAuthState(userId);
  }

  /** Marks the address verified if it is still the account's email; false when it changed meanwhile. */
  async markEmailVerified(userId: string, email: string): Promise<boolean> {
    const user = await this.getById(userId);
    if (user.email !== email) return false;
    if (!user.emailVerified) await this.repo.update(userId, { emailVerified: true }, this.clock.now());
    return true;
  }

  async touchLastSeen(userId: string): Promise<void> {
    await this.repo.touchLastSeen(userId, this.clock.now());
  }

  /**
   * Records that the user is active now (any authenticated request): last_seen_at is written at most
   * once a minute per user, so "online" (seen within 5 minutes) holds without a write per request.
   */
  async noteActivity(userId: string): Promise<void> {
    const key = `seen:${userId}`;
    if (await this.cache.get<boolean>(key)) return;
    await this.cache.set(key, true, 60);
    await this.repo.touchLastSeen(userId, this.clock.now());
  }

  /** Deactivates the account; its tokens stop working at once. */
  async deactivate(userId: string): Promise<void> {
    await inTransaction(this.database, async (tx) => {
      await new UsersRepo(tx).deactivate(userId, this.clock.now());
      await this.bus.publish(tx, 'user.deactivated', { userId });
    });
    await this.forgetAuthState(userId);
  }
}
