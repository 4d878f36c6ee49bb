import type { EventBus } from '../../infra/bus/event-bus.js';
import type { Database } from '../../infra/db/database.js';
import { ConversationReadsRepo } from './conversations.reads.repo.js';
import { ConversationsRepo } from './conversations.repo.js';
import './chat.events.js';

/**
 * What a block placed or lifted changes in the chats two users share (docs/security.md, Blocks):
 * their unread counts there are recounted without (or again with) the other's messages, and
 * `chat.block_visibility_changed` tells open clients which shared conversations and goals to refetch.
 */
export class ChatBlocksService {
  private readonly repo: ConversationsRepo;
  private readonly queries: ConversationReadsRepo;

  constructor(
    database: Database,
    private readonly bus: EventBus,
  ) {
    this.repo = new ConversationsRepo(database.db);
    this.queries = new ConversationReadsRepo(database.db);
  }

  async blockChanged(blockerId: string, blockedId: string, blocked: boolean): Promise<void> {
    const shared = await this.queries.sharedBetween(blockerId, blockedId);
    await this.repo.recountUnread(shared.conversationIds, [blockerId, blockedId]);
    this.bus.publish('chat.block_visibility_changed', { blockerId, blockedId, blocked, ...shared });
  }
}
