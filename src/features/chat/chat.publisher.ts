import type { EventBus } from '../../infra/bus/event-bus.js';
import type { Db } from '../../infra/db/database.js';
import type { MessageRow } from './chat.tables.js';
import { toMessageJson } from './chat.json.js';
import { ConversationsRepo } from './conversations.repo.js';
import { MessageQueriesRepo, type MessageView } from './messages.queries.repo.js';
import { MessagesRepo } from './messages.repo.js';
import './chat.events.js';

export interface SystemMessage {
  conversationId: string;
  messageType: 'system' | 'goal_update';
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
  await new MessagesRepo(tx).recordActivity(m.conversationId, m.metadata.actor_id, m.at);
  return row;
}

/** Publishes chat events after commit, with the message exactly as GET messages shows it. */
export class ChatPublisher {
  private readonly conversations: ConversationsRepo;
  private readonly queries: MessageQueriesRepo;

  constructor(
    db: Db,
    private readonly bus: EventBus,
  ) {
    this.conversations = new ConversationsRepo(db);
    this.queries = new MessageQueriesRepo(db);
  }

  /** `message.sent` to the current participants (muted ones named, for pushes). */
  async messageSent(message: Pick<MessageRow, 'id' | 'conversationId'>): Promise<void> {
    const [view, participants] = await Promise.all([
      this.queries.one(message.id),
      this.conversations.currentParticipants(message.conversationId),
    ]);
    if (view) this.publishSent(view, participants);
  }

  /** `message.sent` for a message whose view and participants the caller already holds. */
  publishSent(view: MessageView, participants: ReadonlyArray<{ userId: string; isMuted: boolean }>): void {
    this.bus.publish('message.sent', {
      conversationId: view.conversationId,
      participantIds: participants.map((p) => p.userId),
      mutedParticipantIds: participants.filter((p) => p.isMuted).map((p) => p.userId),
      senderId: view.sender?.id ?? null,
      message: toMessageJson(view),
      at: view.createdAt.toISOString(),
    });
  }

  async participantIds(conversationId: string): Promise<string[]> {
    return (await this.conversations.currentParticipants(conversationId)).map((p) => p.userId);
  }

  /** `conversation.members_changed`; `participantIds` are the members after the change. */
  async membersChanged(conversationId: string, addedIds: string[], removedIds: string[], at: Date): Promise<void> {
    if (addedIds.length === 0 && removedIds.length === 0) return;
    this.bus.publish('conversation.members_changed', {
      conversationId,
      participantIds: await this.participantIds(conversationId),
      addedIds,
      removedIds,
      at: at.toISOString(),
    });
  }
}
