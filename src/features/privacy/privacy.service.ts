import type { Database } from '../../infra/db/database.js';
import { PrivacyRepo } from './privacy.repo.js';
import type { Relationship } from './privacy.policy.js';

/** Answers "how are these two users related" for the privacy policy. */
export class PrivacyService {
  private readonly repo: PrivacyRepo;

  constructor(database: Database) {
    this.repo = new PrivacyRepo(database.db);
  }

  async relationship(viewerId: string, targetId: string): Promise<Relationship> {
    if (viewerId === targetId) return { isSelf: true, areFriends: false, blockedEitherWay: false };
    const row = await this.repo.relationship(viewerId, targetId);
    return { isSelf: false, ...row };
  }
}
