import { sql } from 'drizzle-orm';
import type { Db } from '../../infra/db/database.js';
import { violatedForeignKey } from '../../infra/db/errors.js';
import { queryRows } from '../../infra/db/rows.js';
import type { Page } from '../../lib/page.js';
import { blockedEitherWay } from '../privacy/privacy.sql.js';
import type { UserCard } from '../users/user-card.js';

export interface LikeChange {
  /** False when the request changed nothing (already liked / not liked). */
  changed: boolean;
  /** The counter after the statement; undefined when the post or comment no longer exists. */
  likesCount: number | undefined;
}

/** The foreign keys (migrations/0000) whose violation means the liked post or comment was deleted meanwhile. */
const TARGET_FOREIGN_KEYS = new Set(['post_likes_post_id_posts_id_fk', 'comment_likes_comment_id_post_comments_id_fk']);

export interface LikerRow extends UserCard {
  likedAt: Date;
}

/**
 * Runs one like/unlike statement. The target deleted meanwhile reads as `likesCount: undefined`
 * (no counter row, or its foreign key refused the insert); every other failure propagates.
 */
async function change(db: Db, query: ReturnType<typeof sql>): Promise<LikeChange> {
  let rows: Array<{ changed: number; likes_count: number | null }>;
  try {
    rows = await queryRows<{ changed: number; likes_count: number | null }>(db, query);
  } catch (err) {
    const constraint = violatedForeignKey(err);
    if (constraint !== undefined && TARGET_FOREIGN_KEYS.has(constraint)) return { changed: false, likesCount: undefined };
    throw err;
  }
  const [row] = rows;
  return { changed: Number(row?.changed ?? 0) > 0, likesCount: row?.likes_count == null ? undefined : Number(row.likes_count) };
}

/**
 * Every write on `post_likes` and `comment_likes` and their counters. Each like or unlike is ONE
 * statement: the row change and the counter move together, and the counter moves only by the rows
 * the statement really inserted or deleted, so concurrent likes/unlikes keep it exact.
 */
export class LikesRepo {
  constructor(private readonly db: Db) {}

  likePost(postId: string, userId: string, now: Date): Promise<LikeChange> {
    return change(
      this.db,
      sql`with ins as (insert into post_likes (post_id, user_id, created_at) values (${postId}, ${userId}, ${now.toISOString()})
          on conflict (post_id, user_id) do nothing returning 1),
        upd as (update posts set likes_count = likes_count + (select count(*) from ins)::int where id = ${postId} returning likes_count)
        select (select count(*) from ins)::int as changed, (select likes_count from upd) as likes_count`,
    );
  }

  unlikePost(postId: string, userId: string): Promise<LikeChange> {
    return change(
      this.db,
      sql`with del as (delete from post_likes where post_id = ${postId} and user_id = ${userId} returning 1),
        upd as (update posts set likes_count = likes_count - (select count(*) from del)::int where id = ${postId} returning likes_count)
        select (select count(*) from del)::int as changed, (select likes_count from upd) as likes_count`,
    );
  }

  likeComment(commentId: string, userId: string, now: Date): Promise<LikeChange> {
    return change(
      this.db,
      sql`with ins as (insert into comment_likes (comment_id, user_id, created_at) values (${commentId}, ${userId}, ${now.toISOString()})
          on conflict (comment_id, user_id) do nothing returning 1),
        upd as (update post_comments set likes_count = likes_count + (select count(*) from ins)::int where id = ${commentId} returning likes_count)
        select (select count(*) from ins)::int as changed, (select likes_count from upd) as likes_count`,
    );
  }

  unlikeComment(commentId: string, userId: string): Promise<LikeChange> {
    return change(
      this.db,
      sql`with del as (delete from comment_likes where comment_id = ${commentId} and user_id = ${userId} returning 1),
        upd as (update post_comments set likes_count = likes_count - (select count(*) from del)::int where id = ${commentId} returning likes_count)
        select (select count(*) from del)::int as changed, (select likes_count from upd) as likes_count`,
    );
  }

  /** Who liked a post, newest first (users blocked with the viewer left out), and how many. */
  async likersPage(viewerId: string, postId: string, limit: number, offset: number): Promise<Page<LikerRow>> {
    const where = sql`where l.post_id = ${postId} and not ${blockedEitherWay(viewerId, sql.raw('l.user_id'))}`;
    const rows = await queryRows<Record<string, unknown>>(
      this.db,
      sql`select u.id, u.username, u.full_name, u.profile_image_url, l.created_at
        from post_likes l join users u on u.id = l.user_id ${where}
        order by l.created_at desc, l.id desc limit ${limit} offset ${offset}`,
    );
    const [counted] = await queryRows<{ n: number }>(this.db, sql`select count(*)::int as n from post_likes l ${where}`);
    return {
      items: rows.map((r) => ({
        id: String(r.id),
        username: String(r.username),
        fullName: String(r.full_name),
        profileImageUrl: (r.profile_image_url as string | null) ?? null,
        likedAt: new Date(r.created_at as string | Date),
      })),
      total: Number(counted?.n ?? 0),
    };
  }
}
