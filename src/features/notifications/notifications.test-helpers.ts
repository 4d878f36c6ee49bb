/** Helpers shared by the notifications feature's tests (not a test file itself). */
import { sql } from 'drizzle-orm';
import type { AppContext } from '../../context.js';
import { queryRows } from '../../infra/db/rows.js';
import type { TestUser } from '../../../test/factories.js';
import type { NotificationType } from './notifications.catalog.js';

export const NO_RATE_LIMITS = { RATE_LIMIT_ENABLED: 'false' };
export const UNKNOWN_ID = '00000000-0000-4000-8000-000000000000';

export interface NotificationRowView {
  id: string;
  user_id: string;
  notification_type: string;
  title: string;
  message: string;
  related_user_id: string | null;
  related_goal_id: string | null;
  related_post_id: string | null;
  related_comment_id: string | null;
  image_url: string | null;
  icon_type: string | null;
  icon_color: string | null;
  action_url: string | null;
  actor_count: number;
  is_read: boolean;
  push_sent: boolean;
}

/** The notifications rows of a user (after every event handler has finished), oldest first. */
export async function notificationsOf(ctx: AppContext, user: TestUser, type?: string): Promise<NotificationRowView[]> {
  await ctx.bus.drain();
  return queryRows<NotificationRowView & Record<string, unknown>>(
    ctx.database.db,
    sql`select * from notifications where user_id = ${user.id} ${type ? sql`and notification_type = ${type}` : sql``} order by created_at, id`,
  );
}

/**
 * Deletes what `users` were notified of so far, so a test that looks at what one action notifies
 * starts from an empty list once its social graph is built (makeFriends notifies as the app does:
 * friend_request to the addressee, friend_accepted to the requester).
 */
export async function clearNotifications(ctx: AppContext, ...users: TestUser[]): Promise<void> {
  await ctx.bus.drain();
  for (const user of users) await ctx.database.db.execute(sql`delete from notifications where user_id = ${user.id}`);
}

/** Writes one notification for `to` through the notifier (as a subscriber would). */
export async function makeNotification(
  ctx: AppContext,
  to: TestUser,
  options: { type?: NotificationType; from?: TestUser; title?: string } = {},
): Promise<string> {
  const [row] = await ctx.services.notifier.notify(
    [
      {
        userId: to.id,
        type: options.type ?? 'friend_request',
        title: options.title ?? 'New Friend Request',
        message: 'Someone sent you a friend request',
        relatedUserId: options.from?.id ?? null,
        actionUrl: options.from ? `/users/${options.from.id}` : '/achievements',
      },
    ],
    options.from?.id ?? null,
  );
  if (!row) throw new Error('notification not written');
  return row.id;
}

export async function setPreferences(ctx: AppContext, user: TestUser, flags: Record<string, boolean>): Promise<void> {
  await ctx.services.preferences.update(user.id, flags);
}

export async function scalar<T = unknown>(ctx: AppContext, query: ReturnType<typeof sql>): Promise<T> {
  const [row] = await queryRows<Record<string, unknown>>(ctx.database.db, query);
  return Object.values(row ?? {})[0] as T;
}
