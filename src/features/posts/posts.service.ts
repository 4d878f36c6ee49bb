import { randomUUID } from 'node:crypto';
import type { EventBus } from '../../infra/bus/event-bus.js';
import type { Clock } from '../../infra/clock/clock.js';
import { inTransaction, type Database } from '../../infra/db/database.js';
import { isPrivateKey } from '../../infra/storage/storage.js';
import type { Page } from '../../lib/page.js';
import type { MediaService, RekeyedMedia, UploadedFile } from '../media/media.service.js';
import type { UserCard } from '../users/user-card.js';
import { userNotFound } from '../users/users.errors.js';
import { invalidGoal, notPostAuthor, postContentRequired, postNotFound, postUpdateConflict } from './posts.errors.js';
import { mayEditPost, postMediaIsPublic } from './posts.policy.js';
import type { PostVisibility } from './posts.vocabulary.js';
import { PostReadsRepo, type PostViewRow, type PostWithAccess } from './posts.reads.repo.js';
import { PostsRepo } from './posts.repo.js';
import './posts.events.js';

export interface CreatePostInput {
  caption: string | null;
  goalId: string | null;
  visibility: PostVisibility;
  /** The uploaded file, if any; `allowVideo` for the `video` field. */
  file?: { upload: UploadedFile; allowVideo: boolean };
}

export interface PostPatch {
  caption?: string | null;
  visibility?: PostVisibility;
  isArchived?: boolean;
}

/** Attempts of an update that re-keys media before it gives up on concurrent re-keyings (409). */
const REKEY_ATTEMPTS = 3;

/**
 * Posts ("memories"): create with media, read under the visibility rule, edit, archive, delete.
 * Media URLs in what it returns are ready for the viewer: public URLs of public posts, signed
 * short-lived URLs otherwise (docs/media.md).
 */
export class PostsService {
  private readonly queries: PostReadsRepo;

  constructor(
    private readonly database: Database,
    private readonly bus: EventBus,
    private readonly clock: Clock,
    private readonly media: MediaService,
  ) {
    this.queries = new PostReadsRepo(database.db);
  }

  /**
   * Creates a post. The media are stored first under `posts/{id}/` — `private/posts/{id}/` unless the
   * post is public — (the id is chosen here), then the row and the author's photos_shared change in
   * one transaction; if that fails the media are deleted.
   */
  async create(callerId: string, input: CreatePostInput): Promise<PostViewRow> {
    const caption = input.caption?.trim() ? input.caption : null;
    if (!caption && !input.file) throw postContentRequired();
    const author = await this.queries.userCard(callerId);
    if (!author) throw userNotFound();
    const goalTitle = input.goalId ? await this.queries.activeGoalTitle(callerId, input.goalId) : undefined;
    if (input.goalId && goalTitle === undefined) throw invalidGoal();

    const postId = randomUUID();
    const now = this.clock.now();
    const stored = input.file
      ? await this.media.store('post', postId, input.file.upload, {
          allowVideo: input.file.allowVideo,
          access: postMediaIsPublic(input.visibility, false) ? 'public' : 'private',
        })
      : undefined;
    const postType = stored ? (stored.mediaType === 'video' ? 'video' : 'photo') : 'text';
    let row;
    try {
      row = await inTransaction(this.database, async (tx) => {
        const repo = new PostsRepo(tx);
        const inserted = await repo.insert({
          id: postId,
          userId: callerId,
          caption,
          postType,
          goalId: input.goalId,
          mediaUrl: stored?.ref ?? null,
          mediaThumbnailUrl: stored?.thumbnailRef ?? null,
          mediaWidth: stored?.width ?? null,
          mediaHeight: stored?.height ?? null,
          visibility: input.visibility,
          createdAt: now,
          updatedAt: now,
        });
        if (postType === 'photo') await repo.movePhotosShared(callerId, 1);
        await this.bus.publish(tx, 'post.created', {
          postId,
          author,
          postType,
          visibility: input.visibility,
          goalId: input.goalId,
          at: now.toISOString(),
        });
        return inserted;
      });
    } catch (err) {
      if (stored) await this.media.removeAll('post', postId);
      // The goal was deleted (foreign key) or left between the check and the insert.
      if (input.goalId && (await this.queries.activeGoalTitle(callerId, input.goalId)) === undefined) throw invalidGoal();
      throw err;
    }

    return this.withMediaUrls({
      id: row.id,
      author,
      caption: row.caption,
      postType,
      goal: input.goalId && goalTitle !== undefined ? { id: input.goalId, title: goalTitle } : null,
      mediaUrl: row.mediaUrl,
      mediaThumbnailUrl: row.mediaThumbnailUrl,
      mediaWidth: row.mediaWidth,
      mediaHeight: row.mediaHeight,
      visibility: input.visibility,
      likesCount: 0,
      commentsCount: 0,
      isArchived: false,
      isLikedByMe: false,
      createdAt: row.createdAt,
      updatedAt: row.updatedAt,
    });
  }

  /**
   * The post if the viewer may see it (`postVisibleTo`, decided in the statement that loads it), else
   * 404 post_not_found (the same as an unknown id).
   */
  async visible(viewerId: string, postId: string): Promise<PostWithAccess> {
    const found = await this.queries.findWithAccess(viewerId, postId);
    if (!found?.visible) throw postNotFound();
    return found;
  }

  /** The post for a viewer who may see it, with its media URLs. */
  async get(viewerId: string, postId: string): Promise<PostViewRow> {
    return this.withMediaUrls((await this.visible(viewerId, postId)).post);
  }

  /**
   * The author edits caption, visibility or archived state; others: 404 if invisible, else 403.
   * When the change makes the media's access change (public ↔ not visible to everyone), the media
   * are copied to new random keys of the other kind, the row is pointed at them, and the old
   * objects are deleted: the URLs handed out before stop working (404).
   */
  async update(callerId: string, postId: string, patch: PostPatch): Promise<PostViewRow> {
    for (let attempt = 1; ; attempt += 1) {
      const { post, facts } = await this.visible(callerId, postId);
      if (!mayEditPost(facts)) throw notPostAuthor();
      const values: PostPatch = { ...patch };
      if (patch.caption !== undefined) values.caption = patch.caption?.trim() ? patch.caption : null;
      const nextCaption = values.caption !== undefined ? values.caption : post.caption;
      if (post.postType === 'text' && !nextCaption) throw postContentRequired();
      const rekeyed = await this.rekeyForAccess(post, values.visibility ?? post.visibility, values.isArchived ?? post.isArchived);
      const repo = new PostsRepo(this.database.db);
      let updated;
      try {
        updated = rekeyed
          ? await repo.update(postId, { ...values, mediaUrl: rekeyed.refs[0], mediaThumbnailUrl: rekeyed.refs[1] }, this.clock.now(), post.mediaUrl)
          : await repo.update(postId, values, this.clock.now());
      } catch (err) {
        await rekeyed?.discardCopies();
        throw err;
      }
      if (!updated && rekeyed) {
        // Deleted, or re-keyed by a concurrent update since it was read: try again on the new state.
        await rekeyed.discardCopies();
        if (attempt < REKEY_ATTEMPTS) continue;
        throw postUpdateConflict();
      }
      if (!updated) throw postNotFound();
      if (rekeyed) await retryOnce(() => rekeyed.removeOriginals());
      return this.get(callerId, postId);
    }
  }

  /**
   * The post's media moved to keys of the access its next state calls for, or undefined when they
   * already have it (or there are none). Also heals rows from before private keys existed: a
   * friends-only post whose media still have public URLs is re-keyed on its next edit.
   */
  private async rekeyForAccess(post: PostViewRow, visibility: PostVisibility, isArchived: boolean): Promise<RekeyedMedia | undefined> {
    if (post.mediaUrl === null) return undefined;
    const wantPublic = postMediaIsPublic(visibility, isArchived);
    if (wantPublic === !isPrivateKey(post.mediaUrl)) return undefined;
    const rekeyed = await this.media.changeAccess('post', post.id, [post.mediaUrl, post.mediaThumbnailUrl], wantPublic ? 'public' : 'private');
    return rekeyed.refs[0] === post.mediaUrl ? undefined : rekeyed;
  }

  /**
   * Moves the media of every post that not everyone may see but whose media still have public URLs
   * (rows from before private media keys) to private keys; the old URLs then 404. Idempotent; for
   * `npm run media:secure` (docs/media.md). Returns how many posts moved.
   */
  async secureLegacyMedia(batchSize = 100): Promise<number> {
    const repo = new PostsRepo(this.database.db);
    let moved = 0;
    let after: string | undefined;
    for (;;) {
      const batch = await repo.withMisplacedPublicMedia(after, batchSize);
      for (const post of batch) {
        const refs = [post.mediaUrl, post.mediaThumbnailUrl];
        const from = post.mediaUrl!;
        if (await this.media.moveTo('private', 'post', post.id, refs, ([url, thumb]) => repo.moveMedia(post.id, from, url ?? null, thumb ?? null))) {
          moved += 1;
        }
      }
      if (batch.length < batchSize) return moved;
      after = batch[batch.length - 1]!.id;
    }
  }

  /** The author deletes the post: likes and comments cascade, photos_shared drops, media are removed. */
  async delete(callerId: string, postId: string): Promise<void> {
    const { facts } = await this.visible(callerId, postId);
    if (!mayEditPost(facts)) throw notPostAuthor();
    const deleted = await inTransaction(this.database, async (tx) => {
      const repo = new PostsRepo(tx);
      const row = await repo.delete(postId);
      if (row?.postType === 'photo') await repo.movePhotosShared(row.userId, -1);
      if (row) await this.bus.publish(tx, 'post.deleted', { postId, authorId: row.userId, at: this.clock.now().toISOString() });
      return row;
    });
    if (!deleted) throw postNotFound();
    await this.media.removeAll('post', postId);
  }

  /** A user's non-archived posts the viewer may see, newest first (404 user_not_found for unknown or blocked users). */
  async listOfUser(viewerId: string, userId: string, page: number, limit: number): Promise<Page<PostViewRow>> {
    if (!(await this.queries.userVisible(viewerId, userId))) throw userNotFound();
    const result = await this.queries.pageOfUser(viewerId, userId, limit, (page - 1) * limit);
    return { items: await Promise.all(result.items.map((p) => this.withMediaUrls(p))), total: result.total };
  }

  /** The view with its media references turned into URLs (signed for private media). */
  private withMediaUrls(post: PostViewRow): Promise<PostViewRow> {
    return this.media.links.resolve(post, ['mediaUrl', 'mediaThumbnailUrl']);
  }

  /** The caller's card (for events of other use cases). */
  async card(userId: string): Promise<UserCard> {
    const card = await this.queries.userCard(userId);
    if (!card) throw userNotFound();
    return card;
  }
}

/** Runs `task`, and once more if it fails (a storage hiccup right after a successful copy). */
async function retryOnce(task: () => Promise<void>): Promise<void> {
  try {
    await task();
  } catch {
    await task();
  }
}
