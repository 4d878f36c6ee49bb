import { eq, sql } from 'drizzle-orm';
import type { Db } from '../../infra/db/database.js';
import { posts, type NewPostRow, type PostRow } from './posts.tables.js';

export type PostUpdate = Partial<Pick<NewPostRow, 'caption' | 'visibility' | 'isArchived'>>;

/** Every write on `posts` (and the photos_shared statistic, see below). */
export class PostsRepo {
  constructor(private readonly db: Db) {}

  async insert(values: NewPostRow): Promise<PostRow> {
    const [row] = await this.db.insert(posts).values(values).returning();
    if (!row) throw new Error('insert into posts returned no row');
    return row;
  }

  async update(postId: string, values: PostUpdate, now: Date): Promise<PostRow | undefined> {
    const [row] = await this.db
      .update(posts)
      .set({ ...values, updatedAt: now })
      .where(eq(posts.id, postId))
      .returning();
    return row;
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
