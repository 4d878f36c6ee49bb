/**
 * Table owned by the partners feature: plan §3.2 `accountability_partners`, extended with a
 * consent flow (a 'pending' request that the other user accepts) and one row per pair of users.
 */
import { sql } from 'drizzle-orm';
import { check, index, pgTable, timestamp, unique, uniqueIndex, uuid, varchar } from 'drizzle-orm/pg-core';
import { checkIn } from '../../infra/db/vocabulary-check.js';
import { users } from '../users/users.tables.js';
import { CHECK_IN_FREQUENCIES, PARTNERSHIP_STATUSES } from './partners.vocabulary.js';

export const accountabilityPartners = pgTable(
  'accountability_partners',
  {
    id: uuid().primaryKey().defaultRandom(),
    userId: uuid()
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    partnerId: uuid()
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    status: varchar({ length: 20, enum: PARTNERSHIP_STATUSES }).notNull().default('pending'),
    /** Who asked; the other user must accept before the partnership becomes 'active'. */
    requestedBy: uuid().references(() => users.id, { onDelete: 'cascade' }),
    respondedAt: timestamp({ withTimezone: true }),
    checkInFrequency: varchar({ length: 20, enum: CHECK_IN_FREQUENCIES }),
    /** Defaults to the request time; the service sets it again when the request is accepted. */
    startedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    endedAt: timestamp({ withTimezone: true }),
  },
  (t) => [
    unique('accountability_partners_user_id_partner_id_unique').on(t.userId, t.partnerId),
    checkIn('accountability_partners_status_check', t.status, PARTNERSHIP_STATUSES),
    checkIn('accountability_partners_check_in_frequency_check', t.checkInFrequency, CHECK_IN_FREQUENCIES),
    check('accountability_partners_not_self_check', sql`${t.userId} <> ${t.partnerId}`),
    uniqueIndex('accountability_partners_pair_unique').on(
      sql`least(${t.userId}, ${t.partnerId})`,
      sql`greatest(${t.userId}, ${t.partnerId})`,
    ),
    index('idx_accountability_user').on(t.userId, t.status),
    // Not in the plan: a partnership is looked up from both sides.
    index('idx_accountability_partner').on(t.partnerId, t.status),
  ],
);

export type AccountabilityPartnerRow = typeof accountabilityPartners.$inferSelect;
export type NewAccountabilityPartnerRow = typeof accountabilityPartners.$inferInsert;
