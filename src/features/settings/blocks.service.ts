import type { Clock } from '../../infra/clock/clock.js';
import { inTransaction, type Database, type Db } from '../../infra/db/database.js';
import type { EventBus } from '../../infra/bus/event-bus.js';
import { violatedUniqueConstraint } from '../../infra/db/errors.js';
import type { Page } from '../../lib/page.js';
import type { UsersService } from '../users/users.service.js';
import { alreadyBlocked, blockNotFound, cannotBlockSelf } from './settings.errors.js';
import { SettingsRepo, type BlockedUserItem } from './settings.repo.js';
import './settings.events.js';

/**
 * What blocking must undo in the other features: each removes its own rows and publishes its events,
 * all through the block's transaction `tx` (so they commit or roll back with the block).
 */
export interface BlockConsequences {
  friends: { removeEverythingBetweenIn(tx: Db, a: string, b: string): Promise<void> };
  partners: { endEverythingBetweenIn(tx: Db, a: string, b: string): Promise<void> };
}

/** Blocking users (plan 3.7): the only writer of `blocked_users`. */
export class BlocksService {
  private readonly repo: SettingsRepo;

  constructor(
    private readonly database: Database,
    private readonly bus: EventBus,
    private readonly clock: Clock,
    private readonly users: UsersService,
    private readonly consequences: BlockConsequences,
  ) {
    this.repo = new SettingsRepo(database.db);
  }

  /**
   * Blocks `blockedId` for `blockerId` and removes any friendship (with its friends-inbox rows),
   * friend request and partnership between them, all in one transaction: either everything holds
   * or nothing does. The events (`friend.removed`, `partner.status_changed`, `user.blocked`) are
   * published in that transaction too. From then on the privacy rules hide each from the other.
   */
  async block(blockerId: string, blockedId: string, reason: string | null): Promise<BlockedUserItem> {
    if (blockerId === blockedId) throw cannotBlockSelf();
    await this.users.getActiveById(blockedId);
    try {
      await inTransaction(this.database, async (tx) => {
        if (!(await new SettingsRepo(tx).insertBlock(blockerId, blockedId, reason, this.clock.now()))) throw alreadyBlocked();
        await this.consequences.friends.removeEverythingBetweenIn(tx, blockerId, blockedId);
        await this.consequences.partners.endEverythingBetweenIn(tx, blockerId, blockedId);
        await this.bus.publish(tx, 'user.blocked', { blockerId, blockedId });
      });
    } catch (err) {
      if (violatedUniqueConstraint(err)) throw alreadyBlocked();
      throw err;
    }
    const block = await this.repo.findBlock(blockerId, blockedId);
    if (!block) throw blockNotFound();
    return block;
  }

  async unblock(blockerId: string, blockedId: string): Promise<void> {
    await inTransaction(this.database, async (tx) => {
      if (!(await new SettingsRepo(tx).deleteBlock(blockerId, blockedId))) throw blockNotFound();
      await this.bus.publish(tx, 'user.unblocked', { blockerId, blockedId });
    });
  }

  async list(blockerId: string, page: number, limit: number): Promise<Page<BlockedUserItem>> {
    return this.repo.listBlocks(blockerId, limit, (page - 1) * limit);
  }
}
