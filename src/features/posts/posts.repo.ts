import { and, asc, eq, gt, isNotNull, isNull, ne, notLike, or, sql } from 'drizzle-orm';
import type { Db } from '../../infra/db/database.js';
import { posts, type NewPostRow, type PostRow } from './posts.tables.js';

export type PostUpdate = Partial<Pick<NewPostRow, 'caption' | 'visibility' | 'isArchived' | 'mediaUrl' | 'mediaThumbnailUrl'>>;

/** Every write on `posts` (and the photos_shared statistic, see below). */
export class PostsRepo {
  constructor(private readonly db: Db) {}

  async insert(values: NewPostRow): Promise<PostRow> {
    const [row] = await this.db.insert(posts).values(values).returning();
    if (!row) throw new Error('insert into posts returned no row');
    return row;
  }

  /**
   * Updates the post; with `expectedMediaUrl`, only if its media_url still is that (a compare-and-set
   * for re-keyed media, so a concurrent re-keying is not overwritten). Undefined when nothing changed.
   */
  async update(postId: string, values: PostUpdate, now: Date, expectedMediaUrl?: string | null): Promise<PostRow | undefined> {
    const media =
      expectedMediaUrl === undefined ? undefined : expectedMediaUrl === null ? isNull(posts.mediaUrl) : eq(posts.mediaUrl, expectedMediaUrl);
    const [row] = await this.db
      .update(posts)
      .set({ ...values, updatedAt: now })
      .where(and(eq(posts.id, postId), media))
      .returning();
    return row;
  }

  /**
   * Up to `limit` posts after `afterId` (id order) whose media still have public URLs although not
   * everyone may see them: rows from before private media keys (docs/media.md, `npm run media:secure`).
   */
  async withMisplacedPublicMedia(afterId: string | undefined, limit: number): Promise<Array<Pick<PostRow, 'id' | 'mediaUrl' | 'mediaThumbnailUrl'>>> {
    return this.db
      .select({ id: posts.id, mediaUrl: posts.mediaUrl, mediaThumbnailUrl: posts.mediaThumbnailUrl })
      .from(posts)
      .where(
        and(
          isNotNull(posts.mediaUrl),
          notLike(posts.mediaUrl, 'private/%'),
          or(ne(posts.visibility, 'public'), eq(posts.isArchived, true)),
          afterId ? gt(posts.id, afterId) : undefined,
        ),
      )
      .orderBy(asc(posts.id))
      .limit(limit);
  }

  /** Points the post at moved media, if its media_url still is `from` (updated_at unchanged: nothing the author did). */
  async moveMedia(postId: string, from: string, mediaUrl: string | null, mediaThumbnailUrl: string | null): Promise<boolean> {
    const rows = await this.db
      .update(posts)
      .set({ mediaUrl, mediaThumbnailUrl })
      .where(and(eq(posts.id, postId), eq(posts.mediaUrl, from)))
      .returning({ id: posts.id });
    return rows.length > 0;
  }

  /** Deletes the post (likes, comments and comment likes cascade); returns what was deleted. */
  async delete(postId: string): Promise<Pick<PostRow, 'id' | 'userId' | 'postType'> | undefined> {
    const [row] = await this.db
      .delete(posts)
      .where(eq(posts.id, postId))
      .returning({ id: posts.id, userId: posts.userId, postType: posts.postType });
    return row;
  }

  /**
   * Moves `users.photos_shared` of a user by `delta` (+1 a photo post, -1 its deletion). The one write
   * of this feature to another feature's table, on purpose: photos_shared is a denormalised statistic
   * of posts shown on the profile (like goals_achieved, which the goals feature keeps), and it must
   * change in the same transaction as the post row so it never drifts.
   */
  async movePhotosShared(userId: string, delta: 1 | -1): Promise<void> {
    await this.db.execute(sql`update users set photos_shared = greatest(0, photos_shared + ${delta}) where id = ${userId}`);
  }
}
