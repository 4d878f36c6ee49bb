import type { FastifyRequest } from 'fastify';
import { byCaller, byIp, rateLimited, reportRateLimit, type RateLimitSettings } from '../../http/rate-limit.js';
import type { RateLimiter } from '../../infra/ratelimit/rate-limiter.js';
import { AppError } from '../../lib/app-error.js';

const HOUR = 3600;

/**
 * Failed invite redemptions (docs/ARCHITECTURE.md, "Friend invites"): a code that matches nobody
 * counts; a redemption that finds the code's owner does not. With 65-bit codes, 10 misses an hour
 * per account and 50 per address leave guessing hopeless, while a mistyped code costs one miss.
 */
export const INVITE_REDEEM_LIMITS = {
  /** Misses by one account. */
  caller: { name: 'friend_invite_miss', limit: 10, windowSeconds: HOUR },
  /** Misses from one address (IPv6: one /64), any accounts. */
  address: { name: 'friend_invite_miss_ip', limit: 50, windowSeconds: HOUR },
} as const;

const isMiss = (error: unknown) => error instanceof AppError && error.code === 'invite_not_found';

/** The redemption limits over the shared rate-limit store; a no-op when limits are off. */
export class InviteRedeemLimits {
  constructor(
    private readonly limiter: RateLimiter,
    private readonly settings: RateLimitSettings,
  ) {}

  /**
   * Runs a redemption `attempt`: refuses (429) a client past its miss limits before the code is
   * looked up, and keeps the attempt's count only when it misses (404 invite_not_found).
   */
  async guard<T>(request: FastifyRequest, attempt: () => Promise<T>): Promise<T> {
    if (!this.settings.enabled) return attempt();
    const { caller, address } = INVITE_REDEEM_LIMITS;
    const callerKey = `${caller.name}:${byCaller(request)}`;
    const addressKey = `${address.name}:${byIp(request)}`;
    // Reserve a miss before looking (atomic, so parallel guesses cannot overshoot) and give it back
    // when the attempt turns out not to be one.
    const callerVerdict = await this.limiter.hit(callerKey, caller.limit, caller.windowSeconds);
    if (!callerVerdict.allowed) throw rateLimited(request, caller.name, caller.limit, callerVerdict);
    const addressVerdict = await this.limiter.hit(addressKey, address.limit, address.windowSeconds);
    if (!addressVerdict.allowed) {
      await this.limiter.refund(callerKey);
      throw rateLimited(request, address.name, address.limit, addressVerdict);
    }
    reportRateLimit(request, caller.limit, callerVerdict);
    reportRateLimit(request, address.limit, addressVerdict);
    const release = () => Promise.all([this.limiter.refund(callerKey), this.limiter.refund(addressKey)]);
    try {
      const result = await attempt();
      await release();
      return result;
    } catch (error) {
      if (!isMiss(error)) await release();
      throw error;
    }
  }
}
