/** Pure privacy rules shared by every feature (plan 3.1, 3.7). */

export type ProfileVisibility = 'everyone' | 'friends_only' | 'private';

export interface Relationship {
  isSelf: boolean;
  areFriends: boolean;
  blockedEitherWay: boolean;
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
