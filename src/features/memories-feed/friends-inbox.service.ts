import type { Clock } from '../../infra/clock/clock.js';
import type { Database } from '../../infra/db/database.js';
import { violatedForeignKey } from '../../infra/db/errors.js';
import { FRIENDS_INBOX_KEEP_DAYS } from './friends-inbox.sql.js';
import { FriendsInboxRepo } from './friends-inbox.repo.js';

const TRIM_BATCH = 10_000;
const WRITE_ATTEMPTS = 3;

/**
 * An insert whose friendship was deleted between reading it and the foreign-key check fails as a
 * whole; the next attempt reads the friendships again, without the one that ended.
 */
export async function retriedWhenAFriendshipEnds<T>(write: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await write();
    } catch (err) {
      if (attempt >= WRITE_ATTEMPTS || !violatedForeignKey(err)) throw err;
    }
  }
}

/**
 * Keeps the friends inbox (fan-out on write) in step with posts and friendships: new posts and new
 * friendships add rows here; an ended friendship takes its rows with it (foreign key, cascade). Every
 * method is idempotent, so a repeated event changes nothing; a missed one can only hide a post from
 * a friend's feed, never show one.
 */
export class FriendsInboxService {
  private readonly repo: FriendsInboxRepo;

  constructor(
    database: Database,
    private readonly clock: Clock,
  ) {
    this.repo = new FriendsInboxRepo(database.db);
  }

  /** A new post reaches the inbox of each of its author's friends. */
  async postCreated(postId: string): Promise<void> {
    await retriedWhenAFriendshipEnds(() => this.repo.fanOutPost(postId));
  }

  /** New friends see each other's posts of the inbox's window. */
  async friendshipStarted(a: string, b: string): Promise<void> {
    const since = this.keepFromMicros(this.clock.now());
    await retriedWhenAFriendshipEnds(() => this.repo.backfillPair(a, b, since));
  }

  /** Deletes rows past the window, in batches; returns how many. */
  async trim(now: Date): Promise<number> {
    const before = this.keepFromMicros(now);
    let total = 0;
    for (;;) {
      const removed = await this.repo.trimBatch(before, TRIM_BATCH);
      total += removed;
      if (removed < TRIM_BATCH) return total;
    }
  }

  /** Fills every inbox from the posts of the window (after a bulk import, a seed or a benchmark world). */
  async rebuild(): Promise<number> {
    return this.repo.rebuildSince(this.keepFromMicros(this.clock.now()));
  }

  private keepFromMicros(now: Date): string {
    return String((now.getTime() - FRIENDS_INBOX_KEEP_DAYS * 86_400_000) * 1000);
  }
}
