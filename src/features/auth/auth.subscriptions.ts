import type { EventBus } from '../../infra/bus/event-bus.js';
import type { UsersService } from '../users/users.service.js';
import '../users/users.events.js';
import type { AuthRecoveryService } from './auth.recovery.service.js';

/** A changed email address must be verified again: mail a fresh link to the new address. */
export function registerAuthSubscriptions(bus: EventBus, users: UsersService, recovery: AuthRecoveryService): void {
  bus.subscribe('user.email_changed', async ({ userId }) => {
    const user = await users.getById(userId);
    await recovery.requestVerification(user);
  });
}
