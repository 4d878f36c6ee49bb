import type { Clock } from '../../infra/clock/clock.js';
import { inTransaction, type Database } from '../../infra/db/database.js';
import type { EventBus } from '../../infra/bus/event-bus.js';
import type { MediaService, StoredMedia, UploadedFile } from '../media/media.service.js';
import { userNotFound } from './users.errors.js';
import { UsersRepo } from './users.repo.js';
import './users.events.js';

export type ProfileImageSlot = 'profile' | 'cover';

export interface ReplacedImage {
  url: string;
  variants: Record<string, string>;
  updatedAt: Date;
}

/** Profile pictures and cover images: store the new one, point the account at it, delete the old one. */
export class ProfileImagesService {
  private readonly repo: UsersRepo;

  constructor(
    private readonly database: Database,
    private readonly media: MediaService,
    private readonly bus: EventBus,
    private readonly clock: Clock,
  ) {
    this.repo = new UsersRepo(database.db);
  }

  async replace(userId: string, slot: ProfileImageSlot, file: UploadedFile): Promise<ReplacedImage> {
    const user = await this.repo.findById(userId);
    if (!user || user.deletedAt) throw userNotFound();
    const previous = slot === 'profile' ? user.profileImageUrl : user.coverImageUrl;
    const stored: StoredMedia = await this.media.store(slot, userId, file, { allowVideo: false });
    const now = this.clock.now();
    let updated;
    try {
      updated = await inTransaction(this.database, async (tx) => {
        const row = await new UsersRepo(tx).update(
          userId,
          slot === 'profile' ? { profileImageUrl: stored.ref } : { coverImageUrl: stored.ref },
          now,
        );
        if (row) await this.bus.publish(tx, 'user.profile_updated', { userId, changed: [slot === 'profile' ? 'profileImageUrl' : 'coverImageUrl'] });
        return row;
      });
    } catch (err) {
      await this.media.removeByRef(stored.ref, slot, userId);
      throw err;
    }
    if (!updated) {
      await this.media.removeByRef(stored.ref, slot, userId);
      throw userNotFound();
    }
    await this.media.removeByRef(previous, slot, userId);
    return { url: stored.ref, variants: stored.variants, updatedAt: updated.updatedAt };
  }
}
