import type { FastifyRequest } from 'fastify';
import { byIp, rateLimited, reportRateLimit, type RateLimitSettings } from '../../http/rate-limit.js';
import type { RateLimiter } from '../../infra/ratelimit/rate-limiter.js';
import { AppError } from '../../lib/app-error.js';
import { normalizeEmail } from '../users/users.rules.js';

const MINUTE = 60;
const HOUR = 3600;

/**
 * Login and recovery limits (docs/ARCHITECTURE.md, "Login and recovery limits"). Login limits count
 * wrong passwords only; none of them can refuse the right password from a client that is not failing.
 */
export const LOGIN_LIMITS = {
  /** Wrong passwords for one account from one address (IPv6: one /64). */
  pair: { name: 'login_fail_pair', limit: 5, windowSeconds: 15 * MINUTE },
  /** Wrong passwords from one address, any accounts; sized for a carrier or office NAT. */
  address: { name: 'login_fail_ip', limit: 100, windowSeconds: 15 * MINUTE },
  /** Wrong passwords for one account from anywhere; past it, only clients without a failure on it get a check. */
  account: { name: 'login_fail_account', limit: 50, windowSeconds: HOUR },
} as const;

export const FORGOT_PASSWORD_LIMITS = {
  /** Requests from one address: 429 past it. */
  address: { name: 'forgot_ip', limit: 20, windowSeconds: HOUR },
  /** Reset mails for one account: past it the request still answers 202 but mails nothing. */
  accountMails: { name: 'forgot_account_mails', limit: 3, windowSeconds: HOUR },
} as const;

const isWrongPassword = (error: unknown) => error instanceof AppError && error.code === 'invalid_credentials';

/** The login and forgot-password limits over the shared rate-limit store; no-ops when limits are off. */
export class AuthLimits {
  constructor(
    private readonly limiter: RateLimiter,
    private readonly settings: RateLimitSettings,
  ) {}

  /**
   * Runs a login `attempt` for `email` under the login limits: refuses (429) a client past its own
   * limits before any password is checked, and counts the attempt only when it fails with a wrong password.
   */
  async guardLogin<T>(request: FastifyRequest, email: string, attempt: () => Promise<T>): Promise<T> {
    if (!this.settings.enabled) return attempt();
    const { pair, address, account } = LOGIN_LIMITS;
    const login = normalizeEmail(email);
    const from = byIp(request);
    // An address never holds '|', so the pair key is unambiguous whatever the email contains.
    const pairKey = `${pair.name}:${from}|${login}`;
    const addressKey = `${address.name}:${from}`;
    const accountKey = `${account.name}:${login}`;

    // Reserve a failure before checking (atomic, so parallel guesses cannot overshoot) and give it
    // back when the attempt turns out not to be a wrong password.
    const pairVerdict = await this.limiter.hit(pairKey, pair.limit, pair.windowSeconds);
    if (!pairVerdict.allowed) throw rateLimited(request, pair.name, pair.limit, pairVerdict);
    const addressVerdict = await this.limiter.hit(addressKey, address.limit, address.windowSeconds);
    if (!addressVerdict.allowed) {
      await this.limiter.refund(pairKey);
      throw rateLimited(request, address.name, address.limit, addressVerdict);
    }
    const release = () => Promise.all([this.limiter.refund(pairKey), this.limiter.refund(addressKey)]);
    // Past the account cap, a client that has failed on this account lately gets no more checks;
    // one that has not (the owner, from anywhere else) is checked as usual.
    const clientHasFailed = pairVerdict.count > 1;
    if (clientHasFailed) {
      const accountVerdict = await this.limiter.peek(accountKey, account.limit, account.windowSeconds);
      if (!accountVerdict.allowed) {
        await release();
        throw rateLimited(request, account.name, account.limit, accountVerdict);
      }
    }
    reportRateLimit(request, pair.limit, pairVerdict);
    reportRateLimit(request, address.limit, addressVerdict);

    let result: T;
    try {
      result = await attempt();
    } catch (error) {
      if (isWrongPassword(error)) await this.limiter.hit(accountKey, account.limit, account.windowSeconds);
      else await release();
      throw error;
    }
    // The right password clears this client's failures on the account.
    await Promise.all([this.limiter.reset(pairKey), this.limiter.refund(addressKey)]);
    return result;
  }

  /**
   * Applies the forgot-password limits: 429 past the per-address limit; false (send nothing, answer
   * as usual) once the account has had its reset mails for the hour, so no one can lock it out.
   */
  async mayMailPasswordReset(request: FastifyRequest, email: string): Promise<boolean> {
    if (!this.settings.enabled) return true;
    const { address, accountMails } = FORGOT_PASSWORD_LIMITS;
    const addressVerdict = await this.limiter.hit(`${address.name}:${byIp(request)}`, address.limit, address.windowSeconds);
    if (!addressVerdict.allowed) throw rateLimited(request, address.name, address.limit, addressVerdict);
    reportRateLimit(request, address.limit, addressVerdict);
    const key = `${accountMails.name}:${normalizeEmail(email)}`;
    return (await this.limiter.hit(key, accountMails.limit, accountMails.windowSeconds)).allowed;
  }
}
