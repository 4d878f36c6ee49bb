import type { Cache } from '../../infra/cache/cache.js';
import type { PubSub } from '../../infra/pubsub/pubsub.js';
import { TtlLru } from '../../lib/ttl-lru.js';

const CHANNEL = 'auth:sessions-revoked';
const storeKey = (sessionId: string) => `session-revoked:${sessionId}`;

export interface SessionRevocationOptions {
  /** How long a revocation is kept: at least the access-token lifetime (no token of the session outlives it). */
  ttlSeconds: number;
  /**
   * How long this process trusts a "not revoked" answer while it hears revocations over pub/sub: the
   * bound on a revocation's delay here should its announcement be lost (a Redis reconnect).
   */
  notRevokedTtlMs?: number;
  /** Bound on the "not revoked" answers kept in memory (the least recently used go first). */
  maxNotRevoked?: number;
  /** Bound on the revocations kept in memory (with Redis the shared store still has them all). */
  maxRevoked?: number;
  now?: () => number;
}

const DEFAULTS = { notRevokedTtlMs: 30_000, maxNotRevoked: 100_000, maxRevoked: 200_000 };

/**
 * The set of ended sessions whose access tokens may still be unexpired. A revocation is written to
 * the cache port (Redis in production: shared by every instance) for one access-token lifetime and
 * announced over pub/sub; each process answers from memory — revoked sessions it knows of, and
 * "not revoked" answers for a short while, dropped the moment a revocation is announced — so an
 * authenticated request costs no round trip for this check once its session was seen.
 */
export class SessionRevocations {
  /** Revoked session → when this process may forget it (insertion order ≈ expiry order). */
  private readonly revoked = new Map<string, number>();
  private readonly notRevoked: TtlLru<true>;
  private readonly now: () => number;
  private readonly options: Required<Omit<SessionRevocationOptions, 'now'>>;
  /** Bumped by every revocation seen, so a lookup that raced one does not remember "not revoked". */
  private revocationsSeen = 0;
  /** "Not revoked" answers are only kept while the pub/sub subscription that invalidates them is up. */
  private listening = false;
  private stopListening: (() => Promise<void>) | undefined;
  private stopped = false;

  constructor(
    private readonly cache: Cache,
    private readonly pubsub: PubSub,
    options: SessionRevocationOptions,
  ) {
    const { now, ...rest } = options;
    this.now = now ?? Date.now;
    this.options = { ...DEFAULTS, ...rest };
    this.notRevoked = new TtlLru<true>(this.options.maxNotRevoked, this.now);
  }

  /** Starts hearing other instances' revocations; until then every check asks the shared store. */
  async start(): Promise<void> {
    const stop = await this.pubsub.subscribe(CHANNEL, (message) => this.receive(message));
    if (this.stopped) return void (await stop());
    this.stopListening = stop;
    this.listening = true;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.listening = false;
    await this.stopListening?.();
    this.stopListening = undefined;
  }

  /** Ends the sessions' access tokens on every instance: resolves once the shared store has them. */
  async revoke(sessionIds: readonly string[]): Promise<void> {
    if (sessionIds.length === 0) return;
    this.remember(sessionIds);
    await Promise.all(sessionIds.map((id) => this.cache.set(storeKey(id), true, this.options.ttlSeconds)));
    await this.pubsub.publish(CHANNEL, JSON.stringify(sessionIds));
  }

  /** Whether the session was revoked; from memory when possible, else one read of the shared store. */
  async isRevoked(sessionId: string): Promise<boolean> {
    if (this.knownRevoked(sessionId)) return true;
    if (this.listening && this.notRevoked.get(sessionId)) return false;
    const seen = this.revocationsSeen;
    const revoked = (await this.cache.get<boolean>(storeKey(sessionId))) === true;
    if (revoked) this.remember([sessionId]);
    else if (this.listening && seen === this.revocationsSeen) this.notRevoked.set(sessionId, true, this.options.notRevokedTtlMs);
    return revoked;
  }

  private receive(message: string): void {
    let ids: unknown;
    try {
      ids = JSON.parse(message);
    } catch {
      return;
    }
    if (!Array.isArray(ids)) return;
    this.remember(ids.filter((id): id is string => typeof id === 'string'));
  }

  private remember(sessionIds: readonly string[]): void {
    this.revocationsSeen += 1;
    const now = this.now();
    // Forget what expired (the oldest come first), then the oldest beyond the bound.
    for (const [id, until] of this.revoked) {
      if (until > now && this.revoked.size < this.options.maxRevoked) break;
      this.revoked.delete(id);
    }
    for (const id of sessionIds) {
      this.notRevoked.delete(id);
      this.revoked.delete(id);
      this.revoked.set(id, now + this.options.ttlSeconds * 1000);
    }
  }

  private knownRevoked(sessionId: string): boolean {
    const until = this.revoked.get(sessionId);
    if (until === undefined) return false;
    if (until > this.now()) return true;
    this.revoked.delete(sessionId);
    return false;
  }
}
