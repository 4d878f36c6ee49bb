import { sql } from 'drizzle-orm';
import type { Db } from '../../infra/db/database.js';
import { violatedForeignKey } from '../../infra/db/errors.js';
import { queryRows } from '../../infra/db/rows.js';
import type { Page } from '../../lib/page.js';
import { blockedEitherWay } from '../privacy/privacy.sql.js';
import type { UserCard } from '../users/user-card.js';
import { postComments, type PostCommentRow } from './posts.tables.js';

/** A comment with its author's card and the viewer's like. */
export interface CommentViewRow {
  id: string;
  postId: string;
  author: UserCard;
  content: string;
  parentCommentId: string | null;
  likesCount: number;
  repliesCount: number;
  isLikedByMe: boolean;
  createdAt: Date;
  updatedAt: Date;
}

/**
 * What a failed comment insert says vanished meanwhile: its post or its parent comment (their
 * foreign keys, migrations/0000); undefined for any other failure, which must propagate as it is.
 */
export function vanishedTargetOf(err: unknown): 'post' | 'parent' | undefined {
  const constraint = violatedForeignKey(err);
  if (constraint === 'post_comments_post_id_posts_id_fk') return 'post';
  if (constraint === 'post_comments_parent_comment_id_post_comments_id_fk') return 'parent';
  return undefined;
}

/** A comment with the post it is on (for the visibility check). */
export interface CommentRef {
  id: string;
  postId: string;
  userId: string;
  parentCommentId: string | null;
}

function toCommentView(r: Record<string, unknown>): CommentViewRow {
  return {
    id: String(r.id),
    postId: String(r.post_id),
    author: {
      id: String(r.user_id),
      username: String(r.username),
      fullName: String(r.full_name),
      profileImageUrl: (r.profile_image_url as string | null) ?? null,
    },
    content: String(r.content),
    parentCommentId: (r.parent_comment_id as string | null) ?? null,
    likesCount: Number(r.likes_count),
    repliesCount: Number(r.replies_count),
    isLikedByMe: Boolean(r.is_liked_by_me),
    createdAt: new Date(r.created_at as string | Date),
    updatedAt: new Date(r.updated_at as string | Date),
  };
}

const COMMENT_COLUMNS = (viewerId: string) => sql`c.id, c.post_id, c.user_id, c.content, c.parent_comment_id, c.likes_count,
  c.replies_count, c.created_at, c.updated_at, u.username, u.full_name, u.profile_image_url,
  exists (select 1 from comment_likes ml where ml.comment_id = c.id and ml.user_id = ${viewerId}) as is_liked_by_me`;

const toCommentRef = (row: Record<string, unknown>): CommentRef => ({
  id: String(row.id),
  postId: String(row.post_id),
  userId: String(row.user_id),
  parentCommentId: (row.parent_comment_id as string | null) ?? null,
});

/**
 * Every statement on `post_comments` and its counters (`replies_count` of the parent,
 * `comments_count` of the post). Writes run inside the service's transaction.
 */
export class CommentsRepo {
  constructor(private readonly db: Db) {}

  async findRef(commentId: string): Promise<CommentRef | undefined> {
    const [row] = await queryRows<Record<string, unknown>>(
      this.db,
      sql`select id, post_id, user_id, parent_comment_id from post_comments where id = ${commentId}`,
    );
    return row ? toCommentRef(row) : undefined;
  }

  /** The comment, and whether its author and `viewerId` blocked each other (either way). */
  async findRefSeenBy(viewerId: string, commentId: string): Promise<(CommentRef & { blockedWithViewer: boolean }) | undefined> {
    const [row] = await queryRows<Record<string, unknown>>(
      this.db,
      sql`select c.id, c.post_id, c.user_id, c.parent_comment_id, ${blockedEitherWay(viewerId, sql.raw('c.user_id'))} as blocked
        from post_comments c where c.id = ${commentId}`,
    );
    return row ? { ...toCommentRef(row), blockedWithViewer: row.blocked === true } : undefined;
  }

  async insert(values: { postId: string; userId: string; content: string; parentCommentId: string | null; now: Date }): Promise<PostCommentRow> {
    const [row] = await this.db
      .insert(postComments)
      .values({ ...values, createdAt: values.now, updatedAt: values.now })
      .returning();
    if (!row) throw new Error('insert into post_comments returned no row');
    return row;
  }

  /** Moves the post's comments_count; false when the post is gone. */
  async moveCommentsCount(postId: string, delta: number): Promise<boolean> {
    const rows = await queryRows(this.db, sql`update posts set comments_count = comments_count + ${delta} where id = ${postId} returning id`);
    return rows.length > 0;
  }

  /** Moves a comment's replies_count; false when the comment is gone. */
  async moveRepliesCount(commentId: string, delta: number): Promise<boolean> {
    const rows = await queryRows(
      this.db,
      sql`update post_comments set replies_count = replies_count + ${delta} where id = ${commentId} returning id`,
    );
    return rows.length > 0;
  }

  /**
   * Locks a comment for deletion: a reply being written concurrently (its foreign-key check takes a
   * KEY SHARE lock on the parent) either commits first and is counted, or waits and then fails.
   */
  async lockForDelete(commentId: string): Promise<CommentRef | undefined> {
    const [row] = await queryRows<Record<string, unknown>>(
      this.db,
      sql`select id, post_id, user_id, parent_comment_id from post_comments where id = ${commentId} for update`,
    );
    return row ? toCommentRef(row) : undefined;
  }

  /** Deletes a comment and its replies; returns how many comments were deleted. */
  async deleteWithReplies(commentId: string): Promise<number> {
    const rows = await queryRows(
      this.db,
      sql`delete from post_comments where id = ${commentId} or parent_comment_id = ${commentId} returning id`,
    );
    return rows.length;
  }

  async updateContent(commentId: string, content: string, now: Date): Promise<void> {
    await this.db.execute(sql`update post_comments set content = ${content}, updated_at = ${now.toISOString()} where id = ${commentId}`);
  }

  async findView(viewerId: string, commentId: string): Promise<CommentViewRow | undefined> {
    const [row] = await queryRows<Record<string, unknown>>(
      this.db,
      sql`select ${COMMENT_COLUMNS(viewerId)} from post_comments c join users u on u.id = c.user_id where c.id = ${commentId}`,
    );
    return row ? toCommentView(row) : undefined;
  }

  /** A page of top-level comments, oldest first (authors blocked with the viewer left out), and their total. */
  async topLevelPage(viewerId: string, postId: string, limit: number, offset: number): Promise<Page<CommentViewRow>> {
    const where = sql`where c.post_id = ${postId} and c.parent_comment_id is null
      and not ${blockedEitherWay(viewerId, sql.raw('c.user_id'))}`;
    const rows = await queryRows<Record<string, unknown>>(
      this.db,
      sql`select ${COMMENT_COLUMNS(viewerId)} from post_comments c join users u on u.id = c.user_id ${where}
        order by c.created_at asc, c.id asc limit ${limit} offset ${offset}`,
    );
    const [counted] = await queryRows<{ n: number }>(this.db, sql`select count(*)::int as n from post_comments c ${where}`);
    return { items: rows.map(toCommentView), total: Number(counted?.n ?? 0) };
  }

  /** The first `perParent` replies (oldest first) of each given comment, in one query. */
  async firstReplies(viewerId: string, parentIds: string[], perParent: number): Promise<CommentViewRow[]> {
    if (parentIds.length === 0) return [];
    const ids = sql.join(
      parentIds.map((id) => sql`${id}::uuid`),
      sql`, `,
    );
    const rows = await queryRows<Record<string, unknown>>(
      this.db,
      sql`select * from (
          select ${COMMENT_COLUMNS(viewerId)},
            row_number() over (partition by c.parent_comment_id order by c.created_at asc, c.id asc) as rn
          from post_comments c join users u on u.id = c.user_id
          where c.parent_comment_id in (${ids}) and not ${blockedEitherWay(viewerId, sql.raw('c.user_id'))}
        ) r where r.rn <= ${perParent} order by r.created_at asc, r.id asc`,
    );
    return rows.map(toCommentView);
  }
}
