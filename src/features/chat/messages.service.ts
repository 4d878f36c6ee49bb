import type { EventBus } from '../../infra/bus/event-bus.js';
import type { Clock } from '../../infra/clock/clock.js';
import { inPreparedTransaction, inTransaction, type Database } from '../../infra/db/database.js';
import { invalidField } from '../../lib/app-error.js';
import type { OpenPage } from '../../lib/page.js';
import {
  conversationNotFound,
  messageDeleted,
  messageNotFound,
  messagesNotAllowed,
  notMessageSender,
} from './chat.errors.js';
import type { ChatAttachmentsService } from './chat-attachments.service.js';
import { ChatPublisher } from './chat.publisher.js';
import type { MessageRow } from './chat.tables.js';
import { ConversationsRepo, type Membership } from './conversations.repo.js';
import { MessageSendRepo } from './message-send.repo.js';
import { MessageReadsRepo, type MessageView } from './messages.reads.repo.js';
import { MessagesRepo } from './messages.repo.js';
import type { UserMessageType } from './chat.vocabulary.js';
import './chat.events.js';

export interface SendMessageInput {
  content: string;
  messageType: UserMessageType;
  mediaUrl: string | null;
  replyToMessageId: string | null;
  clientMessageId: string | null;
}

export interface ReadResult {
  messageId: string | null;
  unreadCount: number;
  readAt: Date;
}

/**
 * Messages of a conversation: list, send (idempotent by client_message_id), edit, delete, read
 * receipts. Attachments are stored as private keys and come back as signed, short-lived URLs.
 */
export class MessagesService {
  private readonly conversations: ConversationsRepo;
  private readonly queries: MessageReadsRepo;
  private readonly repo: MessagesRepo;
  private readonly publisher: ChatPublisher;

  constructor(
    private readonly database: Database,
    private readonly bus: EventBus,
    private readonly clock: Clock,
    private readonly attachments: ChatAttachmentsService,
  ) {
    this.conversations = new ConversationsRepo(database.db);
    this.queries = new MessageReadsRepo(database.db);
    this.repo = new MessagesRepo(database.db);
    this.publisher = new ChatPublisher(bus);
  }

  private async membership(callerId: string, conversationId: string): Promise<Membership> {
    const membership = await this.conversations.membership(conversationId, callerId);
    if (!membership) throw conversationNotFound();
    return membership;
  }

  /** Newest first, before the message `beforeId` (which must be of this conversation). */
  async list(callerId: string, conversationId: string, limit: number, beforeId?: string): Promise<OpenPage<MessageView>> {
    await this.membership(callerId, conversationId);
    if (beforeId && !(await this.repo.find(conversationId, beforeId))) {
      throw invalidField('invalid_cursor', 'before', 'must be the id of a message of this conversation');
    }
    const page = await this.queries.page(conversationId, callerId, limit, beforeId);
    return { items: await Promise.all(page.items.map((m) => this.attachments.resolve(m))), hasMore: page.hasMore };
  }

  /**
   * Sends a message. A retry with the same client_message_id returns the first message
   * (`created: false`) and changes nothing. Direct messages check the recipient's
   * who_can_send_messages and blocks at send time. One statement does every check and the write,
   * for a direct message as for a group message (message-send.repo.ts); its transaction holds that
   * statement and the `message.sent` jobs, nothing else (no read).
   */
  async send(callerId: string, conversationId: string, input: SendMessageInput): Promise<{ message: MessageView; created: boolean }> {
    if (input.messageType === 'text' && !input.content.trim()) {
      throw invalidField('message_content_required', 'content', 'a text message needs content');
    }
    if (input.messageType !== 'text' && !input.mediaUrl) {
      throw invalidField('media_url_required', 'media_url', `a ${input.messageType} message needs a media_url`);
    }
    const media = await this.attachments.messageMedia(callerId, conversationId, input.mediaUrl);
    const message = {
      conversationId,
      senderId: callerId,
      ...input,
      mediaUrl: media.mediaRef,
      mediaThumbnailUrl: media.thumbnailRef,
      at: this.clock.now(),
    };
    // The send's CTE and its outbox jobs in one transaction on the hot-path connections (a prepared statement).
    const outcome = await inPreparedTransaction(this.database, async (tx, prepared) => {
      const sent = await new MessageSendRepo(tx, prepared).send(message);
      if (sent.kind !== 'sent') return sent;
      const view = await this.attachments.resolve(sent.view);
      await this.publisher.publishSent(tx, view, sent.participants);
      return { ...sent, view };
    });
    switch (outcome.kind) {
      case 'not_participant':
        throw conversationNotFound();
      case 'earlier':
        return { message: await this.view(outcome.messageId, callerId), created: false };
      case 'reply_not_found':
        throw invalidField('invalid_reply_to', 'reply_to_message_id', 'must be a message of this conversation');
      case 'not_allowed':
        throw messagesNotAllowed();
      case 'lost_race': {
        // A concurrent retry with the same client_message_id won; its row is committed.
        const winner = input.clientMessageId ? await this.repo.findByClientId(conversationId, callerId, input.clientMessageId) : undefined;
        if (!winner) throw new Error('message vanished after a client_message_id conflict');
        return { message: await this.view(winner.id, callerId), created: false };
      }
      case 'sent':
        return { message: outcome.view, created: true };
    }
  }

  /** The message as a response shows it to the caller (media URLs signed for the conversation's participants). */
  private async view(messageId: string, callerId: string): Promise<MessageView> {
    const view = await this.queries.one(messageId, callerId);
    if (!view) throw messageNotFound();
    return this.attachments.resolve(view);
  }

  private async ownMessage(callerId: string, conversationId: string, messageId: string): Promise<MessageRow> {
    await this.membership(callerId, conversationId);
    const message = await this.repo.find(conversationId, messageId);
    if (!message) throw messageNotFound();
    if (message.senderId !== callerId) throw notMessageSender();
    return message;
  }

  /** The sender edits the text of their message (is_edited becomes true); deleted messages stay deleted. */
  async edit(callerId: string, conversationId: string, messageId: string, content: string): Promise<MessageView> {
    const message = await this.ownMessage(callerId, conversationId, messageId);
    if (message.isDeleted) throw messageDeleted();
    if (message.messageType === 'text' && !content.trim()) {
      throw invalidField('message_content_required', 'content', 'a text message needs content');
    }
    await inTransaction(this.database, async (tx) => {
      const updated = await new MessagesRepo(tx).edit(messageId, content, this.clock.now());
      if (!updated) throw messageDeleted();
      const neutral = await new MessageReadsRepo(tx).one(messageId);
      if (neutral) await this.publisher.messageEdited(tx, await this.attachments.resolve(neutral), updated.updatedAt);
    });
    return this.view(messageId, callerId);
  }

  /** The sender deletes their message (soft: shown as deleted, without content or media). Repeating it changes nothing. */
  async delete(callerId: string, conversationId: string, messageId: string): Promise<void> {
    const message = await this.ownMessage(callerId, conversationId, messageId);
    if (message.isDeleted) return;
    const deleted = await inTransaction(this.database, async (tx) => {
      const row = await new MessagesRepo(tx).softDelete(messageId, this.clock.now());
      if (!row) return false;
      await this.bus.publish(tx, 'message.deleted', {
        conversationId,
        participantIds: await this.publisher.audienceIds(tx, messageId),
        messageId,
        deletedAt: row.updatedAt.toISOString(),
      });
      return true;
    });
    if (deleted) await this.attachments.removeMessageMedia(callerId, conversationId, message.mediaUrl);
  }

  /**
   * Marks the conversation read for the caller up to `messageId` (default: the newest message):
   * receipts for the messages of others up to it, unread_count = what came after it. The
   * participant row is locked first, so a message sent meanwhile is either counted here or after.
   */
  async markRead(callerId: string, conversationId: string, messageId?: string): Promise<ReadResult> {
    await this.membership(callerId, conversationId);
    if (messageId && !(await this.repo.find(conversationId, messageId))) throw messageNotFound();
    const now = this.clock.now();
    const result = await inTransaction(this.database, async (tx) => {
      const membership = await new ConversationsRepo(tx).membership(conversationId, callerId, true);
      if (!membership) throw conversationNotFound();
      const repo = new MessagesRepo(tx);
      const target = messageId ? await repo.find(conversationId, messageId) : await repo.latest(conversationId);
      if (!target) {
        await repo.setRead(conversationId, callerId, now, 0);
        return { target: undefined, unread: 0 };
      }
      const mark = membership.participant.lastReadAt;
      if (mark && target.createdAt < mark) {
        // An older message than already read: nothing moves backwards.
        return { target, unread: membership.participant.unreadCount };
      }
      const written = await repo.insertReads(conversationId, callerId, target, mark, now);
      const unread = await repo.countAfter(conversationId, callerId, target);
      await repo.setRead(conversationId, callerId, target.createdAt, unread);
      // Only news is published: reading again what was read already tells nobody anything.
      if (written > 0 || unread !== membership.participant.unreadCount) {
        await this.bus.publish(tx, 'message.read', {
          conversationId,
          participantIds: await this.publisher.participantsSeeing(tx, conversationId, callerId),
          userId: callerId,
          messageId: target.id,
          readAt: now.toISOString(),
        });
      }
      return { target, unread };
    });
    return { messageId: result.target?.id ?? null, unreadCount: result.unread, readAt: now };
  }
}
