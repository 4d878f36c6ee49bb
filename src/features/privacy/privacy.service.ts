import type { Database } from '../../infra/db/database.js';
import { PrivacyRepo, type AccessRow, type PrivacySettingsRow } from './privacy.repo.js';
import type { Relationship } from './privacy.policy.js';

/** Answers "how are these two users related" and "what did this user allow" for the privacy policy. */
export class PrivacyService {
  private readonly repo: PrivacyRepo;

  constructor(database: Database) {
    this.repo = new PrivacyRepo(database.db);
  }

  async relationship(viewerId: string, targetId: string): Promise<Relationship> {
    if (viewerId === targetId) {
      return { isSelf: true, areFriends: false, blockedEitherWay: false, arePartners: false, mutualFriends: 0 };
    }
    const row = await this.repo.relationship(viewerId, targetId);
    return { isSelf: false, ...row };
  }

  /** What the viewer may see of the target: visible at all, full profile (one statement). */
  async accessTo(viewerId: string, targetId: string): Promise<AccessRow> {
    return this.repo.accessTo(viewerId, targetId);
  }

  /** The user's privacy settings (plan defaults where unset); undefined for an unknown user. */
  async settingsOf(userId: string): Promise<PrivacySettingsRow | undefined> {
    return this.repo.settings(userId);
  }
}
