/**
 * The privacy rules (plan 3.1, 3.7) as truth tables. The decisions are made in SQL, by the
 * predicates of privacy.sql.ts (`maySeeUser`, `maySeeFullProfile`, `mayMessage`), inside the query
 * that loads the object; privacy.sql.test.ts checks every combination of relationship, setting and
 * account state against these functions. Who may send a friend request exists in SQL only
 * (`friendRequestAllowed`).
 */

import type { MessageAudience, ProfileVisibility } from './privacy.vocabulary.js';

export interface Relationship {
  isSelf: boolean;
  areFriends: boolean;
  blockedEitherWay: boolean;
  /** An active or paused accountability partnership. */
  arePartners: boolean;
  mutualFriends: number;
}

/** Whether the viewer may know the user exists at all (blocks hide both sides from each other). */
export function canSeeUser(rel: Relationship): boolean {
  return rel.isSelf || !rel.blockedEitherWay;
}

/** Whether the viewer may see the full profile rather than only the card. */
export function canSeeFullProfile(rel: Relationship, visibility: ProfileVisibility): boolean {
  if (rel.isSelf) return true;
  if (rel.blockedEitherWay) return false;
  if (visibility === 'everyone') return true;
  if (visibility === 'friends_only') return rel.areFriends;
  return false;
}

/** Whether the viewer may message the target directly, under the target's setting. */
export function canMessage(rel: Relationship, audience: MessageAudience): boolean {
  if (rel.isSelf || rel.blockedEitherWay) return false;
  return audience === 'everyone' || rel.areFriends;
}
