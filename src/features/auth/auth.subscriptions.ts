import type { EventBus } from '../../infra/bus/event-bus.js';
import type { AuthRecoveryService } from './auth.recovery.service.js';
import './auth.events.js';

/** A reset request is looked up and mailed after its response was sent (equal timing for every address). */
export function registerAuthSubscriptions(bus: EventBus, recovery: AuthRecoveryService): void {
  bus.subscribe('auth.password_reset_asked', async ({ email }) => {
    await recovery.sendPasswordReset(email);
  });
}
