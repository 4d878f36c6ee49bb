import type { Database } from '../../infra/db/database.js';
import { PrivacyRepo, type AccessRow } from './privacy.repo.js';

/** Answers "what may this user see of that one" for the features' single-user checks (404 or card only). */
export class PrivacyService {
  private readonly repo: PrivacyRepo;

  constructor(database: Database) {
    this.repo = new PrivacyRepo(database.db);
  }

  /** What the viewer may see of the target: visible at all, full profile (one statement). */
  async accessTo(viewerId: string, targetId: string): Promise<AccessRow> {
    return this.repo.accessTo(viewerId, targetId);
  }
}
