/** Table owned by the memories feed (GET /feed): the friends feed's inbox. */
import { index, pgTable, primaryKey, timestamp, uuid } from 'drizzle-orm/pg-core';
import { friendships } from '../friends/friends.tables.js';
import { users } from '../users/users.tables.js';

/**
 * The friends feed's inbox (fan-out on write): one row per (reader, post) for posts of the reader's
 * friends created in the last FRIENDS_INBOX_DAYS days, so a friends-feed page is a short range scan
 * of the reader's rows instead of a search through every friend's posts. Written only by the feed
 * feature (friends-inbox.repo.ts): on post.created and on a new friendship (backfill); unfriending
 * and blocking remove rows through the friendship's cascade; a daily job trims rows past the horizon. It is an index, not the truth: a page
 * re-checks the post (not archived, visible to friends) and the author (active), and a row lives only
 * as long as its friendship (foreign key with cascade), so a late or lost fan-out can hide a post
 * but never show one it must not. No foreign key on post_id:
 * a deleted post's rows simply stop joining and age out with the trim.
 */
export const friendsInbox = pgTable(
  'friends_inbox',
  {
    /** The reader. */
    userId: uuid()
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    /** The post's created_at (the feed's order). */
    postCreatedAt: timestamp({ withTimezone: true }).notNull(),
    postId: uuid().notNull(),
    authorId: uuid().notNull(),
    /**
     * The accepted friendship that put the row here. Unfriending and blocking delete the friendship
     * row, and the cascade deletes its inbox rows in the same transaction, so a page needs no
     * friendship check. The foreign-key check of an insert locks the friendship (KEY SHARE), so a
     * fan-out racing an unfriend either commits first (and the cascade then removes its rows) or
     * fails on the missing key and is retried without that friend.
     */
    friendshipId: uuid()
      .notNull()
      .references(() => friendships.id, { onDelete: 'cascade' }),
  },
  (t) => [
    primaryKey({ name: 'friends_inbox_pkey', columns: [t.userId, t.postCreatedAt, t.postId] }),
    // The cascade from friendships finds a friendship's rows by it.
    index('idx_friends_inbox_friendship').on(t.friendshipId),
  ],
);
