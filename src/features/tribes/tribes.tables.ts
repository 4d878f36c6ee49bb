/**
 * Tables owned by the tribes feature: plan §3.9 `tribes`, `tribe_members` and
 * `tribe_invitations` (at most one pending invitation per tribe and invitee).
 */
import { sql } from 'drizzle-orm';
import { boolean, check, index, integer, pgTable, text, timestamp, unique, uniqueIndex, uuid, varchar } from 'drizzle-orm/pg-core';
import { checkIn } from '../../infra/db/vocabulary-check.js';
import { users } from '../users/users.tables.js';
import { TRIBE_INVITATION_STATUSES, TRIBE_ROLES } from './tribes.vocabulary.js';

export const tribes = pgTable(
  'tribes',
  {
    id: uuid().primaryKey().defaultRandom(),
    name: varchar({ length: 255 }).notNull(),
    description: text(),
    imageUrl: text(),
    coverImageUrl: text(),
    isPrivate: boolean().notNull().default(false),
    requireApproval: boolean().notNull().default(true),
    memberCount: integer().notNull().default(0),
    createdBy: uuid()
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    check('tribes_member_count_check', sql`${t.memberCount} >= 0`),
    index('idx_tribes_created_by').on(t.createdBy),
  ],
);

export const tribeMembers = pgTable(
  'tribe_members',
  {
    id: uuid().primaryKey().defaultRandom(),
    tribeId: uuid()
      .notNull()
      .references(() => tribes.id, { onDelete: 'cascade' }),
    userId: uuid()
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    role: varchar({ length: 20, enum: TRIBE_ROLES }).notNull().default('member'),
    joinedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    leftAt: timestamp({ withTimezone: true }),
  },
  (t) => [
    unique('tribe_members_tribe_id_user_id_unique').on(t.tribeId, t.userId),
    checkIn('tribe_members_role_check', t.role, TRIBE_ROLES),
    index('idx_tribe_members_tribe').on(t.tribeId),
    index('idx_tribe_members_user').on(t.userId),
  ],
);

export const tribeInvitations = pgTable(
  'tribe_invitations',
  {
    id: uuid().primaryKey().defaultRandom(),
    tribeId: uuid()
      .notNull()
      .references(() => tribes.id, { onDelete: 'cascade' }),
    inviterId: uuid()
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    inviteeId: uuid()
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    status: varchar({ length: 20, enum: TRIBE_INVITATION_STATUSES }).notNull().default('pending'),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    respondedAt: timestamp({ withTimezone: true }),
  },
  (t) => [
    checkIn('tribe_invitations_status_check', t.status, TRIBE_INVITATION_STATUSES),
    index('idx_tribe_invitations_invitee').on(t.inviteeId, t.status),
    uniqueIndex('tribe_invitations_pending_unique')
      .on(t.tribeId, t.inviteeId)
      .where(sql`status = 'pending'`),
  ],
);

export type TribeRow = typeof tribes.$inferSelect;
export type NewTribeRow = typeof tribes.$inferInsert;
export type TribeMemberRow = typeof tribeMembers.$inferSelect;
export type NewTribeMemberRow = typeof tribeMembers.$inferInsert;
export type TribeInvitationRow = typeof tribeInvitations.$inferSelect;
export type NewTribeInvitationRow = typeof tribeInvitations.$inferInsert;
