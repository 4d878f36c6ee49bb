import type { EventBus } from '../../infra/bus/event-bus.js';
import type { Clock } from '../../infra/clock/clock.js';
import { inTransaction, type Database } from '../../infra/db/database.js';
import type { Page } from '../../lib/page.js';
import { CommentsRepo } from './comments.repo.js';
import { commentNotFound, isPostNotFound, postNotFound } from './posts.errors.js';
import { LikesRepo, type LikeChange, type LikerRow } from './likes.repo.js';
import type { PostsService } from './posts.service.js';
import './posts.events.js';

export interface LikeResult {
  /** True when this request created the like (201), false when it already existed (200). */
  created: boolean;
  likesCount: number;
}

/**
 * Likes of posts and comments: idempotent, only for users who may see the post, counters exact
 * (see LikesRepo). Events are published only when a like really appeared or disappeared, in the
 * transaction of the like's statement.
 */
export class LikesService {
  private readonly likes: LikesRepo;
  private readonly comments: CommentsRepo;

  constructor(
    private readonly database: Database,
    private readonly bus: EventBus,
    private readonly clock: Clock,
    private readonly posts: PostsService,
  ) {
    this.likes = new LikesRepo(database.db);
    this.comments = new CommentsRepo(database.db);
  }

  async likePost(callerId: string, postId: string): Promise<LikeResult> {
    const { post } = await this.posts.visible(callerId, postId);
    const liker = await this.posts.card(callerId);
    const now = this.clock.now();
    return inTransaction(this.database, async (tx) => {
      const result = await this.guard(() => new LikesRepo(tx).likePost(postId, callerId, now), postNotFound);
      if (result.changed) await this.bus.publish(tx, 'post.liked', { postId, postAuthorId: post.author.id, liker, at: now.toISOString() });
      return { created: result.changed, likesCount: result.likesCount };
    });
  }

  async unlikePost(callerId: string, postId: string): Promise<void> {
    const { post } = await this.posts.visible(callerId, postId);
    await inTransaction(this.database, async (tx) => {
      const result = await new LikesRepo(tx).unlikePost(postId, callerId);
      if (result.changed) {
        await this.bus.publish(tx, 'post.unliked', { postId, postAuthorId: post.author.id, userId: callerId, at: this.clock.now().toISOString() });
      }
    });
  }

  async likers(viewerId: string, postId: string, page: number, limit: number): Promise<Page<LikerRow>> {
    await this.posts.visible(viewerId, postId);
    return this.likes.likersPage(viewerId, postId, limit, (page - 1) * limit);
  }

  /** Likes a comment the caller may see; one by a user blocked with the caller (either way) is 404 as if absent. */
  async likeComment(callerId: string, commentId: string): Promise<LikeResult> {
    const comment = await this.visibleComment(callerId, commentId);
    if (comment.blockedWithViewer) throw commentNotFound();
    const liker = await this.posts.card(callerId);
    const now = this.clock.now();
    return inTransaction(this.database, async (tx) => {
      const result = await this.guard(() => new LikesRepo(tx).likeComment(commentId, callerId, now), commentNotFound);
      if (result.changed) {
        await this.bus.publish(tx, 'comment.liked', { postId: comment.postId, commentId, commentAuthorId: comment.userId, liker, at: now.toISOString() });
      }
      return { created: result.changed, likesCount: result.likesCount };
    });
  }

  /** Removes the caller's like; allowed after a block too (withdrawing one's own like reaches nobody). */
  async unlikeComment(callerId: string, commentId: string): Promise<void> {
    await this.visibleComment(callerId, commentId);
    await this.likes.unlikeComment(commentId, callerId);
  }

  /**
   * The comment if it is on a post the caller may see (with whether its author and the caller
   * blocked each other), else 404; any other failure propagates.
   */
  private async visibleComment(callerId: string, commentId: string) {
    const comment = await this.comments.findRefSeenBy(callerId, commentId);
    if (!comment) throw commentNotFound();
    try {
      await this.posts.visible(callerId, comment.postId);
    } catch (err) {
      if (isPostNotFound(err)) throw commentNotFound();
      throw err;
    }
    return comment;
  }

  /**
   * Runs a like statement; the target deleted meanwhile (the repo answers no counter, see LikesRepo)
   * → 404, which also rolls back the transaction the statement ran in (a refused foreign key aborted it).
   */
  private async guard(run: () => Promise<LikeChange>, gone: () => Error): Promise<{ changed: boolean; likesCount: number }> {
    const result = await run();
    if (result.likesCount === undefined) throw gone();
    return { changed: result.changed, likesCount: result.likesCount };
  }
}
