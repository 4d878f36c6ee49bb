import type { Clock } from '../../infra/clock/clock.js';
import type { Database } from '../../infra/db/database.js';
import type { AllowedPushHost } from '../../infra/push/web-push-endpoint-policy.js';
import { parseWebPushSubscription, webPushToken } from '../../infra/push/web-push-subscription.js';
import { invalidPushEndpoint, invalidPushToken, pushTokenNotFound } from './notifications.errors.js';
import type { PushTokenRow } from './notifications.tables.js';
import type { DeviceType } from './notifications.vocabulary.js';
import { PushTokensRepo } from './push-tokens.repo.js';


/** FCM registration tokens (android, and ios through FCM): printable, no spaces or JSON. */
const FCM_TOKEN = /^[A-Za-z0-9_:.-]{16,4096}$/;

/**
 * Device tokens for push. android/ios: the FCM registration token. web: the browser's
 * PushSubscription JSON (see infra/push/web-push-subscription.ts), stored in canonical form so the
 * same subscription registered twice is the same token; its endpoint must be on an allow-listed
 * push service host (the push job POSTs there), else 422 invalid_push_endpoint.
 */
export class PushTokensService {
  private readonly repo: PushTokensRepo;

  constructor(
    database: Database,
    private readonly clock: Clock,
    private readonly allowedPushHosts: readonly AllowedPushHost[],
  ) {
    this.repo = new PushTokensRepo(database.db);
  }

  async register(userId: string, input: { token: string; deviceType: DeviceType; deviceId: string | null }): Promise<PushTokenRow> {
    const token = this.canonicalToken(input.token, input.deviceType);
    const now = this.clock.now();
    const row = await this.repo.upsert(userId, token, input.deviceType, input.deviceId, now);
    if (input.deviceId) await this.repo.deactivateOtherTokensOfDevice(userId, input.deviceId, row.id, now);
    return row;
  }

  async remove(userId: string, tokenId: string): Promise<void> {
    if (!(await this.repo.delete(userId, tokenId))) throw pushTokenNotFound();
  }

  private canonicalToken(token: string, deviceType: DeviceType): string {
    if (deviceType === 'web') {
      const parsed = parseWebPushSubscription(token, this.allowedPushHosts);
      if ('error' in parsed) throw parsed.invalid === 'endpoint' ? invalidPushEndpoint(parsed.error) : invalidPushToken(parsed.error);
      return webPushToken(parsed);
    }
    const trimmed = token.trim();
    if (!FCM_TOKEN.test(trimmed)) throw invalidPushToken('must be an FCM registration token');
    return trimmed;
  }
}
