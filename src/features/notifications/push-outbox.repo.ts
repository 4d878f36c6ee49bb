import { sql, type SQL } from 'drizzle-orm';
import type { Db } from '../../infra/db/database.js';
import { queryRows } from '../../infra/db/rows.js';
import { activeAccountRow, blockedEitherWay } from '../privacy/privacy.sql.js';
import { PREFERENCE_COLUMNS, type PreferenceKey } from './notifications.catalog.js';
import type { PushOutboxProvider } from './notifications.vocabulary.js';

/** What a push_outbox row's `payload` holds (its schedule is the `not_before` column). */
export interface OutboxPayload {
  kind: 'notification' | 'message';
  /** The preference that must still be on at send time (plus push_enabled). */
  preference: PreferenceKey;
  title: string;
  body: string;
  data: Record<string, string>;
  image_url: string | null;
  collapse_key: string | null;
  urgency: 'normal' | 'high';
  ttl_seconds: number;
}

export interface EnqueueItem {
  notificationId: string | null;
  userId: string;
  payload: OutboxPayload;
}

/** A row claimed for sending, with what is needed to decide and to send. */
export interface ClaimedPush {
  id: string;
  notificationId: string | null;
  pushTokenId: string | null;
  userId: string;
  provider: PushOutboxProvider;
  payload: OutboxPayload;
  /** Attempts including this one (the fence of every later update of the row). */
  attempts: number;
  token: { value: string; deviceType: string | null; active: boolean; ownerId: string } | null;
  preferences: Record<string, boolean> | null;
}

export interface ProviderChoice {
  /** Provider for android and ios tokens. */
  mobile: 'fcm' | 'log';
  web: 'webpush' | 'log';
}

type Raw = Record<string, unknown>;

/** Every SQL statement on `push_outbox`, and the token deactivation the sender decides on. */
export class PushOutboxRepo {
  constructor(private readonly db: Db) {}

  /**
   * One row per (item, active token of its user) when the user is active, has push on and the item's
   * preference on; `actorId` also drops users blocked either way with the actor. Enqueueing the
   * same notification for the same token again refreshes a still-pending payload (a collapsed
   * notification's newer text) and keeps its schedule, so a claimed row is never handed out twice.
   */
  async enqueue(items: EnqueueItem[], preference: PreferenceKey, actorId: string | null, providers: ProviderChoice, now: Date): Promise<number> {
    if (items.length === 0) return 0;
    const at = now.toISOString();
    const column = sql.raw(`np.${PREFERENCE_COLUMNS[preference]}`);
    const values = sql.join(
      items.map((i) => sql`(${i.notificationId}::uuid, ${i.userId}::uuid, ${JSON.stringify(i.payload)}::jsonb)`),
      sql`, `,
    );
    const notBlocked: SQL = actorId === null ? sql`true` : sql`not ${blockedEitherWay(sql`v.user_id`, sql`${actorId}::uuid`)}`;
    const rows = await queryRows(
      this.db,
      sql`insert into push_outbox (notification_id, push_token_id, user_id, provider, payload, status, attempts, created_at, not_before)
        select v.notification_id, t.id, v.user_id,
          case when t.device_type = 'web' then ${providers.web} else ${providers.mobile} end, v.payload, 'pending', 0, ${at}::timestamptz, ${at}::timestamptz
        from (values ${values}) as v(notification_id, user_id, payload)
        join users u on u.id = v.user_id and ${activeAccountRow('u')}
        join push_tokens t on t.user_id = v.user_id and t.is_active
        left join notification_preferences np on np.user_id = v.user_id
        where coalesce(np.push_enabled, true) and coalesce(${column}, true) and ${notBlocked}
        on conflict (notification_id, push_token_id) do update
          set payload = excluded.payload
          where push_outbox.status = 'pending'
        returning id`,
    );
    return rows.length;
  }

  /**
   * Claims up to `limit` due rows for this sender: each claimed row's attempts go up by one and its
   * `not_before` moves to `leaseUntil`, in one statement whose row locks are taken with SKIP LOCKED,
   * so concurrent senders (processes or connections) never claim the same row.
   */
  async claim(now: Date, leaseUntil: Date, limit: number): Promise<ClaimedPush[]> {
    const rows = await queryRows<Raw>(
      this.db,
      sql`update push_outbox o
        set attempts = o.attempts + 1, not_before = ${leaseUntil.toISOString()}::timestamptz
        from (select id from push_outbox
              where status = 'pending' and not_before <= ${now.toISOString()}::timestamptz
              order by not_before, id limit ${limit} for update skip locked) c
        where o.id = c.id
        returning o.id, o.notification_id, o.push_token_id, o.user_id, o.provider, o.payload, o.attempts,
          (select jsonb_build_object('value', t.token, 'device_type', t.device_type, 'active', t.is_active, 'owner', t.user_id)
             from push_tokens t where t.id = o.push_token_id) as token,
          (select to_jsonb(np) from notification_preferences np where np.user_id = o.user_id) as preferences`,
    );
    return rows.map((r) => {
      const token = r.token as { value: string; device_type: string | null; active: boolean; owner: string } | null;
      return {
        id: r.id as string,
        notificationId: (r.notification_id as string | null) ?? null,
        pushTokenId: (r.push_token_id as string | null) ?? null,
        userId: r.user_id as string,
        provider: r.provider as PushOutboxProvider,
        payload: r.payload as OutboxPayload,
        attempts: Number(r.attempts),
        token: token ? { value: token.value, deviceType: token.device_type, active: token.active, ownerId: token.owner } : null,
        preferences: (r.preferences as Record<string, boolean> | null) ?? null,
      };
    });
  }

  /** True while the notification row still exists (deleted notifications are not pushed). */
  async notificationExists(id: string): Promise<boolean> {
    const rows = await queryRows(this.db, sql`select 1 from notifications where id = ${id}`);
    return rows.length > 0;
  }

  /** The updates below only apply to the claim that made `attempts` (a fence against a stale sender). */
  async markSent(id: string, attempts: number, now: Date): Promise<void> {
    await this.db.execute(
      sql`update push_outbox set status = 'sent', sent_at = ${now.toISOString()}::timestamptz, last_error = null
        where id = ${id} and attempts = ${attempts} and status = 'pending'`,
    );
  }

  async reschedule(id: string, attempts: number, notBefore: Date, error: string): Promise<void> {
    await this.db.execute(
      sql`update push_outbox set last_error = ${error}, not_before = ${notBefore.toISOString()}::timestamptz
        where id = ${id} and attempts = ${attempts} and status = 'pending'`,
    );
  }

  async markFailed(id: string, attempts: number, error: string): Promise<void> {
    await this.db.execute(
      sql`update push_outbox set status = 'failed', last_error = ${error} where id = ${id} and attempts = ${attempts} and status = 'pending'`,
    );
  }

  async deactivateToken(tokenId: string, now: Date): Promise<void> {
    await this.db.execute(sql`update push_tokens set is_active = false, updated_at = ${now.toISOString()}::timestamptz where id = ${tokenId}`);
  }

  async markNotificationPushed(notificationId: string, now: Date): Promise<void> {
    await this.db.execute(
      sql`update notifications set push_sent = true, push_sent_at = coalesce(push_sent_at, ${now.toISOString()}::timestamptz)
        where id = ${notificationId}`,
    );
  }
}
