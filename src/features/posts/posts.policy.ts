/**
 * Pure rules of who may see and change a post. Who may SEE a post is decided in SQL, by
 * `postVisibleTo` (privacy/post-visibility.sql.ts), in the very query that loads the post or lists
 * posts; `mayViewPost` here is its truth table, which privacy/post-visibility.test.ts checks the SQL
 * against on every case.
 */

import type { PostVisibility } from './posts.vocabulary.js';

/** Everything the visibility rule reads about a viewer and a post: the inputs of the truth table. */
export interface PostAccessFacts {
  isAuthor: boolean;
  isArchived: boolean;
  visibility: PostVisibility;
  friendOfAuthor: boolean;
  blockedWithAuthor: boolean;
  /** The author's account is active (not deactivated or deleted). */
  authorActive: boolean;
}

/** What the use cases' rules need to know about a viewer and a post (loaded with the post). */
export type PostRoleFacts = Pick<PostAccessFacts, 'isAuthor'>;

/**
 * The truth table of `postVisibleTo`. Who may see a post: its author, always; nobody else sees an archived post or a post of a
 * deactivated account, and nobody blocked with the author (either way) sees any; otherwise everyone for `public`, the author's friends for
 * `friends`, and no one for `private`. Liking and commenting need exactly this.
 */
export function mayViewPost(f: PostAccessFacts): boolean {
  if (f.isAuthor) return true;
  if (f.isArchived || f.blockedWithAuthor || !f.authorActive) return false;
  if (f.visibility === 'public') return true;
  if (f.visibility === 'friends') return f.friendOfAuthor;
  return false;
}

/**
 * A post's media may have a public, CDN-cacheable URL only while everyone may see the post: it is
 * public and not archived. Otherwise they are private media, served through signed URLs.
 */
export function postMediaIsPublic(visibility: PostVisibility, isArchived: boolean): boolean {
  return visibility === 'public' && !isArchived;
}

/** Editing, archiving and deleting a post: its author only. */
export function mayEditPost(f: PostRoleFacts): boolean {
  return f.isAuthor;
}

/** Deleting a comment: its author, or the author of the post it is on. */
export function mayDeleteComment(callerId: string, commentAuthorId: string, postAuthorId: string): boolean {
  return callerId === commentAuthorId || callerId === postAuthorId;
}
