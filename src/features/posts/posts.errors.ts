import { AppError, notFound, validationError } from '../../lib/app-error.js';

/** Unknown post, or one the caller may not see: the same answer, so existence never leaks. */
export const postNotFound = () => notFound('post_not_found', 'Post not found');
/** Unknown comment, or one on a post the caller may not see. */
export const commentNotFound = () => notFound('comment_not_found', 'Comment not found');

export const notPostAuthor = () => new AppError('forbidden', 'not_post_author', 'Only the post’s author may do this');
/** Another edit of the same post moved its media meanwhile, several times in a row. */
export const postUpdateConflict = () => new AppError('conflict', 'post_update_conflict', 'The post was changed meanwhile; try again');
export const notCommentAuthor = () =>
  new AppError('forbidden', 'not_comment_author', 'Only the comment’s author (or, for deletion, the post’s author) may do this');

export const invalidGoal = () =>
  validationError('invalid_goal', [{ field: 'goal_id', message: 'must be a goal you actively take part in' }]);
export const invalidParentComment = () =>
  validationError('invalid_parent_comment', [{ field: 'parent_comment_id', message: 'must be a comment on the same post' }]);
export const postContentRequired = () =>
  validationError('post_content_required', [{ field: 'caption', message: 'a post needs a caption, an image or a video' }]);

/**
 * True for the 404 `PostsService.visible` answers (an unknown post, or one the caller may not see),
 * and for nothing else: a database failure on the way must stay what it is (500/503), never 404.
 */
export function isPostNotFound(err: unknown): boolean {
  return err instanceof AppError && err.code === 'post_not_found';
}
