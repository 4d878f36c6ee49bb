import { sql, type SQL } from 'drizzle-orm';
import type { Db } from '../../infra/db/database.js';
import { queryRows } from '../../infra/db/rows.js';
import { accountActive, blockedEitherWay } from '../privacy/privacy.sql.js';
import { userCardOf, type UserCard } from '../users/user-card.js';
import { NOTIFICATION_TYPES, PREFERENCE_COLUMNS, type NotificationType, type PreferenceKey } from './notifications.catalog.js';

/** What a subscriber asks to be written: one notification for one recipient. */
export interface NotificationDraft {
  userId: string;
  type: NotificationType;
  title: string;
  message: string;
  relatedUserId?: string | null;
  relatedGoalId?: string | null;
  relatedPostId?: string | null;
  relatedCommentId?: string | null;
  imageUrl?: string | null;
  actionUrl: string;
  collapseKey?: string | null;
}

/** A notification row as the inbox and the push sender see it. */
export interface StoredNotification {
  id: string;
  userId: string;
  type: string;
  title: string;
  message: string;
  relatedUserId: string | null;
  relatedGoalId: string | null;
  relatedPostId: string | null;
  relatedCommentId: string | null;
  imageUrl: string | null;
  iconType: string | null;
  iconColor: string | null;
  actionUrl: string | null;
  actorCount: number;
  isRead: boolean;
  createdAt: Date;
}

export interface InboxItem extends StoredNotification {
  relatedUser: UserCard | null;
  relatedGoal: { id: string; title: string } | null;
}

type Raw = Record<string, unknown>;

const COLUMNS = sql.raw(`id, user_id, notification_type, title, message, related_user_id, related_goal_id, related_post_id,
  related_comment_id, image_url, icon_type, icon_color, action_url, actor_count, is_read, created_at`);

function toStored(r: Raw): StoredNotification {
  return {
    id: r.id as string,
    userId: r.user_id as string,
    type: r.notification_type as string,
    title: r.title as string,
    message: r.message as string,
    relatedUserId: (r.related_user_id as string | null) ?? null,
    relatedGoalId: (r.related_goal_id as string | null) ?? null,
    relatedPostId: (r.related_post_id as string | null) ?? null,
    relatedCommentId: (r.related_comment_id as string | null) ?? null,
    imageUrl: (r.image_url as string | null) ?? null,
    iconType: (r.icon_type as string | null) ?? null,
    iconColor: (r.icon_color as string | null) ?? null,
    actionUrl: (r.action_url as string | null) ?? null,
    actorCount: Number(r.actor_count),
    isRead: Boolean(r.is_read),
    createdAt: new Date(r.created_at as string | Date),
  };
}

/**
 * The recipient may receive this: an active account, the type's preference on (no row = the
 * plan's defaults), and no block either way with the actor. `recipient` is an SQL expression.
 */
function allowed(recipient: SQL, actorId: string | null, preference: PreferenceKey): SQL {
  const column = sql.raw(`np.${PREFERENCE_COLUMNS[preference]}`);
  const notBlocked = actorId === null ? sql`true` : sql`not ${blockedEitherWay(recipient, sql`${actorId}::uuid`)}`;
  return sql`${accountActive(recipient)}
    and coalesce((select ${column} from notification_preferences np where np.user_id = ${recipient}), true)
    and ${notBlocked}`;
}

function draftValues(d: NotificationDraft, now: Date): SQL {
  const meta = NOTIFICATION_TYPES[d.type];
  return sql`(${d.userId}::uuid, ${d.type}::varchar, ${d.title}::varchar, ${d.message}::text, ${d.relatedUserId ?? null}::uuid,
    ${d.relatedGoalId ?? null}::uuid, ${d.relatedPostId ?? null}::uuid, ${d.relatedCommentId ?? null}::uuid, ${d.imageUrl ?? null}::text,
    ${meta.icon}::varchar, ${meta.color}::varchar, ${d.actionUrl}::text, ${d.collapseKey ?? null}::varchar, ${now.toISOString()}::timestamptz)`;
}

/** Every SQL statement on `notifications` (plus the read models the notifications are written from). */
export class NotificationsRepo {
  constructor(private readonly db: Db) {}

  /**
   * Inserts the drafts whose recipient may receive them (see `allowed`), in one statement, and
   * returns the rows written. All drafts share `actorId` and the preference that governs them.
   */
  async insertAllowed(drafts: NotificationDraft[], actorId: string | null, preference: PreferenceKey, now: Date): Promise<StoredNotification[]> {
    if (drafts.length === 0) return [];
    const rows = await queryRows<Raw>(
      this.db,
      sql`insert into notifications (user_id, notification_type, title, message, related_user_id, related_goal_id, related_post_id,
          related_comment_id, image_url, icon_type, icon_color, action_url, collapse_key, created_at)
        select * from (values ${sql.join(drafts.map((d) => draftValues(d, now)), sql`, `)})
          as v(user_id, notification_type, title, message, related_user_id, related_goal_id, related_post_id, related_comment_id,
               image_url, icon_type, icon_color, action_url, collapse_key, created_at)
        where ${allowed(sql`v.user_id`, actorId, preference)}
        returning ${COLUMNS}`,
    );
    return rows.map(toStored);
  }

  /** Serialises writers of one (recipient, collapse key) until the transaction ends. */
  async lockCollapseKey(userId: string, collapseKey: string): Promise<void> {
    await this.db.execute(sql`select pg_advisory_xact_lock(hashtextextended(${`notifications:${userId}:${collapseKey}`}::text, 0))`);
  }

  async mayReceive(userId: string, actorId: string | null, preference: PreferenceKey): Promise<boolean> {
    const [row] = await queryRows<{ ok: boolean }>(this.db, sql`select ${allowed(sql`${userId}::uuid`, actorId, preference)} as ok`);
    return Boolean(row?.ok);
  }

  /** The newest row with this collapse key created after `since`, locked for update. */
  async findCollapsible(userId: string, collapseKey: string, since: Date): Promise<StoredNotification | undefined> {
    const [row] = await queryRows<Raw>(
      this.db,
      sql`select ${COLUMNS} from notifications
        where user_id = ${userId} and collapse_key = ${collapseKey} and created_at > ${since.toISOString()}::timestamptz
        order by created_at desc limit 1 for update`,
    );
    return row ? toStored(row) : undefined;
  }

  /** Folds one more actor into a collapsed row: new text, newest actor, unread again, moved to the top. */
  async updateCollapsed(
    id: string,
    change: { actorCount: number; relatedUserId: string; title: string; message: string; imageUrl: string | null },
    now: Date,
  ): Promise<StoredNotification> {
    const [row] = await queryRows<Raw>(
      this.db,
      sql`update notifications set actor_count = ${change.actorCount}, related_user_id = ${change.relatedUserId}, title = ${change.title},
          message = ${change.message}, image_url = ${change.imageUrl}, is_read = false, created_at = ${now.toISOString()}::timestamptz
        where id = ${id} returning ${COLUMNS}`,
    );
    if (!row) throw new Error('collapsed notification vanished under its lock');
    return toStored(row);
  }

  /** Id, username, name and picture of users (names in notification texts). */
  async cards(ids: string[]): Promise<Map<string, UserCard>> {
    if (ids.length === 0) return new Map();
    const rows = await queryRows<Raw>(
      this.db,
      sql`select id, username, full_name, profile_image_url from users where id = any(${`{${ids.join(',')}}`}::uuid[])`,
    );
    return new Map(
      rows.map((r) => [
        r.id as string,
        userCardOf(r),
      ]),
    );
  }

  async page(userId: string, types: string[] | null, unreadOnly: boolean, limit: number, offset: number): Promise<InboxItem[]> {
    const rows = await queryRows<Raw>(
      this.db,
      sql`select n.id, n.user_id, n.notification_type, n.title, n.message, n.related_user_id, n.related_goal_id, n.related_post_id,
          n.related_comment_id, n.image_url, n.icon_type, n.icon_color, n.action_url, n.actor_count, n.is_read, n.created_at,
          u.username as ru_username, u.full_name as ru_full_name, u.profile_image_url as ru_profile_image_url, g.title as rg_title
        from notifications n
        left join users u on u.id = n.related_user_id
        left join goals g on g.id = n.related_goal_id
        where ${this.inboxWhere(userId, types, unreadOnly)}
        order by n.created_at desc, n.id desc
        limit ${limit} offset ${offset}`,
    );
    return rows.map((r) => ({
      ...toStored(r),
      relatedUser:
        r.related_user_id && r.ru_username
          ? {
              id: r.related_user_id as string,
              username: r.ru_username as string,
              fullName: r.ru_full_name as string,
              profileImageUrl: (r.ru_profile_image_url as string | null) ?? null,
            }
          : null,
      relatedGoal: r.related_goal_id && r.rg_title ? { id: r.related_goal_id as string, title: r.rg_title as string } : null,
    }));
  }

  async count(userId: string, types: string[] | null, unreadOnly: boolean): Promise<number> {
    const [row] = await queryRows<{ n: number }>(
      this.db,
      sql`select count(*)::int as n from notifications n where ${this.inboxWhere(userId, types, unreadOnly)}`,
    );
    return Number(row?.n ?? 0);
  }

  private inboxWhere(userId: string, types: string[] | null, unreadOnly: boolean): SQL {
    const parts = [sql`n.user_id = ${userId}`, sql`not n.is_archived`];
    if (unreadOnly) parts.push(sql`not n.is_read`);
    if (types) parts.push(sql`n.notification_type = any(${`{${types.join(',')}}`}::varchar[])`);
    return sql.join(parts, sql` and `);
  }

  /** Marks one of the user's notifications read; false when it is not theirs (or unknown). */
  async markRead(userId: string, id: string): Promise<boolean> {
    const rows = await queryRows(this.db, sql`update notifications set is_read = true where id = ${id} and user_id = ${userId} returning id`);
    return rows.length > 0;
  }

  async markAllRead(userId: string): Promise<number> {
    const rows = await queryRows(
      this.db,
      sql`update notifications set is_read = true where user_id = ${userId} and not is_read and not is_archived returning id`,
    );
    return rows.length;
  }

  async delete(userId: string, id: string): Promise<boolean> {
    const rows = await queryRows(this.db, sql`delete from notifications where id = ${id} and user_id = ${userId} returning id`);
    return rows.length > 0;
  }

  /** After a block: neither user keeps notifications about the other. */
  async deleteBetween(a: string, b: string): Promise<number> {
    const rows = await queryRows(
      this.db,
      sql`delete from notifications where (user_id = ${a} and related_user_id = ${b}) or (user_id = ${b} and related_user_id = ${a}) returning id`,
    );
    return rows.length;
  }

  /** Removes a request notification whose request was withdrawn. */
  async retract(userId: string, type: NotificationType, relatedUserId: string): Promise<void> {
    await this.db.execute(
      sql`delete from notifications where user_id = ${userId} and notification_type = ${type} and related_user_id = ${relatedUserId}`,
    );
  }

  /**
   * Partner check-ins (a read model over `accountability_partners`, owned by partners): for every
   * active partnership with a check-in frequency, both partners get one `partner_checkin` per period
   * (days or weeks since the partnership started; the first is due one period after the start).
   * One statement; the collapse key `partner_checkin:{partnership}:{period}` makes it idempotent
   * (the caller serialises runs with an advisory lock). Returns the rows written.
   */
  async insertDuePartnerCheckins(now: Date, limit: number): Promise<StoredNotification[]> {
    const meta = NOTIFICATION_TYPES.partner_checkin;
    const at = sql`${now.toISOString()}::timestamptz`;
    const rows = await queryRows<Raw>(
      this.db,
      sql`with due as (
          select ap.id, ap.user_id, ap.partner_id, ap.check_in_frequency,
            floor(extract(epoch from (${at} - ap.started_at))
              / (case ap.check_in_frequency when 'daily' then 86400 else 604800 end))::int as period
          from accountability_partners ap
          where ap.status = 'active' and ap.check_in_frequency in ('daily', 'weekly') and ap.started_at <= ${at} - interval '1 day'
        ),
        sides as (
          select due.id, due.check_in_frequency, s.recipient, s.other,
            'partner_checkin:' || due.id || ':' || due.period as collapse_key
          from due cross join lateral (values (due.user_id, due.partner_id), (due.partner_id, due.user_id)) as s(recipient, other)
          where due.period >= 1
        )
        insert into notifications (user_id, notification_type, title, message, related_user_id, icon_type, icon_color, action_url,
          collapse_key, created_at)
        select sides.recipient, 'partner_checkin', 'Time to check in',
          'Check in with ' || o.full_name || ' on your goals (' || sides.check_in_frequency || ' check-in)',
          sides.other, ${meta.icon}, ${meta.color}, '/partners/' || sides.id, sides.collapse_key, ${at}
        from sides join users o on o.id = sides.other
        where ${allowed(sql`sides.recipient`, null, 'goalReminders')}
          and not ${blockedEitherWay(sql`sides.recipient`, sql`sides.other`)}
          and not exists (select 1 from notifications n where n.user_id = sides.recipient and n.collapse_key = sides.collapse_key)
        limit ${limit}
        returning ${COLUMNS}`,
    );
    return rows.map(toStored);
  }

  async lockPartnerCheckins(): Promise<void> {
    await this.db.execute(sql`select pg_advisory_xact_lock(hashtextextended('notifications:partner_checkins', 0))`);
  }
}
