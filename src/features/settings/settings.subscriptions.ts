import type { EventBus } from '../../infra/bus/event-bus.js';
import '../users/users.events.js';
import type { SettingsService } from './settings.service.js';

/** Every account gets the plan's default settings and notification preferences rows. */
export function registerSettingsSubscriptions(bus: EventBus, settings: SettingsService): void {
  bus.subscribe('user.registered', async ({ userId }) => settings.ensureDefaults(userId));
}
