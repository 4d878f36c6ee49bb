import type { EventBus, EventMeta } from '../../infra/bus/event-bus.js';
import type { Database } from '../../infra/db/database.js';
import { onceExternally, type EventReceipt } from '../../infra/db/event-receipts.js';
import type { AuthMail } from './auth.mail.js';
import type { AuthRecoveryService } from './auth.recovery.service.js';
import './auth.events.js';

/** The durable subscriber's name (its queue: events.auth-mail). */
export const AUTH_MAIL_SUBSCRIBER = 'auth-mail';

/**
 * The auth feature's reactions to its own events, all off the request path, as jobs of the
 * `auth-mail` subscriber (retried until they succeed): each mail the events ask for is sent, and a
 * reset request is looked up and mailed after its response was sent (equal timing for every
 * address). Idempotent per event: a reset request issues its token (and the mail's event) once, in
 * the transaction of its receipt; a mail is skipped when its receipt exists and recorded right after
 * the send, with a Message-ID made from the event id, so only a worker dying between the send and the
 * receipt repeats a mail, and that under the same Message-ID (docs/ARCHITECTURE.md, "Durable side
 * effects: idempotent handlers").
 */
export function registerAuthSubscriptions(bus: EventBus, database: Database, recovery: AuthRecoveryService, mail: AuthMail): void {
  const s = bus.subscriber(AUTH_MAIL_SUBSCRIBER);
  const receipt = (meta: EventMeta): EventReceipt => ({ subscriber: AUTH_MAIL_SUBSCRIBER, eventId: meta.eventId });
  const mailOnce = (meta: EventMeta, send: () => Promise<void>) => onceExternally(database.db, receipt(meta), send);

  s.on('auth.password_reset_asked', async ({ email }, meta) => {
    await recovery.sendPasswordReset(email, receipt(meta));
  });
  s.on('auth.verification_requested', (e, meta) => mailOnce(meta, () => mail.verification(e, meta.eventId)));
  s.on('auth.password_reset_requested', (e, meta) => mailOnce(meta, () => mail.passwordReset(e, meta.eventId)));
  s.on('auth.email_change_requested', (e, meta) => mailOnce(meta, () => mail.emailChangeRequested(e, meta.eventId)));
  s.on('auth.email_change_confirmed', (e, meta) => mailOnce(meta, () => mail.emailChangeConfirmed(e, meta.eventId)));
  s.on('auth.email_change_reverted', (e, meta) => mailOnce(meta, () => mail.emailChangeReverted(e, meta.eventId)));
  s.on('auth.password_changed', (e, meta) => mailOnce(meta, () => mail.passwordChanged(e, meta.eventId)));
}
