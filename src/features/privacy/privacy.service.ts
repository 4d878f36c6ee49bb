import type { Database } from '../../infra/db/database.js';
import { PrivacyRepo, type PrivacySettingsRow } from './privacy.repo.js';
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

  /** Whether the viewer may send the target a new friend request now (privacy.sql.ts `friendRequestAllowed`). */
  async canSendFriendRequest(viewerId: string, targetId: string): Promise<boolean> {
    return this.repo.canSendFriendRequest(viewerId, targetId);
  }

  /** The user's privacy settings (plan defaults where unset); undefined for an unknown user. */
  async settingsOf(userId: string): Promise<PrivacySettingsRow | undefined> {
    return this.repo.settings(userId);
  }
}
