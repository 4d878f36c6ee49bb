import { and, asc, desc, eq, inArray, not, or, sql, type SQL } from 'drizzle-orm';
import type { Db } from '../../infra/db/database.js';
import { queryRows } from '../../infra/db/rows.js';
import type { Page } from '../../lib/page.js';
import { activeAccountRow, areFriends, blockedEitherWay } from '../privacy/privacy.sql.js';
import type { UserCard } from '../users/user-card.js';
import { users } from '../users/users.tables.js';
import { LIVE_STATUSES } from './partners.policy.js';
import type { PartnershipStatus } from './partners.vocabulary.js';
import {
  accountabilityPartners as ap,
  type AccountabilityPartnerRow,
  type NewAccountabilityPartnerRow,
} from './partners.tables.js';

/** The other participant's public card. */
export type PartnerCard = UserCard;

export interface PartnershipWithPartner {
  row: AccountabilityPartnerRow;
  partner: PartnerCard;
}

/** What a proposal needs to know about its target, as seen by the proposer. */
export interface ProposalTarget {
  card: PartnerCard;
  /** The account is active and not deleted. */
  active: boolean;
  blockedEitherWay: boolean;
  areFriends: boolean;
}

export type PartnershipUpdate = Partial<
  Pick<
    NewAccountabilityPartnerRow,
    'userId' | 'partnerId' | 'status' | 'requestedBy' | 'respondedAt' | 'checkInFrequency' | 'startedAt' | 'endedAt'
  >
>;

const cardColumns = {
  id: users.id,
  username: users.username,
  fullName: users.fullName,
  profileImageUrl: users.profileImageUrl,
};

/** The participant of a row who is not `userId`. */
const otherOf = (userId: string) =>
  sql`case when ${ap.userId} = ${userId}::uuid then ${ap.partnerId} else ${ap.userId} end`;

/** Rows between two users, whichever of them is in `user_id`. */
const pairOf = (a: string, b: string) =>
  or(and(eq(ap.userId, a), eq(ap.partnerId, b)), and(eq(ap.userId, b), eq(ap.partnerId, a)));

/**
 * Rows `userId` takes part in whose other participant (joined as `users`) is an active account
 * that neither blocked nor was blocked by `userId`: what that user may see at all.
 */
const visibleTo = (userId: string) =>
  and(
    or(eq(ap.userId, userId), eq(ap.partnerId, userId)),
    activeAccountRow('users'),
    not(blockedEitherWay(userId, users.id)),
  );

const statusOrder = sql`case ${ap.status} when 'pending' then 0 when 'active' then 1 when 'paused' then 2 else 3 end`;

/**
 * Every SQL statement on `accountability_partners`. The joins on `users`, `friendships` and
 * `blocked_users` are read models (cards, visibility); those tables are written by their features.
 */
export class PartnersRepo {
  constructor(private readonly db: Db) {}

  /**
   * Serialises, until the transaction ends, every proposal and block clean-up between the two users
   * (a transaction-scoped advisory lock on the unordered pair). A row lock cannot do this when the
   * pair has no row yet.
   */
  async lockPair(a: string, b: string): Promise<void> {
    const [lo, hi] = a < b ? [a, b] : [b, a];
    await this.db.execute(sql`select pg_advisory_xact_lock(hashtextextended(${`partners:${lo}:${hi}`}::text, 0))`);
  }

  /** The proposal target's card and its relationship to the caller; undefined for an unknown id. */
  async proposalTarget(callerId: string, targetId: string): Promise<ProposalTarget | undefined> {
    const [row] = await queryRows<{
      id: string;
      username: string;
      full_name: string;
      profile_image_url: string | null;
      active: boolean;
      blocked: boolean;
      friends: boolean;
    }>(
      this.db,
      sql`select u.id, u.username, u.full_name, u.profile_image_url,
        ${activeAccountRow('u')} as active,
        ${blockedEitherWay(callerId, sql`u.id`)} as blocked,
        ${areFriends(callerId, sql`u.id`)} as friends
        from users u where u.id = ${targetId}::uuid`,
    );
    if (!row) return undefined;
    return {
      card: { id: row.id, username: row.username, fullName: row.full_name, profileImageUrl: row.profile_image_url },
      active: row.active === true,
      blockedEitherWay: row.blocked === true,
      areFriends: row.friends === true,
    };
  }

  /** The pair's row (there is at most one), locked for the rest of the transaction. */
  async findPairForUpdate(a: string, b: string): Promise<AccountabilityPartnerRow | undefined> {
    const [row] = await this.db.select().from(ap).where(pairOf(a, b)).for('update').limit(1);
    return row;
  }

  /** Inserts a row; undefined when the pair already has one (the pair-unique index decides). */
  async insert(values: NewAccountabilityPartnerRow): Promise<AccountabilityPartnerRow | undefined> {
    const [row] = await this.db.insert(ap).values(values).onConflictDoNothing().returning();
    return row;
  }

  async update(id: string, values: PartnershipUpdate): Promise<AccountabilityPartnerRow> {
    const [row] = await this.db.update(ap).set(values).where(eq(ap.id, id)).returning();
    if (!row) throw new Error(`accountability_partners row ${id} vanished during its transaction`);
    return row;
  }

  async delete(id: string): Promise<void> {
    await this.db.delete(ap).where(eq(ap.id, id));
  }

  /** A partnership `userId` may see, with the other participant's card; optionally row-locked. */
  async findVisible(
    id: string,
    userId: string,
    options: { forUpdate?: boolean } = {},
  ): Promise<PartnershipWithPartner | undefined> {
    const query = this.db
      .select({ row: ap, partner: cardColumns })
      .from(ap)
      .innerJoin(users, eq(users.id, otherOf(userId)))
      .where(and(eq(ap.id, id), visibleTo(userId)))
      .limit(1);
    const [found] = options.forUpdate ? await query.for('update', { of: ap }) : await query;
    return found;
  }

  /** One page of the partnerships `userId` may see, pending first, then active, paused, ended; newest first within each. */
  async listVisible(
    userId: string,
    statuses: readonly PartnershipStatus[],
    page: number,
    limit: number,
  ): Promise<Page<PartnershipWithPartner>> {
    const where = and(visibleTo(userId), inArray(ap.status, [...statuses]));
    const [items, [count]] = await Promise.all([
      this.db
        .select({ row: ap, partner: cardColumns })
        .from(ap)
        .innerJoin(users, eq(users.id, otherOf(userId)))
        .where(where)
        .orderBy(asc(statusOrder), desc(ap.startedAt), desc(ap.id))
        .limit(limit)
        .offset((page - 1) * limit),
      this.db
        .select({ n: sql<number>`count(*)::int` })
        .from(ap)
        .innerJoin(users, eq(users.id, otherOf(userId)))
        .where(where),
    ]);
    return { items, total: Number(count?.n ?? 0) };
  }

  /** Ids of `userId`'s active or paused partners whose accounts are active and not blocked either way. */
  async livePartnerIds(userId: string, onlyWith?: string): Promise<string[]> {
    const conditions: SQL[] = [inArray(ap.status, [...LIVE_STATUSES])];
    if (onlyWith) conditions.push(eq(users.id, onlyWith));
    const rows = await this.db
      .select({ id: users.id })
      .from(ap)
      .innerJoin(users, eq(users.id, otherOf(userId)))
      .where(and(visibleTo(userId), ...conditions));
    return rows.map((r) => r.id);
  }
}
