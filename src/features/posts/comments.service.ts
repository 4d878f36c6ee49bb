import type { EventBus } from '../../infra/bus/event-bus.js';
import type { Clock } from '../../infra/clock/clock.js';
import { inTransaction, type Database } from '../../infra/db/database.js';
import { invalidField } from '../../lib/app-error.js';
import type { Page } from '../../lib/page.js';
import { CommentsRepo, vanishedTargetOf, type CommentViewRow } from './comments.repo.js';
import { commentNotFound, invalidParentComment, isPostNotFound, notCommentAuthor, postNotFound } from './posts.errors.js';
import { mayDeleteComment } from './posts.policy.js';
import type { PostsService } from './posts.service.js';
import './posts.events.js';

export const COMMENT_MAX = 1000;
/** How many replies each top-level comment of a list page carries (the rest: replies_count). */
export const FIRST_REPLIES = 3;

export interface CommentWithReplies extends CommentViewRow {
  replies: CommentViewRow[];
}

function cleanContent(content: string): string {
  const trimmed = content.trim();
  if (!trimmed) throw invalidField('validation_failed', 'content', 'must not be blank');
  if (trimmed.length > COMMENT_MAX) throw invalidField('validation_failed', 'content', `must be at most ${COMMENT_MAX} characters`);
  return trimmed;
}

const excerptOf = (content: string) => {
  const chars = [...content];
  return chars.length > 100 ? `${chars.slice(0, 99).join('')}…` : content;
};

/**
 * Comments and replies. One level of nesting: a reply to a reply is attached to its top-level
 * comment, so threads stay flat as the app shows them. comments_count of the post counts every
 * comment including replies; it and the parent's replies_count change in the comment's transaction.
 */
export class CommentsService {
  private readonly comments: CommentsRepo;

  constructor(
    private readonly database: Database,
    private readonly bus: EventBus,
    private readonly clock: Clock,
    private readonly posts: PostsService,
  ) {
    this.comments = new CommentsRepo(database.db);
  }

  async create(callerId: string, postId: string, input: { content: string; parentCommentId?: string | null }): Promise<CommentViewRow> {
    const content = cleanContent(input.content);
    const { post } = await this.posts.visible(callerId, postId);
    let parent: { id: string; userId: string } | undefined;
    if (input.parentCommentId) {
      // A comment whose author and the caller blocked each other is hidden from the caller: as if absent.
      const ref = await this.comments.findRefSeenBy(callerId, input.parentCommentId);
      if (!ref || ref.postId !== postId || ref.blockedWithViewer) throw invalidParentComment();
      if (ref.parentCommentId) {
        const top = await this.comments.findRefSeenBy(callerId, ref.parentCommentId);
        if (!top || top.blockedWithViewer) throw invalidParentComment();
        parent = { id: top.id, userId: top.userId };
      } else {
        parent = { id: ref.id, userId: ref.userId };
      }
    }
    const author = await this.posts.card(callerId);
    const now = this.clock.now();
    const at = now.toISOString();
    let row;
    try {
      row = await inTransaction(this.database, async (tx) => {
        const repo = new CommentsRepo(tx);
        const inserted = await repo.insert({ postId, userId: callerId, content, parentCommentId: parent?.id ?? null, now });
        if (!(await repo.moveCommentsCount(postId, 1))) throw postNotFound();
        if (parent && !(await repo.moveRepliesCount(parent.id, 1))) throw invalidParentComment();
        if (parent) {
          await this.bus.publish(tx, 'comment.replied', {
            postId,
            postAuthorId: post.author.id,
            commentId: inserted.id,
            parentCommentId: parent.id,
            parentAuthorId: parent.userId,
            replier: author,
            excerpt: excerptOf(content),
            at,
          });
        } else {
          await this.bus.publish(tx, 'post.commented', {
            postId,
            postAuthorId: post.author.id,
            commentId: inserted.id,
            commenter: author,
            excerpt: excerptOf(content),
            at,
          });
        }
        return inserted;
      });
    } catch (err) {
      // Only the post or the parent deleted meanwhile is an answer; anything else (an outage) propagates.
      const vanished = vanishedTargetOf(err);
      if (vanished === 'post') throw postNotFound();
      if (vanished === 'parent') throw invalidParentComment();
      throw err;
    }

    return {
      id: row.id,
      postId,
      author,
      content: row.content,
      parentCommentId: row.parentCommentId,
      likesCount: 0,
      repliesCount: 0,
      isLikedByMe: false,
      createdAt: row.createdAt,
      updatedAt: row.updatedAt,
    };
  }

  /** Top-level comments oldest first, each with its first replies: two queries per page. */
  async list(viewerId: string, postId: string, page: number, limit: number): Promise<Page<CommentWithReplies>> {
    await this.posts.visible(viewerId, postId);
    const top = await this.comments.topLevelPage(viewerId, postId, limit, (page - 1) * limit);
    const replies = await this.comments.firstReplies(viewerId, top.items.map((c) => c.id), FIRST_REPLIES);
    const byParent = new Map<string, CommentViewRow[]>();
    for (const r of replies) {
      const list = byParent.get(r.parentCommentId ?? '') ?? [];
      list.push(r);
      byParent.set(r.parentCommentId ?? '', list);
    }
    return { items: top.items.map((c) => ({ ...c, replies: byParent.get(c.id) ?? [] })), total: top.total };
  }

  /** The comment's author edits its content. */
  async update(callerId: string, commentId: string, rawContent: string): Promise<CommentViewRow> {
    const content = cleanContent(rawContent);
    const ref = await this.visibleComment(callerId, commentId);
    if (ref.userId !== callerId) throw notCommentAuthor();
    await this.comments.updateContent(commentId, content, this.clock.now());
    const view = await this.comments.findView(callerId, commentId);
    if (!view) throw commentNotFound();
    return view;
  }

  /** The comment's author or the post's author deletes it with its replies; counters drop by as many. */
  async delete(callerId: string, commentId: string): Promise<void> {
    const ref = await this.visibleComment(callerId, commentId);
    const { post } = await this.posts.visible(callerId, ref.postId);
    if (!mayDeleteComment(callerId, ref.userId, post.author.id)) throw notCommentAuthor();
    const done = await inTransaction(this.database, async (tx) => {
      const repo = new CommentsRepo(tx);
      // Parent before reply, always: a reply and its parent deleted at once must not deadlock.
      if (ref.parentCommentId) await repo.lockForDelete(ref.parentCommentId);
      const locked = await repo.lockForDelete(commentId);
      if (!locked) return false;
      const deleted = await repo.deleteWithReplies(commentId);
      await repo.moveCommentsCount(locked.postId, -deleted);
      if (locked.parentCommentId) await repo.moveRepliesCount(locked.parentCommentId, -1);
      return true;
    });
    if (!done) throw commentNotFound();
  }

  /** The comment if it exists on a post the caller may see, else 404 comment_not_found; other failures propagate. */
  private async visibleComment(callerId: string, commentId: string) {
    const ref = await this.comments.findRef(commentId);
    if (!ref) throw commentNotFound();
    try {
      await this.posts.visible(callerId, ref.postId);
    } catch (err) {
      if (isPostNotFound(err)) throw commentNotFound();
      throw err;
    }
    return ref;
  }
}
