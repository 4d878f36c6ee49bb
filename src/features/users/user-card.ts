import { Type } from 'typebox';
import { NullableString, Uuid } from '../../http/schemas.js';

/**
 * A user's public card: what every list, event and message shows of a person (author, actor,
 * sender, liker, partner, participant). The users feature owns the users table, so the card is
 * stated here once; other features import this file to type, map and document the cards they read
 * (a legitimate cross-feature import: it is the users feature's public read shape, not its repo).
 * A feature whose card carries more extends it (friends: `can_send_friend_request`; friend lists:
 * `is_online`, `mutual_friends_count`), keeping these four fields first and unchanged.
 */
export interface UserCard {
  id: string;
  username: string;
  fullName: string;
  profileImageUrl: string | null;
}

/** The card's JSON fields, for schemas that show a card or extend one (`{ ...USER_CARD_FIELDS, liked_at }`). */
export const USER_CARD_FIELDS = {
  id: Uuid,
  username: Type.String(),
  full_name: Type.String(),
  profile_image_url: NullableString,
};

/** The card as its own component (`UserSummary` in the OpenAPI document). */
export const UserSummary = Type.Object(USER_CARD_FIELDS, { title: 'UserSummary' });

/** The card's JSON (snake_case, as the plan names the fields). */
export function toUserCardJson(card: UserCard) {
  return { id: card.id, username: card.username, full_name: card.fullName, profile_image_url: card.profileImageUrl };
}

/** A card from a raw SQL row that selected `id, username, full_name, profile_image_url`. */
export function userCardOf(row: Record<string, unknown>): UserCard {
  return {
    id: String(row.id),
    username: String(row.username),
    fullName: String(row.full_name),
    profileImageUrl: (row.profile_image_url as string | null) ?? null,
  };
}
