/**
 * Pure privacy rules shared by every feature (plan 3.1, 3.7). SQL twins live in privacy.sql.ts.
 * Who may send a friend request is decided in SQL only (privacy.sql.ts `friendRequestAllowed`), so
 * the flag on a list of cards and the request endpoint share one statement of the rule.
 */

export type ProfileVisibility = 'everyone' | 'friends_only' | 'private';
export type FriendRequestAudience = 'everyone' | 'friends_of_friends' | 'no_one';
export type MessageAudience = 'everyone' | 'friends_only';

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
