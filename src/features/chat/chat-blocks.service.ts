import type { EventBus } from '../../infra/bus/event-bus.js';
import { inTransaction, type Database } from '../../infra/db/database.js';
import { ConversationReadsRepo } from './conversations.reads.repo.js';
import { ConversationsRepo } from './conversations.repo.js';
import './chat.events.js';

/**
 * What a block placed or lifted changes in the chats two users share (docs/security.md, Blocks):
 * their unread counts there are recounted without (or again with) the other's messages, and
 * `chat.block_visibility_changed` tells open clients which shared conversations and goals to refetch.
 */
export class ChatBlocksService {
  private readonly queries: ConversationReadsRepo;

  constructor(
    private readonly database: Database,
    private readonly bus: EventBus,
  ) {
    this.queries = new ConversationReadsRepo(database.db);
  }

  /** Recounts the pair's unread counts in their shared chats and publishes the change in the recount's transaction. */
  async blockChanged(blockerId: string, blockedId: string, blocked: boolean): Promise<void> {
    const shared = await this.queries.sharedBetween(blockerId, blockedId);
    await inTransaction(this.database, async (tx) => {
      await new ConversationsRepo(tx).recountUnread(shared.conversationIds, [blockerId, blockedId]);
      await this.bus.publish(tx, 'chat.block_visibility_changed', { blockerId, blockedId, blocked, ...shared });
    });
  }
}
