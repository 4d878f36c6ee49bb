import type { EventBus } from '../../infra/bus/event-bus.js';
import '../users/users.events.js';
import type { SettingsService } from './settings.service.js';

/**
 * Every account gets the plan's default settings and notification preferences rows (the `settings`
 * subscriber's jobs). Idempotent by its natural key: each row is one per user, inserted with
 * `on conflict do nothing`, so a retried job changes nothing.
 */
export function registerSettingsSubscriptions(bus: EventBus, settings: SettingsService): void {
  bus.subscriber('settings').on('user.registered', async ({ userId }) => settings.ensureDefaults(userId));
}
