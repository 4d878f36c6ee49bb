import type { Clock } from '../../infra/clock/clock.js';
import type { Database } from '../../infra/db/database.js';
import type { Page } from '../../lib/page.js';
import { typesOfGroup, type NotificationFilter } from './notifications.catalog.js';
import { notificationNotFound } from './notifications.errors.js';
import { NotificationsRepo, type InboxItem } from './notifications.repo.js';

export interface InboxQuery {
  page: number;
  limit: number;
  filter: NotificationFilter;
  unreadOnly: boolean;
}

export interface InboxPage extends Page<InboxItem> {
  unreadCount: number;
  now: Date;
}

/** The caller's notification inbox (plan 4.9): every use case touches only the caller's own rows. */
export class NotificationsService {
  private readonly repo: NotificationsRepo;

  constructor(
    database: Database,
    private readonly clock: Clock,
  ) {
    this.repo = new NotificationsRepo(database.db);
  }

  async list(userId: string, q: InboxQuery): Promise<InboxPage> {
    const types = q.filter === 'all' ? null : typesOfGroup(q.filter);
    const [items, total, unreadCount] = await Promise.all([
      this.repo.page(userId, types, q.unreadOnly, q.limit, (q.page - 1) * q.limit),
      this.repo.count(userId, types, q.unreadOnly),
      this.repo.count(userId, null, true),
    ]);
    return { items, total, unreadCount, now: this.clock.now() };
  }

  unreadCount(userId: string): Promise<number> {
    return this.repo.count(userId, null, true);
  }

  /** Marks one notification read (idempotent); 404 notification_not_found for another user's or an unknown id. */
  async markRead(userId: string, id: string): Promise<number> {
    if (!(await this.repo.markRead(userId, id))) throw notificationNotFound();
    return this.unreadCount(userId);
  }

  /** Returns how many notifications changed. */
  markAllRead(userId: string): Promise<number> {
    return this.repo.markAllRead(userId);
  }

  async remove(userId: string, id: string): Promise<void> {
    if (!(await this.repo.delete(userId, id))) throw notificationNotFound();
  }
}
