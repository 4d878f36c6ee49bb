import type { EventBus } from '../../infra/bus/event-bus.js';
import type { AuthMail } from './auth.mail.js';
import type { AuthRecoveryService } from './auth.recovery.service.js';
import './auth.events.js';

/**
 * The auth feature's reactions to its own events, all off the request path: each mail the events ask
 * for is sent, and a reset request is looked up and mailed after its response was sent (equal
 * timing for every address).
 */
export function registerAuthSubscriptions(bus: EventBus, recovery: AuthRecoveryService, mail: AuthMail): void {
  bus.subscribe('auth.password_reset_asked', async ({ email }) => {
    await recovery.sendPasswordReset(email);
  });
  bus.subscribe('auth.verification_requested', (e) => mail.verification(e));
  bus.subscribe('auth.password_reset_requested', (e) => mail.passwordReset(e));
  bus.subscribe('auth.email_change_requested', (e) => mail.emailChangeRequested(e));
  bus.subscribe('auth.email_change_confirmed', (e) => mail.emailChangeConfirmed(e));
  bus.subscribe('auth.email_change_reverted', (e) => mail.emailChangeReverted(e));
  bus.subscribe('auth.password_changed', (e) => mail.passwordChanged(e));
}
