import type { EventBus } from '../../infra/bus/event-bus.js';
import type { Clock } from '../../infra/clock/clock.js';
import { inTransaction, type Database } from '../../infra/db/database.js';
import { invalidField } from '../../lib/app-error.js';
import type { Page } from '../../lib/page.js';
import { userNotFound } from '../users/users.errors.js';
import {
  conversationNotFound,
  messagesNotAllowed,
  notAGroupConversation,
  notConversationAdmin,
  participantsNotFriends,
} from './chat.errors.js';
import { ChatMembersService } from './chat-members.service.js';
import type { ChatMediaOwnership } from './chat-media-ownership.js';
import { ChatPublisher, postSystemMessage } from './chat.publisher.js';
import type { ConversationRow } from './chat.tables.js';
import type { UserConversationType } from './chat.vocabulary.js';
import { ConversationReadsRepo, type ConversationView } from './conversations.reads.repo.js';
import { ConversationsRepo } from './conversations.repo.js';
import './chat.events.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface CreateConversationInput {
  conversationType: UserConversationType;
  participantIds: string[];
  name?: string | null;
  imageUrl?: string | null;
}

export interface ConversationPatch {
  name?: string | null;
  imageUrl?: string | null;
  isMuted?: boolean;
  isArchived?: boolean;
}

/** The key that makes a pair's direct conversation unique: both ids, lower-case, in order. */
export function directKeyOf(a: string, b: string): string {
  return [a.toLowerCase(), b.toLowerCase()].sort().join(':');
}

/** Conversations: create (direct/group), list, read, per-caller settings, leave/hide; membership checks. */
export class ConversationsService {
  private readonly repo: ConversationsRepo;
  private readonly queries: ConversationReadsRepo;
  private readonly publisher: ChatPublisher;
  private readonly members: ChatMembersService;

  constructor(
    private readonly database: Database,
    bus: EventBus,
    private readonly clock: Clock,
    private readonly images: ChatMediaOwnership,
  ) {
    this.repo = new ConversationsRepo(database.db);
    this.queries = new ConversationReadsRepo(database.db);
    this.publisher = new ChatPublisher(bus);
    this.members = new ChatMembersService(database, bus, clock, images);
  }

  /** True only for a current participant (left_at null); false for malformed ids. */
  async isParticipant(conversationId: string, userId: string): Promise<boolean> {
    if (!UUID.test(conversationId) || !UUID.test(userId)) return false;
    return this.repo.isParticipant(conversationId, userId);
  }

  /** The current participants' ids (the realtime gateway's fan-out list); empty for unknown ids. */
  async participantIds(conversationId: string): Promise<string[]> {
    if (!UUID.test(conversationId)) return [];
    return (await this.repo.currentParticipants(conversationId)).map((p) => p.userId);
  }

  /**
   * True for a current participant who may follow the conversation live (subscribe, typing): in a
   * direct one only while neither user blocked the other; in a group as long as they take part.
   */
  async mayFollowLive(conversationId: string, userId: string): Promise<boolean> {
    if (!UUID.test(conversationId) || !UUID.test(userId)) return false;
    const membership = await this.repo.membership(conversationId, userId);
    if (!membership) return false;
    const { conversationType, directKey } = membership.conversation;
    const peerId = conversationType === 'direct' ? directKey?.split(':').find((id) => id !== userId.toLowerCase()) : undefined;
    return !peerId || (await this.queries.blockedAmong(userId, [peerId])).size === 0;
  }

  /** Of `candidateIds`, those blocked either way with `userId` (for the realtime fan-out of typing and goal updates). */
  async blockedAmong(userId: string, candidateIds: readonly string[]): Promise<Set<string>> {
    if (!UUID.test(userId)) return new Set();
    return this.queries.blockedAmong(userId, candidateIds.filter((id) => UUID.test(id)));
  }

  /** The id of the two users' direct conversation, if they have one. */
  async directConversationId(a: string, b: string): Promise<string | undefined> {
    if (!UUID.test(a) || !UUID.test(b)) return undefined;
    return (await this.repo.findByDirectKey(directKeyOf(a, b)))?.id;
  }

  /**
   * Creates a conversation. A pair has one direct conversation: asking again returns it
   * (`created: false`, and un-hides it for the caller). Group members must be the caller's friends;
   * the caller becomes the group's admin.
   */
  async create(callerId: string, input: CreateConversationInput): Promise<{ conversation: ConversationView; created: boolean }> {
    const others = [...new Set(input.participantIds.map((id) => id.toLowerCase()))].filter((id) => id !== callerId);
    if (others.length === 0) throw invalidField('invalid_participants', 'participant_ids', 'must name at least one other user');
    const result = input.conversationType === 'direct' ? await this.createDirect(callerId, others, input) : await this.createGroup(callerId, others, input);
    const view = await this.queries.view(callerId, result.id);
    if (!view) throw conversationNotFound();
    return { conversation: await this.images.resolveConversation(view), created: result.created };
  }

  private async createDirect(callerId: string, others: string[], input: CreateConversationInput) {
    if (others.length !== 1) throw invalidField('invalid_participants', 'participant_ids', 'a direct conversation has exactly one other user');
    if (input.name != null || input.imageUrl != null) throw invalidField('invalid_field', input.name != null ? 'name' : 'image_url', 'only group conversations have a name and an image');
    const otherId = others[0] as string;
    // The other user's card and the rule (their who_can_send_messages, blocks) in one statement.
    const peer = await this.queries.directPeer(callerId, otherId);
    if (!peer) throw userNotFound();
    if (!peer.mayMessage) throw messagesNotAllowed();
    const directKey = directKeyOf(callerId, otherId);
    const now = this.clock.now();
    const existing = await this.repo.findByDirectKey(directKey);
    if (existing) {
      await this.repo.setOwn(existing.id, callerId, { hiddenAt: null });
      return { id: existing.id, created: false };
    }
    const inserted = await inTransaction(this.database, async (tx) => {
      const repo = new ConversationsRepo(tx);
      const row = await repo.insertDirect({ conversationType: 'direct', isGroup: false, directKey, createdBy: callerId, createdAt: now, updatedAt: now });
      if (row) {
        await repo.join(row.id, [{ userId: callerId, role: 'member' }, { userId: otherId, role: 'member' }], now);
        await this.publisher.membersChanged(tx, row.id, [callerId, otherId], [], now);
      }
      return row;
    });
    if (!inserted) {
      // Another request created the pair's conversation first; it committed before our insert gave up.
      const winner = await this.repo.findByDirectKey(directKey);
      if (!winner) throw new Error('direct conversation vanished after a key conflict');
      await this.repo.setOwn(winner.id, callerId, { hiddenAt: null });
      return { id: winner.id, created: false };
    }
    return { id: inserted.id, created: true };
  }

  private async createGroup(callerId: string, others: string[], input: CreateConversationInput) {
    const refused = await this.queries.notFriendsOf(callerId, others);
    if (refused.length > 0) throw participantsNotFriends(refused, 'participant_ids');
    const imageUrl = input.imageUrl ? await this.images.groupImageRef(callerId, undefined, input.imageUrl) : null;
    const now = this.clock.now();
    const row = await inTransaction(this.database, async (tx) => {
      const repo = new ConversationsRepo(tx);
      const conversation = await repo.insert({
        conversationType: 'group',
        isGroup: true,
        name: input.name?.trim() ? input.name.trim() : null,
        imageUrl,
        createdBy: callerId,
        createdAt: now,
        updatedAt: now,
      });
      await repo.join(conversation.id, [{ userId: callerId, role: 'admin' }, ...others.map((userId) => ({ userId, role: 'member' as const }))], now);
      await this.publisher.membersChanged(tx, conversation.id, [callerId, ...others], [], now);
      return conversation;
    });
    return { id: row.id, created: true };
  }

  /** The caller's conversations, newest activity first (archived ones only when asked; hidden ones never). */
  async list(callerId: string, archived: boolean, page: number, limit: number): Promise<Page<ConversationView>> {
    const result = await this.queries.page(callerId, archived, limit, (page - 1) * limit);
    return { items: await Promise.all(result.items.map((view) => this.images.resolveConversation(view))), total: result.total };
  }

  /** One conversation of the caller; 404 conversation_not_found for others (or unknown ids). */
  async get(callerId: string, conversationId: string): Promise<ConversationView> {
    const view = await this.queries.view(callerId, conversationId);
    if (!view) throw conversationNotFound();
    return this.images.resolveConversation(view);
  }

  /** Name and image (group admins), muted and archived (the caller's own). */
  async update(callerId: string, conversationId: string, patch: ConversationPatch): Promise<ConversationView> {
    const membership = await this.repo.membership(conversationId, callerId);
    if (!membership) throw conversationNotFound();
    const now = this.clock.now();
    if (patch.name !== undefined || patch.imageUrl !== undefined) {
      if (membership.conversation.conversationType !== 'group') throw notAGroupConversation();
      if (membership.participant.role !== 'admin') throw notConversationAdmin();
      await this.updateGroup(callerId, membership.conversation, patch, now);
    }
    const own: { isMuted?: boolean; isArchived?: boolean } = {};
    if (patch.isMuted !== undefined) own.isMuted = patch.isMuted;
    if (patch.isArchived !== undefined) own.isArchived = patch.isArchived;
    if (Object.keys(own).length > 0) await this.repo.setOwn(conversationId, callerId, own);
    return this.get(callerId, conversationId);
  }

  /** Name and image changes of a group, told to its members by a system message ("Brian renamed the group to ..."). */
  private async updateGroup(callerId: string, conversation: ConversationRow, patch: ConversationPatch, now: Date): Promise<void> {
    const values: { name?: string | null; imageUrl?: string | null } = {};
    if (patch.name !== undefined) values.name = patch.name?.trim() ? patch.name.trim() : null;
    if (patch.imageUrl !== undefined) {
      values.imageUrl = patch.imageUrl === null ? null : await this.images.groupImageRef(callerId, conversation.id, patch.imageUrl);
    }
    const changed: string[] = [];
    if (values.name !== undefined && values.name !== conversation.name) changed.push('name');
    if (values.imageUrl !== undefined && values.imageUrl !== conversation.imageUrl) changed.push('image_url');
    if (changed.length === 0) return;
    const [card] = await this.queries.userCards([callerId]);
    const actor = card?.fullName ?? 'Someone';
    const parts: string[] = [];
    if (changed.includes('name')) parts.push(values.name ? `renamed the group to "${values.name}"` : 'removed the group name');
    if (changed.includes('image_url')) parts.push(values.imageUrl ? 'changed the group image' : 'removed the group image');
    await inTransaction(this.database, async (tx) => {
      await new ConversationsRepo(tx).update(conversation.id, values, now);
      const message = await postSystemMessage(tx, {
        conversationId: conversation.id,
        messageType: 'system',
        content: `${actor} ${parts.join(' and ')}`,
        metadata: { event: 'group_updated', actor_id: callerId, changed, name: values.name ?? conversation.name },
        at: now,
      });
      if (message) await this.publisher.messageSent(tx, message);
    });
  }

  /**
   * Removes the conversation for the caller: leaves a group (a system message says so; a group
   * never stays without an admin), hides a direct or coach conversation until a newer message.
   */
  async removeForCaller(callerId: string, conversationId: string): Promise<void> {
    const membership = await this.repo.membership(conversationId, callerId);
    if (!membership) throw conversationNotFound();
    const now = this.clock.now();
    if (membership.conversation.conversationType !== 'group') {
      await this.repo.setOwn(conversationId, callerId, { hiddenAt: now });
      return;
    }
    await this.members.remove(callerId, conversationId, callerId);
  }
}
