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

/**
 * Publishes chat events inside the transaction of the write they report (the outbox), with the
 * message exactly as GET messages shows it to each recipient. What it reads it reads through the
 * handle it is given: the writing transaction sees the rows it wrote, which a root handle would not.
 */
export class ChatPublisher {
  constructor(private readonly bus: EventBus) {}

  /** `message.sent` to the current participants who may see it (muted ones named, for pushes), in `tx`. */
  async messageSent(tx: Db, message: Pick<MessageRow, 'id' | 'conversationId'>): Promise<void> {
    const queries = new MessageReadsRepo(tx);
    const [view, audience] = await Promise.all([queries.one(message.id), queries.audience(message.id)]);
    if (view) await this.publishSent(tx, view, audience);
  }

  /** `message.sent` for a message whose view and audience the caller already holds, in `tx`. */
  async publishSent(tx: Db, view: MessageView, audience: readonly MessageAudienceRow[]): Promise<void> {
    for (const group of recipientGroups(view, audience)) {
      await this.bus.publish(tx, 'message.sent', {
        conversationId: view.conversationId,
        participantIds: group.audience.map((p) => p.userId),
        mutedParticipantIds: group.audience.filter((p) => p.isMuted).map((p) => p.userId),
        senderId: view.sender?.id ?? null,
        message: toMessageJson(group.view),
        at: view.createdAt.toISOString(),
      });
    }
  }

  /** `message.edited` to the current participants who may see the message, in `tx`; `view` is its neutral view (no viewer). */
  async messageEdited(tx: Db, view: MessageView, at: Date): Promise<void> {
    const audience = await new MessageReadsRepo(tx).audience(view.id);
    for (const group of recipientGroups(view, audience)) {
      await this.bus.publish(tx, 'message.edited', {
        conversationId: view.conversationId,
        participantIds: group.audience.map((p) => p.userId),
        message: toMessageJson(group.view),
        at: at.toISOString(),
      });
    }
  }

  /** The current participants from whom no block hides the message. */
  async audienceIds(db: Db, messageId: string): Promise<string[]> {
    return (await new MessageReadsRepo(db).audience(messageId)).filter((p) => !p.hidden).map((p) => p.userId);
  }

  /** The current participants who may see `userId`'s activity here (in a group, none blocked with them either way). */
  async participantsSeeing(db: Db, conversationId: string, userId: string): Promise<string[]> {
    return new ConversationReadsRepo(db).participantsSeeing(conversationId, userId);
  }

  /** `conversation.members_changed` in `tx`; `participantIds` are the members after the change. */
  async membersChanged(tx: Db, conversationId: string, addedIds: string[], removedIds: string[], at: Date): Promise<void> {
    if (addedIds.length === 0 && removedIds.length === 0) return;
    // Members blocked either way with someone who joined or left are not told of it (unless they are among them).
    const changed = new Set([...addedIds, ...removedIds]);
    const members = (await new ConversationsRepo(tx).currentParticipants(conversationId)).map((p) => p.userId);
    const blocked = await new ConversationReadsRepo(tx).blockedWithAny([...changed], members.filter((id) => !changed.has(id)));
    const participantIds = members.filter((id) => !blocked.has(id));
    await this.bus.publish(tx, 'conversation.members_changed', {
      conversationId,
      participantIds,
      addedIds,
      removedIds,
      at: at.toISOString(),
    });
  }
}
