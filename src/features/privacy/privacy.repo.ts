import { sql } from 'drizzle-orm';
import type { Db } from '../../infra/db/database.js';
import { queryRows } from '../../infra/db/rows.js';

export interface RelationshipRow {
  areFriends: boolean;
  blockedEitherWay: boolean;
}

/**
 * The social-graph facts every privacy decision needs, read in one statement across the
 * friendships and blocked_users tables (a read model; those tables are written by their features).
 */
export class PrivacyRepo {
  constructor(private readonly db: Db) {}

  async relationship(viewerId: string, targetId: string): Promise<RelationshipRow> {
    const [row] = await queryRows<{ are_friends: boolean; blocked: boolean }>(
      this.db,
      sql`select
        exists(select 1 from friendships f where f.status = 'accepted'
          and ((f.user_id = ${viewerId} and f.friend_id = ${targetId})
            or (f.user_id = ${targetId} and f.friend_id = ${viewerId}))) as are_friends,
        exists(select 1 from blocked_users b
          where (b.blocker_id = ${viewerId} and b.blocked_id = ${targetId})
             or (b.blocker_id = ${targetId} and b.blocked_id = ${viewerId})) as blocked`,
    );
    return { areFriends: row?.are_friends === true, blockedEitherWay: row?.blocked === true };
  }
}
