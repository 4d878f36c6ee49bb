import type { Clock } from '../../infra/clock/clock.js';
import { inTransaction, type Database, type DatabaseBudget } from '../../infra/db/database.js';
import type { PrivacyService } from '../privacy/privacy.service.js';
import { userNotFound } from '../users/users.errors.js';
import { cannotDismissSelf } from './friends.errors.js';
import { FriendSuggestionsRepo, type SuggestionRow } from './friends.suggestions.repo.js';
import type { SuggestionReason } from './friends.vocabulary.js';

export interface Suggestion extends SuggestionRow {
  reason: SuggestionReason;
}

/** Users recomputed per batch by the nightly job. */
const RECOMPUTE_BATCH = 200;

/** "People you may know": stored per user in `friend_suggestions`, recomputed from the graph. */
export class FriendSuggestions {
  private readonly repo: FriendSuggestionsRepo;

  constructor(
    private readonly database: Database,
    private readonly clock: Clock,
    private readonly privacy: PrivacyService,
  ) {
    this.repo = new FriendSuggestionsRepo(database.db);
  }

  /**
   * Replaces the user's (non-dismissed) suggestions with fresh ones, atomically; the nightly refresh
   * runs it with the maintenance budget (DB_MAINTENANCE_TIMEOUT_MS), a request with its own.
   */
  async recompute(userId: string, budget: DatabaseBudget = 'request'): Promise<void> {
    const now = this.clock.now();
    await inTransaction(this.database, (tx) => new FriendSuggestionsRepo(tx).replaceFor(userId, now), budget);
  }

  /** Recomputes every active user's suggestions in id-ordered batches; returns how many users. */
  async recomputeAll(batchSize = RECOMPUTE_BATCH): Promise<number> {
    let after: string | null = null;
    let done = 0;
    for (;;) {
      const ids = await this.repo.activeUserIdsAfter(after, batchSize);
      for (const id of ids) await this.recompute(id, 'maintenance');
      done += ids.length;
      if (ids.length < batchSize) return done;
      after = ids[ids.length - 1] ?? null;
    }
  }

  /**
   * The user's best suggestions, re-checked against the graph as it is now. Computed on the spot
   * the first time (a user with no suggestion rows at all).
   */
  async list(userId: string, limit: number): Promise<Suggestion[]> {
    if (!(await this.repo.hasAny(userId))) await this.recompute(userId);
    const rows = await this.repo.listVisible(userId, limit);
    return rows.map((r) => ({ ...r, reason: r.mutualFriends > 0 ? 'mutual_friends' : 'common_goals' }));
  }

  /** Never suggests `suggestedUserId` to the user again (idempotent). Unknown or blocked users: 404. */
  async dismiss(userId: string, suggestedUserId: string): Promise<void> {
    if (userId === suggestedUserId) throw cannotDismissSelf();
    if (!(await this.privacy.accessTo(userId, suggestedUserId)).visible) throw userNotFound();
    await this.repo.dismiss(userId, suggestedUserId, this.clock.now());
  }
}
