import { sql, type SQL } from 'drizzle-orm';
import type { Db } from '../../infra/db/database.js';
import { queryRows } from '../../infra/db/rows.js';
import type { Page } from '../../lib/page.js';
import { leftJoinVisibleGoal } from '../privacy/goal-visibility.sql.js';
import { postVisibleTo } from '../privacy/post-visibility.sql.js';
import { activeAccountRow, maySeeUser } from '../privacy/privacy.sql.js';
import { userCardOf, type UserCard } from '../users/user-card.js';
import type { PostRoleFacts } from './posts.policy.js';
import type { PostType, PostVisibility } from './posts.vocabulary.js';


/** A post as every response shows it: author card, goal, counters and the viewer's like. */
export interface PostViewRow {
  id: string;
  author: UserCard;
  caption: string | null;
  postType: PostType;
  goal: { id: string; title: string } | null;
  mediaUrl: string | null;
  mediaThumbnailUrl: string | null;
  mediaWidth: number | null;
  mediaHeight: number | null;
  visibility: PostVisibility;
  likesCount: number;
  commentsCount: number;
  isArchived: boolean;
  isLikedByMe: boolean;
  createdAt: Date;
  updatedAt: Date;
}

export interface PostWithAccess {
  post: PostViewRow;
  /** What the use cases' rules (mayEditPost) need about the viewer. */
  facts: PostRoleFacts;
  /** `postVisibleTo` (privacy/post-visibility.sql.ts), decided in the statement that loads the post. */
  visible: boolean;
}

/** A row of POST_COLUMNS; post_type and visibility hold their vocabularies (the CHECKs say so). */
type RawPost = Record<string, unknown> & { post_type: PostType; visibility: PostVisibility };

const POST_COLUMNS = (viewerId: string): SQL => sql`p.id, p.user_id, p.caption, p.post_type, p.goal_id, g.title as goal_title,
  p.media_url, p.media_thumbnail_url, p.media_width, p.media_height, p.visibility, p.likes_count, p.comments_count,
  p.is_archived, p.created_at, p.updated_at, u.username, u.full_name, u.profile_image_url,
  exists (select 1 from post_likes ml where ml.post_id = p.id and ml.user_id = ${viewerId}) as is_liked_by_me`;
/** The post, its author, and its goal when the viewer may see that goal. */
const POST_FROM = (viewerId: string): SQL =>
  sql`from posts p join users u on u.id = p.user_id ${leftJoinVisibleGoal(viewerId, sql`p.goal_id`)}`;

function toPostView(r: RawPost): PostViewRow {
  return {
    id: String(r.id),
    author: {
      id: String(r.user_id),
      username: String(r.username),
      fullName: String(r.full_name),
      profileImageUrl: (r.profile_image_url as string | null) ?? null,
    },
    caption: (r.caption as string | null) ?? null,
    postType: r.post_type,
    goal: r.goal_id && r.goal_title != null ? { id: String(r.goal_id), title: String(r.goal_title) } : null,
    mediaUrl: (r.media_url as string | null) ?? null,
    mediaThumbnailUrl: (r.media_thumbnail_url as string | null) ?? null,
    mediaWidth: r.media_width == null ? null : Number(r.media_width),
    mediaHeight: r.media_height == null ? null : Number(r.media_height),
    visibility: r.visibility,
    likesCount: Number(r.likes_count),
    commentsCount: Number(r.comments_count),
    isArchived: Boolean(r.is_archived),
    isLikedByMe: Boolean(r.is_liked_by_me),
    createdAt: new Date(r.created_at as string | Date),
    updatedAt: new Date(r.updated_at as string | Date),
  };
}

/**
 * Read models of the posts feature: posts with their author card, goal and the viewer's like, and
 * whether the viewer may see them. They join `users`, `goals`, `goal_participants` and the
 * social-graph tables (reads only; DESIGN.md §3 allows read models to join across features).
 */
export class PostReadsRepo {
  constructor(private readonly db: Db) {}

  /** The post and whether the viewer may see it (`postVisibleTo`), in one statement. */
  async findWithAccess(viewerId: string, postId: string): Promise<PostWithAccess | undefined> {
    const [row] = await queryRows<RawPost>(
      this.db,
      sql`select ${POST_COLUMNS(viewerId)},
        ${postVisibleTo(viewerId, 'p')} as visible
        ${POST_FROM(viewerId)} where p.id = ${postId}`,
    );
    if (!row) return undefined;
    const post = toPostView(row);
    return {
      post,
      facts: { isAuthor: post.author.id === viewerId },
      visible: row.visible === true,
    };
  }

  /** One page of a user's non-archived posts that the viewer may see, newest first, and their total. */
  async pageOfUser(viewerId: string, userId: string, limit: number, offset: number): Promise<Page<PostViewRow>> {
    const where = sql`where p.user_id = ${userId} and not p.is_archived and ${postVisibleTo(viewerId, 'p')}`;
    const rows = await queryRows<RawPost>(
      this.db,
      sql`select ${POST_COLUMNS(viewerId)} ${POST_FROM(viewerId)} ${where} order by p.created_at desc, p.id desc limit ${limit} offset ${offset}`,
    );
    const [counted] = await queryRows<{ n: number }>(this.db, sql`select count(*)::int as n from posts p ${where}`);
    return { items: rows.map(toPostView), total: Number(counted?.n ?? 0) };
  }

  /** An active user's card (for responses and events). */
  async userCard(userId: string): Promise<UserCard | undefined> {
    const [row] = await queryRows<Record<string, unknown>>(
      this.db,
      sql`select u.id, u.username, u.full_name, u.profile_image_url from users u where u.id = ${userId} and ${activeAccountRow('u')}`,
    );
    return row ? userCardOf(row) : undefined;
  }

  /** Whether the viewer may see the user at all (privacy.sql.ts `maySeeUser`: active, not blocked either way). */
  async userVisible(viewerId: string, userId: string): Promise<boolean> {
    const [row] = await queryRows<{ ok: boolean }>(
      this.db,
      sql`select ${maySeeUser(sql`${viewerId}::uuid`, sql`${userId}::uuid`)} as ok`,
    );
    return Boolean(row?.ok);
  }

  /** The title of a goal the user actively takes part in (left_at null), else undefined. */
  async activeGoalTitle(userId: string, goalId: string): Promise<string | undefined> {
    const [row] = await queryRows<{ title: string }>(
      this.db,
      sql`select g.title from goals g join goal_participants gp on gp.goal_id = g.id
        where g.id = ${goalId} and gp.user_id = ${userId} and gp.left_at is null`,
    );
    return row?.title;
  }
}
