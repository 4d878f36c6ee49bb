import { sql } from 'drizzle-orm';
import type { Db } from '../../infra/db/database.js';
import { queryRows } from '../../infra/db/rows.js';
import { areFriends, arePartners, blockedEitherWay, maySeeFullProfile, maySeeUser, mutualFriendsCount } from './privacy.sql.js';

export interface RelationshipRow {
  areFriends: boolean;
  blockedEitherWay: boolean;
  arePartners: boolean;
  mutualFriends: number;
}

/** What a viewer may see of another user (a single-object check, for a 404 or a card-only answer). */
export interface AccessRow {
  /** The target is an active account and not blocked either way with the viewer (else: 404). */
  visible: boolean;
  /** The viewer may see the full profile (their friends, badges, stats), not only the card. */
  fullProfile: boolean;
}

export interface PrivacySettingsRow {
  profileVisibility: 'everyone' | 'friends_only' | 'private';
  onlineStatusVisible: boolean;
  appearInSuggestions: boolean;
  whoCanSendFriendRequests: 'everyone' | 'friends_of_friends' | 'no_one';
  whoCanSendMessages: 'everyone' | 'friends_only';
  shareActivityWithFriends: boolean;
}

/**
 * The social-graph facts every privacy decision needs, read in one statement across friendships,
 * blocked_users, accountability_partners, users and user_settings (a read model; those tables are
 * written by their own features).
 */
export class PrivacyRepo {
  constructor(private readonly db: Db) {}

  async relationship(viewerId: string, targetId: string): Promise<RelationshipRow> {
    const target = sql`${targetId}::uuid`;
    const [row] = await queryRows<{ are_friends: boolean; blocked: boolean; partners: boolean; mutual: number }>(
      this.db,
      sql`select
        ${areFriends(viewerId, target)} as are_friends,
        ${blockedEitherWay(viewerId, target)} as blocked,
        ${arePartners(viewerId, target)} as partners,
        ${mutualFriendsCount(viewerId, target)} as mutual`,
    );
    return {
      areFriends: row?.are_friends === true,
      blockedEitherWay: row?.blocked === true,
      arePartners: row?.partners === true,
      mutualFriends: Number(row?.mutual ?? 0),
    };
  }

  /**
   * What the viewer may see of the target, in one statement: whether the target is visible at all
   * (privacy.sql.ts `maySeeUser`: an active account, not blocked either way) and whether their full
   * profile is (`maySeeFullProfile`).
   */
  async accessTo(viewerId: string, targetId: string): Promise<AccessRow> {
    const target = sql`${targetId}::uuid`;
    const viewer = sql`${viewerId}::uuid`;
    const [row] = await queryRows<{ visible: boolean; full_profile: boolean }>(
      this.db,
      sql`select ${maySeeUser(viewer, target)} as visible, ${maySeeFullProfile(viewer, target)} as full_profile`,
    );
    const visible = row?.visible === true;
    return { visible, fullProfile: visible && row?.full_profile === true };
  }

  /** A user's privacy settings, with the plan's defaults where no settings row exists yet. */
  async settings(userId: string): Promise<PrivacySettingsRow | undefined> {
    const [row] = await queryRows<{
      profile_visibility: PrivacySettingsRow['profileVisibility'];
      online_status_visible: boolean;
      appear_in_suggestions: boolean;
      who_can_send_friend_requests: PrivacySettingsRow['whoCanSendFriendRequests'] | null;
      who_can_send_messages: PrivacySettingsRow['whoCanSendMessages'] | null;
      share_activity_with_friends: boolean | null;
    }>(
      this.db,
      sql`select u.profile_visibility, u.online_status_visible, u.appear_in_suggestions,
        s.who_can_send_friend_requests, s.who_can_send_messages, s.share_activity_with_friends
        from users u left join user_settings s on s.user_id = u.id where u.id = ${userId}`,
    );
    if (!row) return undefined;
    return {
      profileVisibility: row.profile_visibility,
      onlineStatusVisible: row.online_status_visible,
      appearInSuggestions: row.appear_in_suggestions,
      whoCanSendFriendRequests: row.who_can_send_friend_requests ?? 'friends_of_friends',
      whoCanSendMessages: row.who_can_send_messages ?? 'friends_only',
      shareActivityWithFriends: row.share_activity_with_friends ?? true,
    };
  }
}
