import type { EventBus } from '../../infra/bus/event-bus.js';
import type { Clock } from '../../infra/clock/clock.js';
import { inTransaction, type Database, type Db } from '../../infra/db/database.js';
import { claimReceipt, type EventReceipt } from '../../infra/db/event-receipts.js';
import type { UserCard } from '../users/user-card.js';
import { NOTIFICATION_TYPES, type PreferenceKey } from './notifications.catalog.js';
import { NotificationsRepo, type NotificationDraft, type StoredNotification } from './notifications.repo.js';
import type { NotificationNewJson } from './notifications.events.js';
import type { OutboxPayload } from './push-outbox.repo.js';
import type { PushDeliveryService } from './push-delivery.service.js';
import './notifications.events.js';

/** How long a pushed notification waits on the push service for an offline device. */
const NOTIFICATION_PUSH_TTL_S = 24 * 3600;

export function toNotificationNew(n: StoredNotification): NotificationNewJson {
  return {
    id: n.id,
    title: n.title,
    message: n.message,
    notification_type: n.type,
    image_url: n.imageUrl,
    icon_type: n.iconType,
    icon_color: n.iconColor,
    action_url: n.actionUrl,
    actor_count: n.actorCount,
    created_at: n.createdAt.toISOString(),
  };
}

function pushPayload(n: StoredNotification, preference: PreferenceKey): OutboxPayload {
  return {
    kind: 'notification',
    preference,
    title: n.title,
    body: n.message,
    data: { notification_id: n.id, notification_type: n.type, action_url: n.actionUrl ?? '' },
    // The inbox image is the actor's avatar: not a picture worth a large push image.
    image_url: null,
    collapse_key: null,
    urgency: 'high',
    ttl_seconds: NOTIFICATION_PUSH_TTL_S,
  };
}

/** The text of a collapsible notification for `actorCount` actors, the newest being `actor`. */
export type CollapsedText = (actor: UserCard, actorCount: number) => { title: string; message: string };

/**
 * Writes notifications (the only writer of `notifications` rows besides the inbox's read/delete),
 * and in the writing transaction publishes `notification.created` and queues the pushes (the
 * delivery pass starts after the commit). Every write checks, in its SQL, that the recipient is
 * active, wants this type, and is not blocked either way with the actor; nobody is ever notified
 * of their own action. A write an event handler asks for takes the event's receipt and claims it
 * in that transaction (event_receipts): a retried job writes, counts and pushes nothing again.
 */
export class NotifierService {
  private readonly repo: NotificationsRepo;

  constructor(
    private readonly database: Database,
    private readonly bus: EventBus,
    private readonly clock: Clock,
    private readonly push: PushDeliveryService,
  ) {
    this.repo = new NotificationsRepo(database.db);
  }

  cards(ids: string[]): Promise<Map<string, UserCard>> {
    return this.repo.cards([...new Set(ids)]);
  }

  /**
   * Notifies each draft's recipient (all drafts of one preference), except the actor, once per
   * `receipt`; returns the rows written.
   */
  async notify(drafts: NotificationDraft[], actorId: string | null, receipt?: EventReceipt): Promise<StoredNotification[]> {
    const seen = new Set<string>();
    const wanted = drafts.filter((d) => d.userId !== actorId && !seen.has(d.userId) && seen.add(d.userId));
    const first = wanted[0];
    if (!first) return [];
    const preference = NOTIFICATION_TYPES[first.type].preference;
    return inTransaction(this.database, async (tx) => {
      if (!(await claimReceipt(tx, receipt))) return [];
      const inserted = await new NotificationsRepo(tx).insertAllowed(wanted, actorId, preference, this.clock.now());
      await this.announce(tx, inserted);
      await this.queuePushes(tx, inserted, preference, actorId);
      return inserted;
    });
  }

  /**
   * Notifies one recipient, folding the actor into the recipient's notification with the same
   * collapse key if one was written or updated within `windowMs` ("Alvin and 3 others liked your
   * memory"). Concurrent calls for one (recipient, key) are serialised by an advisory lock held for
   * the transaction, so they never write two rows or lose a count, on PostgreSQL as on PGlite.
   * Once per `receipt` (claimed under the lock): a retried like is not counted again.
   */
  async notifyCollapsing(
    draft: NotificationDraft & { collapseKey: string },
    actor: UserCard,
    windowMs: number,
    text: CollapsedText,
    receipt?: EventReceipt,
  ): Promise<StoredNotification | undefined> {
    if (draft.userId === actor.id) return undefined;
    const preference = NOTIFICATION_TYPES[draft.type].preference;
    const now = this.clock.now();
    return inTransaction(this.database, async (tx) => {
      const repo = new NotificationsRepo(tx);
      await repo.lockCollapseKey(draft.userId, draft.collapseKey);
      if (!(await claimReceipt(tx, receipt))) return undefined;
      if (!(await repo.mayReceive(draft.userId, actor.id, preference))) return undefined;
      const existing = await repo.findCollapsible(draft.userId, draft.collapseKey, new Date(now.getTime() - windowMs));
      let written: StoredNotification | undefined;
      if (!existing) {
        [written] = await repo.insertAllowed([{ ...draft, ...text(actor, 1) }], actor.id, preference, now);
      } else {
        // The same actor again (e.g. unlike + like) is not a new actor.
        const actorCount = existing.relatedUserId === actor.id ? existing.actorCount : existing.actorCount + 1;
        written = await repo.updateCollapsed(
          existing.id,
          { actorCount, relatedUserId: actor.id, ...text(actor, actorCount), imageUrl: actor.profileImageUrl },
          now,
        );
      }
      if (written) {
        await this.announce(tx, [written]);
        await this.queuePushes(tx, [written], preference, actor.id);
      }
      return written;
    });
  }

  /** Writes the partner check-ins that are due (see NotificationsRepo.insertDuePartnerCheckins). */
  async firePartnerCheckins(now: Date = this.clock.now()): Promise<number> {
    let total = 0;
    for (;;) {
      const rows = await inTransaction(this.database, async (tx) => {
        const repo = new NotificationsRepo(tx);
        await repo.lockPartnerCheckins();
        const inserted = await repo.insertDuePartnerCheckins(now, 500);
        await this.announce(tx, inserted);
        // Blocks were excluded by the insert; the push enqueue needs no actor.
        await this.queuePushes(tx, inserted, 'goalReminders', null);
        return inserted;
      });
      total += rows.length;
      if (rows.length < 500) return total;
    }
  }

  /**
   * After a block: removes what either user was notified of about the other. Once per `receipt`, so
   * a redelivered block event does not remove what they were notified of after an unblock.
   */
  async forgetBetween(a: string, b: string, receipt?: EventReceipt): Promise<void> {
    await inTransaction(this.database, async (tx) => {
      if (await claimReceipt(tx, receipt)) await new NotificationsRepo(tx).deleteBetween(a, b);
    });
  }

  /** A withdrawn request: its "new request" notification goes too (once per `receipt`, not a later request's). */
  async retract(userId: string, type: 'friend_request' | 'partner_request', fromUserId: string, receipt?: EventReceipt): Promise<void> {
    await inTransaction(this.database, async (tx) => {
      if (await claimReceipt(tx, receipt)) await new NotificationsRepo(tx).retract(userId, type, fromUserId);
    });
  }

  /** Publishes `notification.created` for each row, through the transaction that wrote them. */
  private async announce(tx: Db, rows: StoredNotification[]): Promise<void> {
    for (const row of rows) await this.bus.publish(tx, 'notification.created', { userId: row.userId, notification: toNotificationNew(row) });
  }

  /** Queues the rows' pushes through the transaction that wrote them (the delivery pass starts after its commit). */
  private async queuePushes(tx: Db, rows: StoredNotification[], preference: PreferenceKey, actorId: string | null): Promise<void> {
    await this.push.enqueue(
      rows.map((n) => ({ notificationId: n.id, userId: n.userId, payload: pushPayload(n, preference) })),
      preference,
      actorId,
      tx,
    );
  }
}
