/** Helpers of the memories feed tests (not a test file itself). */
import { sql } from 'drizzle-orm';
import type { AppContext } from '../../context.js';
import type { TestUser } from '../../../test/factories.js';
import { postVisibleTo } from '../privacy/post-visibility.sql.js';

export interface PostSeed {
  visibility?: 'public' | 'friends' | 'private';
  /** Seconds before `now`. */
  ageSeconds?: number;
  /** Microseconds added to the timestamp (to create ties within a millisecond). */
  micros?: number;
  archived?: boolean;
  goalId?: string | null;
  likes?: number;
  comments?: number;
  caption?: string;
}

/**
 * Inserts a post row as the posts feature would write it and fans it out to the friends inbox as
 * its post.created subscription would; returns its id. `now` is the test clock's instant.
 */
export async function insertPost(ctx: AppContext, author: TestUser, now: Date, seed: PostSeed = {}): Promise<string> {
  const at = new Date(now.getTime() - (seed.ageSeconds ?? 0) * 1000).toISOString();
  const result = (await ctx.database.db.execute(sql`insert into posts
      (user_id, caption, post_type, goal_id, media_url, media_thumbnail_url, visibility, likes_count, comments_count, is_archived, created_at)
    values (${author.id}, ${seed.caption ?? 'a memory'}, 'photo', ${seed.goalId ?? null}, 'https://cdn.test/p.jpg', 'https://cdn.test/p_thumb.jpg',
      ${seed.visibility ?? 'friends'}, ${seed.likes ?? 0}, ${seed.comments ?? 0}, ${seed.archived ?? false},
      ${at}::timestamptz + ${seed.micros ?? 0} * interval '1 microsecond')
    returning id`)) as unknown as { rows: Array<{ id: string }> };
  const id = result.rows[0]?.id;
  if (!id) throw new Error('insertPost: no id');
  await ctx.services.friendsInbox.postCreated(id); // what the post.created subscription does
  return id;
}

export async function likePost(ctx: AppContext, who: TestUser, postId: string): Promise<void> {
  await ctx.database.db.execute(sql`insert into post_likes (post_id, user_id) values (${postId}, ${who.id})`);
}

export async function deactivate(ctx: AppContext, who: TestUser): Promise<void> {
  await ctx.database.db.execute(sql`update users set is_active = false, deactivated_at = now() where id = ${who.id}`);
}

export async function joinGoal(ctx: AppContext, who: TestUser, goalId: string, left = false): Promise<void> {
  await ctx.database.db.execute(
    sql`insert into goal_participants (goal_id, user_id, role, left_at) values (${goalId}, ${who.id}, 'member', ${left ? sql`now()` : sql`null`})`,
  );
}

/** How many of `postIds` THE post visibility rule (postVisibleTo) would NOT show `viewer` (or are archived). */
export async function countNotVisible(ctx: AppContext, viewerId: string, postIds: string[]): Promise<number> {
  if (postIds.length === 0) return 0;
  const result = (await ctx.database.db.execute(sql`select count(*)::int as n from posts p
    where p.id = any(${`{${postIds.join(',')}}`}::uuid[]) and (p.is_archived or not ${postVisibleTo(viewerId, 'p')})`)) as unknown as {
    rows: Array<{ n: number }>;
  };
  return Number(result.rows[0]?.n ?? 0);
}
