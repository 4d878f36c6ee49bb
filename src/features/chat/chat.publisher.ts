import type { EventBus } from '../../infra/bus/event-bus.js';
import type { Db } from '../../infra/db/database.js';
import type { MessageRow } from './chat.tables.js';
import type { AppMessageType } from './chat.vocabulary.js';
import { toMessageJson } from './chat.json.js';
import { ConversationReadsRepo } from './conversations.reads.repo.js';
import { ConversationsRepo } from './conversations.repo.js';
import { MessageReadsRepo, type MessageAudienceRow, type MessageView } from './messages.reads.repo.js';
import { MessagesRepo } from './messages.repo.js';
import './chat.events.js';

export interface SystemMessage {
  conversationId: string;
  messageType: AppMessageType;
  content: string;
  /** `actor_id` names the user whose action this reports (their unread count does not move). */
  metadata: Record<string, unknown> & { actor_id: string | null };
  /** Makes the message idempotent: a second post under the same key in the conversation is skipped. */
  key?: string;
  at: Date;
}

/**
 * Posts a system or goal message inside the caller's transaction and moves the conversation's
 * activity and unread counts. Undefined when `key` was posted before. Lock the conversation first
 * (`ConversationsRepo.lock`) when a key is given, so concurrent duplicates are serialised.
 */
export async function postSystemMessage(tx: Db, m: SystemMessage): Promise<MessageRow | undefined> {
  const repo = new MessagesRepo(tx);
  if (m.key && (await repo.hasSystemKey(m.conversationId, m.key))) return undefined;
  const row = await repo.insert({
    conversationId: m.conversationId,
    senderId: null,
    content: m.content,
    messageType: m.messageType,
    metadata: m.metadata,
    clientMessageId: m.key ?? null,
    createdAt: m.at,
    updatedAt: m.at,
  });
  if (!row) throw new Error('insert of a system message returned no row');
  await new MessagesRepo(tx).recordActivity(m.conversationId, row.id, m.metadata.actor_id, m.at);
  return row;
}

/**
 * The recipients of one message's event, in groups that each get one copy: participants a block
 * hides the message from get none; those a block hides the replied-to message from get a copy
 * that quotes neither its author nor its text (chat.blocks.sql.ts, docs/security.md Blocks).
 */
function recipientGroups(view: MessageView, audience: readonly MessageAudienceRow[]): Array<{ view: MessageView; audience: MessageAudienceRow[] }> {
  const visible = audience.filter((p) => !p.hidden);
  const quoting = visible.filter((p) => !p.replyHidden);
  const unquoted = visible.filter((p) => p.replyHidden);
  const groups = [{ view, audience: quoting }];
  if (unquoted.length > 0 && view.replyTo) {
    groups.push({ view: { ...view, replyTo: { ...view.replyTo, sender: null, content: null } }, audience: unquoted });
  }
  return groups.filter((g) => g.audience.length > 0);
}

/** Publishes chat events after commit, with the message exactly as GET messages shows it to each recipient. */
export class ChatPublisher {
  private readonly conversations: ConversationsRepo;
  private readonly conversationQueries: ConversationReadsRepo;
  private readonly queries: MessageReadsRepo;

  constructor(
    db: Db,
    private readonly bus: EventBus,
  ) {
    this.conversations = new ConversationsRepo(db);
    this.conversationQueries = new ConversationReadsRepo(db);
    this.queries = new MessageReadsRepo(db);
  }

  /** `message.sent` to the current participants who may see it (muted ones named, for pushes). */
  async messageSent(message: Pick<MessageRow, 'id' | 'conversationId'>): Promise<void> {
    const [view, audience] = await Promise.all([this.queries.one(message.id), this.queries.audience(message.id)]);
    if (view) this.publishSent(view, audience);
  }

  /** `message.sent` for a message whose view and audience the caller already holds. */
  publishSent(view: MessageView, audience: readonly MessageAudienceRow[]): void {
    for (const group of recipientGroups(view, audience)) {
      this.bus.publish('message.sent', {
        conversationId: view.conversationId,
        participantIds: group.audience.map((p) => p.userId),
        mutedParticipantIds: group.audience.filter((p) => p.isMuted).map((p) => p.userId),
        senderId: view.sender?.id ?? null,
        message: toMessageJson(group.view),
        at: view.createdAt.toISOString(),
      });
    }
  }

  /** `message.edited` to the current participants who may see the message; `view` is its neutral view (no viewer). */
  async messageEdited(view: MessageView, at: Date): Promise<void> {
    const audience = await this.queries.audience(view.id);
    for (const group of recipientGroups(view, audience)) {
      this.bus.publish('message.edited', {
        conversationId: view.conversationId,
        participantIds: group.audience.map((p) => p.userId),
        message: toMessageJson(group.view),
        at: at.toISOString(),
      });
    }
  }

  /** The current participants from whom no block hides the message. */
  async audienceIds(messageId: string): Promise<string[]> {
    return (await this.queries.audience(messageId)).filter((p) => !p.hidden).map((p) => p.userId);
  }

  /** The current participants who may see `userId`'s activity here (in a group, none blocked with them either way). */
  async participantsSeeing(conversationId: string, userId: string): Promise<string[]> {
    return this.conversationQueries.participantsSeeing(conversationId, userId);
  }

  async participantIds(conversationId: string): Promise<string[]> {
    return (await this.conversations.currentParticipants(conversationId)).map((p) => p.userId);
  }

  /** `conversation.members_changed`; `participantIds` are the members after the change. */
  async membersChanged(conversationId: string, addedIds: string[], removedIds: string[], at: Date): Promise<void> {
    if (addedIds.length === 0 && removedIds.length === 0) return;
    // Members blocked either way with someone who joined or left are not told of it (unless they are among them).
    const changed = new Set([...addedIds, ...removedIds]);
    const members = await this.participantIds(conversationId);
    const blocked = await this.conversationQueries.blockedWithAny([...changed], members.filter((id) => !changed.has(id)));
    const participantIds = members.filter((id) => !blocked.has(id));
    this.bus.publish('conversation.members_changed', {
      conversationId,
      participantIds,
      addedIds,
      removedIds,
      at: at.toISOString(),
    });
  }
}
