/**
 * Tables owned by the friends feature: plan §3.2 `friendships` and `friend_suggestions`, and
 * `friend_invites` (not in the plan: each user's personal invite code, issue 15 item 8).
 * A pair of users has at most one friendship row, whichever of them sent the request.
 */
import { sql } from 'drizzle-orm';
import { boolean, check, doublePrecision, index, pgTable, timestamp, unique, uniqueIndex, uuid, varchar } from 'drizzle-orm/pg-core';
import { checkIn } from '../../infra/db/vocabulary-check.js';
import { users } from '../users/users.tables.js';
import { FRIENDSHIP_STATUSES, SUGGESTION_REASONS } from './friends.vocabulary.js';

export const friendships = pgTable(
  'friendships',
  {
    id: uuid().primaryKey().defaultRandom(),
    /** The requester. */
    userId: uuid()
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    /** The addressee. */
    friendId: uuid()
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    status: varchar({ length: 20, enum: FRIENDSHIP_STATUSES }).notNull(),
    requestedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    acceptedAt: timestamp({ withTimezone: true }),
  },
  (t) => [
    unique('friendships_user_id_friend_id_unique').on(t.userId, t.friendId),
    checkIn('friendships_status_check', t.status, FRIENDSHIP_STATUSES),
    check('friendships_not_self_check', sql`${t.userId} <> ${t.friendId}`),
    // One row per unordered pair: A→B and B→A cannot both exist.
    uniqueIndex('friendships_pair_unique').on(sql`least(${t.userId}, ${t.friendId})`, sql`greatest(${t.userId}, ${t.friendId})`),
    // Also covers plan §9.1 idx_friendships_user_status (same columns).
    index('idx_friendships_user').on(t.userId, t.status),
    index('idx_friendships_friend').on(t.friendId, t.status),
  ],
);

export const friendSuggestions = pgTable(
  'friend_suggestions',
  {
    id: uuid().primaryKey().defaultRandom(),
    userId: uuid()
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    suggestedUserId: uuid()
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    score: doublePrecision().notNull().default(0),
    /** 'mutual_friends', 'common_goals', ... */
    reason: varchar({ length: 100, enum: SUGGESTION_REASONS }),
    dismissed: boolean().notNull().default(false),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    unique('friend_suggestions_user_id_suggested_user_id_unique').on(t.userId, t.suggestedUserId),
    check('friend_suggestions_not_self_check', sql`${t.userId} <> ${t.suggestedUserId}`),
    checkIn('friend_suggestions_reason_check', t.reason, SUGGESTION_REASONS),
    index('idx_suggestions_user').on(t.userId, t.dismissed),
  ],
);

/**
 * A user's personal invite code: whoever redeems it sends the user a friend request, whatever their
 * who_can_send_friend_requests setting. One row per user; rotating replaces `code`, so the old one
 * stops working at once (it is stored nowhere else).
 */
export const friendInvites = pgTable(
  'friend_invites',
  {
    userId: uuid()
      .primaryKey()
      .references(() => users.id, { onDelete: 'cascade' }),
    code: varchar({ length: 16 }).notNull(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('friend_invites_code_unique').on(t.code)],
);

export type FriendshipRow = typeof friendships.$inferSelect;
export type NewFriendshipRow = typeof friendships.$inferInsert;
export type FriendSuggestionRow = typeof friendSuggestions.$inferSelect;
export type NewFriendSuggestionRow = typeof friendSuggestions.$inferInsert;
export type FriendInviteRow = typeof friendInvites.$inferSelect;
