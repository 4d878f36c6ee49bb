/**
 * Pure rules of who may see and change a post. The SQL twin of `mayViewPost` (for lists and the
 * feed) is `postVisibleTo` in posts.visibility.sql.ts; posts.visibility.test.ts keeps them in step.
 */

import type { PostVisibility } from './posts.vocabulary.js';

/** What the visibility rule needs to know about a viewer and a post (read in one query). */
export interface PostAccessFacts {
  isAuthor: boolean;
  isArchived: boolean;
  visibility: PostVisibility;
  friendOfAuthor: boolean;
  blockedWithAuthor: boolean;
  /** The author's account is active (not deactivated or deleted). */
  authorActive: boolean;
}

/**
 * Who may see a post: its author, always; nobody else sees an archived post or a post of a
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
export function mayEditPost(f: PostAccessFacts): boolean {
  return f.isAuthor;
}

/** Deleting a comment: its author, or the author of the post it is on. */
export function mayDeleteComment(callerId: string, commentAuthorId: string, postAuthorId: string): boolean {
  return callerId === commentAuthorId || callerId === postAuthorId;
}
