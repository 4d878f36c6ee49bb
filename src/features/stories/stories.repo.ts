import { and, asc, eq, gt, inArray, lte, notLike, sql, type SQL } from 'drizzle-orm';
import type { Db } from '../../infra/db/database.js';
import { queryRows } from '../../infra/db/rows.js';
import type { Page } from '../../lib/page.js';
import type { MediaType } from '../media/media.vocabulary.js';
import { activeAccountRow, blockedEitherWay, friendIdsOf } from '../privacy/privacy.sql.js';
import { storyVisibleTo } from '../privacy/story-visibility.sql.js';
import { stories, type NewStoryRow, type StoryRow } from './stories.tables.js';

/** A story in the caller's story tray, with its author's card and whether the caller saw it. */
export interface TrayStoryRow {
  id: string;
  userId: string;
  username: string;
  fullName: string | null;
  profileImageUrl: string | null;
  mediaUrl: string;
  mediaThumbnailUrl: string | null;
  mediaType: MediaType;
  duration: number;
  viewsCount: number;
  viewedByMe: boolean;
  expiresAt: Date;
  createdAt: Date;
}

export interface StoryViewerRow {
  id: string;
  username: string;
  fullName: string | null;
  profileImageUrl: string | null;
  viewedAt: Date;
}

const toDate = (v: unknown): Date => (v instanceof Date ? v : new Date(String(v)));

/** Every SQL statement on `stories` and `story_views`. */
export class StoriesRepo {
  constructor(private readonly db: Db) {}

  async insert(values: NewStoryRow): Promise<StoryRow> {
    const [row] = await this.db.insert(stories).values(values).returning();
    if (!row) throw new Error('insert into stories returned no row');
    return row;
  }

  /** The story (with its author's card) if `viewerId` may see it at `now`; undefined when unknown, expired, not a friend's or blocked. */
  async findVisible(viewerId: string, storyId: string, now: Date): Promise<TrayStoryRow | undefined> {
    const [row] = await this.select(viewerId, sql`s.id = ${storyId} and ${storyVisibleTo(viewerId, now)}`);
    return row;
  }

  /**
   * One query for the caller's tray: their own and their friends' unexpired stories (authors not
   * blocked either way), each with the author's card and whether the caller viewed it.
   */
  async listTray(viewerId: string, now: Date): Promise<TrayStoryRow[]> {
    return this.select(viewerId, sql`(s.user_id = ${viewerId} or s.user_id in ${friendIdsOf(viewerId)}) and ${storyVisibleTo(viewerId, now)}`);
  }

  private async select(viewerId: string, where: SQL): Promise<TrayStoryRow[]> {
    const rows = await queryRows<Record<string, unknown>>(
      this.db,
      sql`select s.id, s.user_id, u.username, u.full_name, u.profile_image_url, s.media_url, s.media_thumbnail_url,
          s.media_type, s.duration, s.views_count, (v.id is not null) as viewed_by_me, s.expires_at, s.created_at
        from stories s
        join users u on u.id = s.user_id
        left join story_views v on v.story_id = s.id and v.viewer_id = ${viewerId}
        where ${where}
        order by s.user_id, s.created_at, s.id`,
    );
    return rows.map((r) => ({
      id: String(r.id),
      userId: String(r.user_id),
      username: String(r.username),
      fullName: (r.full_name as string | null) ?? null,
      profileImageUrl: (r.profile_image_url as string | null) ?? null,
      mediaUrl: String(r.media_url),
      mediaThumbnailUrl: (r.media_thumbnail_url as string | null) ?? null,
      mediaType: r.media_type as MediaType,
      duration: Number(r.duration),
      viewsCount: Number(r.views_count),
      viewedByMe: r.viewed_by_me === true,
      expiresAt: toDate(r.expires_at),
      createdAt: toDate(r.created_at),
    }));
  }

  /**
   * Records `viewerId`'s view once and counts it in the same statement: the count rises only when
   * the insert really happened, so concurrent and repeated views stay exact. True on a new view.
   */
  async recordView(storyId: string, viewerId: string, now: Date): Promise<boolean> {
    const rows = await queryRows<{ id: string }>(
      this.db,
      sql`with inserted as (
          insert into story_views (story_id, viewer_id, viewed_at)
          select s.id, ${viewerId}, ${now.toISOString()}::timestamptz from stories s where s.id = ${storyId}
          on conflict (story_id, viewer_id) do nothing
          returning story_id)
        update stories set views_count = views_count + 1
        where id = (select story_id from inserted)
        returning id`,
    );
    return rows.length > 0;
  }

  /** A page of a story's viewers, newest first (viewers blocked either way with the owner left out), and their total. */
  async listViewers(ownerId: string, storyId: string, limit: number, offset: number): Promise<Page<StoryViewerRow>> {
    const where = sql`v.story_id = ${storyId} and ${activeAccountRow('u')} and not ${blockedEitherWay(ownerId, sql`v.viewer_id`)}`;
    const rows = await queryRows<Record<string, unknown>>(
      this.db,
      sql`select u.id, u.username, u.full_name, u.profile_image_url, v.viewed_at
        from story_views v join users u on u.id = v.viewer_id
        where ${where}
        order by v.viewed_at desc, v.id desc
        limit ${limit} offset ${offset}`,
    );
    const [count] = await queryRows<{ n: number }>(
      this.db,
      sql`select count(*)::int as n from story_views v join users u on u.id = v.viewer_id where ${where}`,
    );
    return {
      items: rows.map((r) => ({
        id: String(r.id),
        username: String(r.username),
        fullName: (r.full_name as string | null) ?? null,
        profileImageUrl: (r.profile_image_url as string | null) ?? null,
        viewedAt: toDate(r.viewed_at),
      })),
      total: Number(count?.n ?? 0),
    };
  }

  /** Up to `limit` stories after `afterId` (id order) whose media still have public URLs (from before stories were private media). */
  async withPublicMedia(afterId: string | undefined, limit: number): Promise<Array<Pick<StoryRow, 'id' | 'mediaUrl' | 'mediaThumbnailUrl'>>> {
    return this.db
      .select({ id: stories.id, mediaUrl: stories.mediaUrl, mediaThumbnailUrl: stories.mediaThumbnailUrl })
      .from(stories)
      .where(and(notLike(stories.mediaUrl, 'private/%'), afterId ? gt(stories.id, afterId) : undefined))
      .orderBy(asc(stories.id))
      .limit(limit);
  }

  /** Points the story at its moved media, if media_url still is `from`. */
  async moveMedia(storyId: string, from: string, mediaUrl: string, mediaThumbnailUrl: string | null): Promise<boolean> {
    const rows = await this.db
      .update(stories)
      .set({ mediaUrl, mediaThumbnailUrl })
      .where(and(eq(stories.id, storyId), eq(stories.mediaUrl, from)))
      .returning({ id: stories.id });
    return rows.length > 0;
  }

  async delete(storyId: string): Promise<boolean> {
    const rows = await this.db.delete(stories).where(eq(stories.id, storyId)).returning({ id: stories.id });
    return rows.length > 0;
  }

  /** Up to `limit` stories expired at `now`, after `afterId` in id order (keyset, so failures never stall a run). */
  async expiredBatch(now: Date, afterId: string | undefined, limit: number): Promise<Array<{ id: string; userId: string }>> {
    return this.db
      .select({ id: stories.id, userId: stories.userId })
      .from(stories)
      .where(and(lte(stories.expiresAt, now), afterId ? gt(stories.id, afterId) : undefined))
      .orderBy(asc(stories.id))
      .limit(limit);
  }

  /** Deletes the given stories if still expired at `now` and returns those it deleted; their views go by cascade. */
  async deleteExpired(ids: string[], now: Date): Promise<Array<{ id: string; userId: string }>> {
    if (ids.length === 0) return [];
    return this.db
      .delete(stories)
      .where(and(inArray(stories.id, ids), lte(stories.expiresAt, now)))
      .returning({ id: stories.id, userId: stories.userId });
  }
}
