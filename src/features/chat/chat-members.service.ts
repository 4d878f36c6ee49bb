import type { EventBus } from '../../infra/bus/event-bus.js';
import type { Clock } from '../../infra/clock/clock.js';
import { inTransaction, type Database } from '../../infra/db/database.js';
import {
  alreadyParticipants,
  conversationNotFound,
  directConversationFixed,
  groupFull,
  notConversationAdmin,
  participantNotFound,
  participantsNotFriends,
} from './chat.errors.js';
import type { ChatMediaOwnership } from './chat-media-ownership.js';
import { ChatPublisher, postSystemMessage } from './chat.publisher.js';
import { ConversationReadsRepo, VIEW_PARTICIPANTS_MAX, type ConversationView, type UserCardRow } from './conversations.reads.repo.js';
import { ConversationsRepo, type Membership } from './conversations.repo.js';

/** "Clarie", "Clarie and Derrick", "Clarie, Derrick and Amina". */
export function listNames(names: string[]): string {
  if (names.length <= 1) return names.join('');
  return `${names.slice(0, -1).join(', ')} and ${names[names.length - 1] as string}`;
}

/** Who takes part in a group chat: admins add their friends and remove members; anyone may leave. */
export class ChatMembersService {
  private readonly repo: ConversationsRepo;
  private readonly queries: ConversationReadsRepo;
  private readonly publisher: ChatPublisher;

  constructor(
    private readonly database: Database,
    bus: EventBus,
    private readonly clock: Clock,
    private readonly images: ChatMediaOwnership,
  ) {
    this.repo = new ConversationsRepo(database.db);
    this.queries = new ConversationReadsRepo(database.db);
    this.publisher = new ChatPublisher(bus);
  }

  private async groupMembership(callerId: string, conversationId: string): Promise<Membership> {
    const membership = await this.repo.membership(conversationId, callerId);
    if (!membership) throw conversationNotFound();
    if (membership.conversation.conversationType !== 'group') throw directConversationFixed();
    return membership;
  }

  /**
   * An admin adds friends of theirs (people who left come back); a system message names them.
   * A group holds at most VIEW_PARTICIPANTS_MAX people (409 group_full, nothing added).
   */
  async add(callerId: string, conversationId: string, userIds: string[]): Promise<ConversationView> {
    const membership = await this.groupMembership(callerId, conversationId);
    if (membership.participant.role !== 'admin') throw notConversationAdmin();
    const candidates = [...new Set(userIds.map((id) => id.toLowerCase()))].filter((id) => id !== callerId);
    const refused = await this.queries.notFriendsOf(callerId, candidates);
    if (refused.length > 0) throw participantsNotFriends(refused, 'user_ids');
    const cards = await this.queries.userCards([callerId, ...candidates]);
    const nameOf = new Map(cards.map((c: UserCardRow) => [c.id, c.fullName]));
    const now = this.clock.now();
    await inTransaction(this.database, async (tx) => {
      const repo = new ConversationsRepo(tx);
      if (!(await repo.lock(conversationId))) throw conversationNotFound();
      if (!(await repo.isParticipant(conversationId, callerId))) throw conversationNotFound();
      const added = await repo.join(conversationId, candidates.map((userId) => ({ userId, role: 'member' as const })), now);
      if (added.length === 0) throw alreadyParticipants();
      if ((await repo.currentParticipants(conversationId)).length > VIEW_PARTICIPANTS_MAX) throw groupFull(VIEW_PARTICIPANTS_MAX);
      const ordered = candidates.filter((id) => added.includes(id));
      const message = await postSystemMessage(tx, {
        conversationId,
        messageType: 'system',
        content: `${nameOf.get(callerId) ?? 'Someone'} added ${listNames(ordered.map((id) => nameOf.get(id) ?? 'someone'))}`,
        metadata: { event: 'members_added', actor_id: callerId, user_ids: ordered },
        at: now,
      });
      if (message) await this.publisher.messageSent(tx, message);
      await this.publisher.membersChanged(tx, conversationId, ordered, [], now);
    });
    const view = await this.queries.view(callerId, conversationId);
    if (!view) throw conversationNotFound();
    return this.images.resolveConversation(view);
  }

  /** An admin removes a member, or anyone removes themselves (leaving); a system message says so. */
  async remove(callerId: string, conversationId: string, userId: string): Promise<void> {
    const membership = await this.groupMembership(callerId, conversationId);
    const self = userId.toLowerCase() === callerId;
    if (!self && membership.participant.role !== 'admin') throw notConversationAdmin();
    const cards = await this.queries.userCards(self ? [callerId] : [callerId, userId]);
    const nameOf = new Map(cards.map((c) => [c.id, c.fullName]));
    const now = this.clock.now();
    const target = userId.toLowerCase();
    await inTransaction(this.database, async (tx) => {
      const repo = new ConversationsRepo(tx);
      if (!(await repo.lock(conversationId))) throw conversationNotFound();
      if (!self && !(await repo.isParticipant(conversationId, callerId))) throw conversationNotFound();
      if (!(await repo.leave(conversationId, target, now))) throw participantNotFound();
      await repo.ensureAdmin(conversationId);
      const actor = nameOf.get(callerId) ?? 'Someone';
      const message = await postSystemMessage(tx, {
        conversationId,
        messageType: 'system',
        content: self ? `${actor} left the group` : `${actor} removed ${nameOf.get(target) ?? 'someone'}`,
        metadata: { event: self ? 'member_left' : 'member_removed', actor_id: callerId, user_ids: [target] },
        at: now,
      });
      if (message) await this.publisher.messageSent(tx, message);
      await this.publisher.membersChanged(tx, conversationId, [], [target], now);
    });
  }
}
