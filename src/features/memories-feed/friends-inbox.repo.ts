import type { Db } from '../../infra/db/database.js';
import {
  backfillPairSql,
  fanOutPostSql,
  rebuildSinceSql,
  trimBatchSql,
} from './friends-inbox.sql.js';

interface Affected {
  rowCount?: number | null;
  affectedRows?: number;
}

function affected(result: unknown): number {
  const r = result as Affected;
  return Number(r.rowCount ?? r.affectedRows ?? 0);
}

/** Writes of the friends inbox (table friends_inbox, owned by the feed feature). */
export class FriendsInboxRepo {
  constructor(private readonly db: Db) {}

  async fanOutPost(postId: string): Promise<number> {
    return affected(await this.db.execute(fanOutPostSql(postId)));
  }

  async backfillPair(a: string, b: string, sinceMicros: string): Promise<number> {
    return affected(await this.db.execute(backfillPairSql(a, b, sinceMicros)));
  }

  async trimBatch(beforeMicros: string, batch: number): Promise<number> {
    return affected(await this.db.execute(trimBatchSql(beforeMicros, batch)));
  }

  async rebuildSince(sinceMicros: string): Promise<number> {
    return affected(await this.db.execute(rebuildSinceSql(sinceMicros)));
  }
}
