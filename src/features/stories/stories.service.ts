import { randomUUID } from 'node:crypto';
import type { EventBus } from '../../infra/bus/event-bus.js';
import type { Clock } from '../../infra/clock/clock.js';
import { inTransaction, type Database } from '../../infra/db/database.js';
import type { Page } from '../../lib/page.js';
import type { MediaService, UploadedFile } from '../media/media.service.js';
import type { MediaType } from '../media/media.vocabulary.js';
import { mediaTypeMismatch, notStoryOwner, storyNotFound } from './stories.errors.js';
import { StoriesRepo, type StoryViewerRow, type TrayStoryRow } from './stories.repo.js';
import './stories.events.js';

/** Stories live 24 hours (plan 4.6). */
export const STORY_LIFETIME_MS = 24 * 60 * 60 * 1000;
export const CLEANUP_BATCH = 500;
const MEDIA_DELETE_CONCURRENCY = 20;

export interface NewStoryInput {
  file: UploadedFile;
  /** What the client says the file is; must match what it really is. */
  mediaType?: MediaType;
  /** Seconds shown, 1–60 (validated by the route). */
  duration: number;
}

export interface StoryGroup {
  user: { id: string; username: string; fullName: string | null; profileImageUrl: string | null };
  stories: TrayStoryRow[];
  hasUnviewed: boolean;
}

export interface StoriesLogger {
  warn(obj: object, msg: string): void;
}

/** Orders the tray: own group, then groups with unviewed stories, then the rest; each by its newest story, newest first. */
export function groupTray(viewerId: string, rows: TrayStoryRow[]): StoryGroup[] {
  const groups = new Map<string, StoryGroup>();
  for (const row of rows) {
    let group = groups.get(row.userId);
    if (!group) {
      group = {
        user: { id: row.userId, username: row.username, fullName: row.fullName, profileImageUrl: row.profileImageUrl },
        stories: [],
        hasUnviewed: false,
      };
      groups.set(row.userId, group);
    }
    group.stories.push(row);
    if (!row.viewedByMe) group.hasUnviewed = true;
  }
  const newest = (g: StoryGroup) => Math.max(...g.stories.map((s) => s.createdAt.getTime()));
  for (const g of groups.values()) g.stories.sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || a.id.localeCompare(b.id));
  const rank = (g: StoryGroup) => (g.user.id === viewerId ? 0 : g.hasUnviewed ? 1 : 2);
  return [...groups.values()].sort((a, b) => rank(a) - rank(b) || newest(b) - newest(a) || a.user.id.localeCompare(b.user.id));
}

/**
 * Stories: posting, the friends' tray, views, deletion and expiry. The writer of `stories` and
 * `story_views`. Story media are private: what it returns carries signed, short-lived URLs.
 */
export class StoriesService {
  private readonly repo: StoriesRepo;

  constructor(
    private readonly database: Database,
    private readonly bus: EventBus,
    private readonly clock: Clock,
    private readonly media: MediaService,
    private readonly logger: StoriesLogger,
  ) {
    this.repo = new StoriesRepo(database.db);
  }

  /** Stores the media under `private/stories/{id}/`, then the row; a failed insert removes the media again. */
  async create(userId: string, input: NewStoryInput): Promise<TrayStoryRow> {
    const id = randomUUID();
    const stored = await this.media.store('story', id, input.file, { allowVideo: true });
    try {
      if (input.mediaType && input.mediaType !== stored.mediaType) throw mediaTypeMismatch(input.mediaType, stored.mediaType);
      const now = this.clock.now();
      const row = await inTransaction(this.database, async (tx) => {
        const inserted = await new StoriesRepo(tx).insert({
          id,
          userId,
          mediaUrl: stored.ref,
          mediaThumbnailUrl: stored.thumbnailRef,
          mediaType: stored.mediaType,
          duration: input.duration,
          expiresAt: new Date(now.getTime() + STORY_LIFETIME_MS),
          createdAt: now,
        });
        await this.bus.publish(tx, 'story.created', {
          storyId: inserted.id,
          userId,
          mediaType: stored.mediaType,
          expiresAt: inserted.expiresAt.toISOString(),
          at: now.toISOString(),
        });
        return inserted;
      });
      // Read back as GET /stories/:storyId shows it, so the 201 has the same shape.
      return await this.get(userId, row.id);
    } catch (err) {
      await this.media.removeAll('story', id).catch((e: unknown) => this.logger.warn({ err: e, storyId: id }, 'story media cleanup failed'));
      throw err;
    }
  }

  /** The caller's tray: own and friends' unexpired stories grouped by author (see groupTray). */
  async tray(viewerId: string): Promise<StoryGroup[]> {
    const rows = await this.repo.listTray(viewerId, this.clock.now());
    return groupTray(viewerId, await this.media.links.resolveAll(rows, ['mediaUrl', 'mediaThumbnailUrl']));
  }

  /** One story the caller may see (owner or friend, unexpired); 404 otherwise. */
  async get(viewerId: string, storyId: string): Promise<TrayStoryRow> {
    const story = await this.repo.findVisible(viewerId, storyId, this.clock.now());
    if (!story) throw storyNotFound();
    return this.media.links.resolve(story, ['mediaUrl', 'mediaThumbnailUrl']);
  }

  /** Records the caller's view once (never the owner's own); publishes story.viewed on a new view. */
  async view(viewerId: string, storyId: string): Promise<void> {
    const now = this.clock.now();
    const story = await this.repo.findVisible(viewerId, storyId, now);
    if (!story) throw storyNotFound();
    if (story.userId === viewerId) return;
    await inTransaction(this.database, async (tx) => {
      if (await new StoriesRepo(tx).recordView(storyId, viewerId, now)) {
        await this.bus.publish(tx, 'story.viewed', { storyId, ownerId: story.userId, viewerId, at: now.toISOString() });
      }
    });
  }

  /** A page of the story's viewers, newest first; only its owner may ask (others 404). */
  async viewers(ownerId: string, storyId: string, page: number, limit: number): Promise<Page<StoryViewerRow>> {
    const story = await this.repo.findVisible(ownerId, storyId, this.clock.now());
    if (story?.userId !== ownerId) throw storyNotFound();
    return this.repo.listViewers(ownerId, storyId, limit, (page - 1) * limit);
  }

  /**
   * Moves the media of every story that still has public URLs (from before stories were private
   * media) to private keys; the old URLs then 404. Idempotent; for `npm run media:secure`. Returns how many moved.
   */
  async secureLegacyMedia(batchSize = 100): Promise<number> {
    let moved = 0;
    let after: string | undefined;
    for (;;) {
      const batch = await this.repo.withPublicMedia(after, batchSize);
      for (const s of batch) {
        const refs = [s.mediaUrl, s.mediaThumbnailUrl];
        if (await this.media.moveTo('private', 'story', s.id, refs, ([url, thumb]) => this.repo.moveMedia(s.id, s.mediaUrl, url!, thumb ?? null))) moved += 1;
      }
      if (batch.length < batchSize) return moved;
      after = batch[batch.length - 1]!.id;
    }
  }

  /** Deletes the caller's story: its media first, then the row (a failed media delete leaves the story to retry). */
  async delete(userId: string, storyId: string): Promise<void> {
    const story = await this.repo.findVisible(userId, storyId, this.clock.now());
    if (!story) throw storyNotFound();
    if (story.userId !== userId) throw notStoryOwner();
    await this.media.removeAll('story', storyId);
    await inTransaction(this.database, async (tx) => {
      if (await new StoriesRepo(tx).delete(storyId)) {
        await this.bus.publish(tx, 'story.deleted', { storyId, userId, at: this.clock.now().toISOString() });
      }
    });
  }

  /**
   * Deletes stories expired at `now`, in batches: each story's media first, then the rows of those
   * whose media is gone (views cascade). A story whose media could not be deleted is logged and kept,
   * so the next run retries it.
   */
  async removeExpired(now: Date, batchSize = CLEANUP_BATCH): Promise<{ removed: number; failed: number }> {
    let removed = 0;
    let failed = 0;
    let after: string | undefined;
    for (;;) {
      const batch = await this.repo.expiredBatch(now, after, batchSize);
      if (batch.length === 0) break;
      after = batch[batch.length - 1]!.id;
      const cleared: string[] = [];
      for (let i = 0; i < batch.length; i += MEDIA_DELETE_CONCURRENCY) {
        await Promise.all(
          batch.slice(i, i + MEDIA_DELETE_CONCURRENCY).map(async (s) => {
            try {
              await this.media.removeAll('story', s.id);
              cleared.push(s.id);
            } catch (err) {
              failed += 1;
              this.logger.warn({ err, storyId: s.id }, 'expired story media could not be deleted; retrying next run');
            }
          }),
        );
      }
      removed += await inTransaction(this.database, async (tx) => {
        const deleted = await new StoriesRepo(tx).deleteExpired(cleared, now);
        for (const s of deleted) await this.bus.publish(tx, 'story.deleted', { storyId: s.id, userId: s.userId, at: now.toISOString() });
        return deleted.length;
      });
      if (batch.length < batchSize) break;
    }
    return { removed, failed };
  }
}
