import { sql } from 'drizzle-orm';
import type { Db } from '../../infra/db/database.js';
import { queryRows } from '../../infra/db/rows.js';
import { maySeeFullProfile, maySeeUser } from './privacy.sql.js';

/** What a viewer may see of another user (a single-object check, for a 404 or a card-only answer). */
export interface AccessRow {
  /** The target is an active account and not blocked either way with the viewer (else: 404). */
  visible: boolean;
  /** The viewer may see the full profile (their friends, badges, stats), not only the card. */
  fullProfile: boolean;
}

/**
 * The privacy answers about one other user, each in one statement over friendships, blocked_users,
 * users and user_settings (a read model; those tables are written by their own features). Lists and
 * object loads select the predicates of privacy.sql.ts themselves.
 */
export class PrivacyRepo {
  constructor(private readonly db: Db) {}

  /**
   * What the viewer may see of the target, in one statement: whether the target is visible at all
   * (privacy.sql.ts `maySeeUser`: an active account, not blocked either way) and whether their full
   * profile is (`maySeeFullProfile`).
   */
  async accessTo(viewerId: string, targetId: string): Promise<AccessRow> {
    const target = sql`${targetId}::uuid`;
    const viewer = sql`${viewerId}::uuid`;
    const [row] = await queryRows<{ visible: boolean; full_profile: boolean }>(
      this.db,
      sql`select ${maySeeUser(viewer, target)} as visible, ${maySeeFullProfile(viewer, target)} as full_profile`,
    );
    const visible = row?.visible === true;
    return { visible, fullProfile: visible && row?.full_profile === true };
  }
}
