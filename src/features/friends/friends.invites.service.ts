import type { Clock } from '../../infra/clock/clock.js';
import type { Database } from '../../infra/db/database.js';
import { violatedUniqueConstraint } from '../../infra/db/errors.js';
import { inviteNotFound, ownInviteCode } from './friends.errors.js';
import { newInviteCode, normalizeInviteCode } from './friends.invite-code.js';
import { FriendInvitesRepo } from './friends.invites.repo.js';
import type { FriendRequests } from './friends.requests.service.js';
import type { FriendInviteRow, FriendshipRow } from './friends.tables.js';

/** A fresh code colliding with a stored one (65 random bits) is retried this many times. */
const MAX_CODE_ATTEMPTS = 3;

/**
 * Personal invite codes (docs/ARCHITECTURE.md, "Friend invites"): each user has one code, created
 * on first ask and replaced on rotation; redeeming it sends its owner a friend request that the
 * owner's who_can_send_friend_requests setting does not gate, because the owner shared the code.
 */
export class FriendInvites {
  private readonly repo: FriendInvitesRepo;

  constructor(
    database: Database,
    private readonly clock: Clock,
    private readonly requests: FriendRequests,
  ) {
    this.repo = new FriendInvitesRepo(database.db);
  }

  /** The user's current invite code, created the first time it is asked for. */
  async current(userId: string): Promise<FriendInviteRow> {
    for (let attempt = 0; attempt < MAX_CODE_ATTEMPTS; attempt++) {
      const existing = await this.repo.findByUser(userId);
      if (existing) return existing;
      try {
        const created = await this.repo.insertIfAbsent(userId, newInviteCode(), this.clock.now());
        if (created) return created;
      } catch (err) {
        if (!violatedUniqueConstraint(err)) throw err;
      }
    }
    throw new Error('could not store an invite code');
  }

  /** Replaces the user's code with a new one; the old code stops working at once. */
  async rotate(userId: string): Promise<FriendInviteRow> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.repo.replace(userId, newInviteCode(), this.clock.now());
      } catch (err) {
        if (!violatedUniqueConstraint(err) || attempt + 1 >= MAX_CODE_ATTEMPTS) throw err;
      }
    }
  }

  /**
   * Sends the code's owner a friend request from `callerId`, or accepts the owner's pending request
   * to the caller (as POST /friends/requests does). Unknown, rotated and malformed codes, and an owner
   * who is inactive or blocked either way with the caller, all answer 404 invite_not_found alike.
   * The caller's own code: 422 own_invite_code. Already friends: 409 already_friends; a request the
   * caller already sent the owner: 409 friend_request_exists.
   */
  async redeem(callerId: string, code: string): Promise<FriendshipRow> {
    const normalized = normalizeInviteCode(code);
    if (!normalized) throw inviteNotFound();
    const ownerId = await this.repo.ownerOf(normalized);
    if (!ownerId) throw inviteNotFound();
    if (ownerId === callerId) throw ownInviteCode();
    return this.requests.sendViaInvite(callerId, ownerId, inviteNotFound);
  }
}
