import type { Clock } from '../../infra/clock/clock.js';
import type { Database } from '../../infra/db/database.js';
import type { EventBus } from '../../infra/bus/event-bus.js';
import { violatedUniqueConstraint } from '../../infra/db/errors.js';
import { userNotFound } from '../users/users.errors.js';
import type { UsersService } from '../users/users.service.js';
import { alreadyBlocked, blockNotFound, cannotBlockSelf } from './settings.errors.js';
import { SettingsRepo, type BlockedUserItem } from './settings.repo.js';
import './settings.events.js';

/** What blocking must undo in the other features (each removes its own rows). */
export interface BlockConsequences {
  friends: { removeEverythingBetween(a: string, b: string): Promise<void> };
  partners: { endEverythingBetween(a: string, b: string): Promise<void> };
}

/** Blocking users (plan 3.7): the only writer of `blocked_users`. */
export class BlocksService {
  private readonly repo: SettingsRepo;

  constructor(
    database: Database,
    private readonly bus: EventBus,
    private readonly clock: Clock,
    private readonly users: UsersService,
    private readonly consequences: BlockConsequences,
  ) {
    this.repo = new SettingsRepo(database.db);
  }

  /**
   * Blocks `blockedId` for `blockerId`, then removes any friendship, friend request and
   * partnership between them. From then on the privacy policy hides each from the other.
   */
  async block(blockerId: string, blockedId: string, reason: string | null): Promise<BlockedUserItem> {
    if (blockerId === blockedId) throw cannotBlockSelf();
    const target = await this.users.getById(blockedId);
    if (!target.isActive) throw userNotFound();
    let inserted: boolean;
    try {
      inserted = await this.repo.insertBlock(blockerId, blockedId, reason, this.clock.now());
    } catch (err) {
      if (violatedUniqueConstraint(err)) throw alreadyBlocked();
      throw err;
    }
    if (!inserted) throw alreadyBlocked();
    await this.consequences.friends.removeEverythingBetween(blockerId, blockedId);
    await this.consequences.partners.endEverythingBetween(blockerId, blockedId);
    this.bus.publish('user.blocked', { blockerId, blockedId });
    const block = await this.repo.findBlock(blockerId, blockedId);
    if (!block) throw blockNotFound();
    return block;
  }

  async unblock(blockerId: string, blockedId: string): Promise<void> {
    if (!(await this.repo.deleteBlock(blockerId, blockedId))) throw blockNotFound();
    this.bus.publish('user.unblocked', { blockerId, blockedId });
  }

  async list(blockerId: string, page: number, limit: number): Promise<{ items: BlockedUserItem[]; total: number }> {
    return this.repo.listBlocks(blockerId, limit, (page - 1) * limit);
  }
}
