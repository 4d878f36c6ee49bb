import type { EventBus } from '../../infra/bus/event-bus.js';
import type { Clock } from '../../infra/clock/clock.js';
import { inTransaction, type Database, type Db } from '../../infra/db/database.js';
import { isOneOf } from '../../lib/one-of.js';
import type { Page } from '../../lib/page.js';
import {
  cannotPartnerSelf,
  invalidPartnershipState,
  partnerUserNotFound,
  partnershipExists,
  partnershipNotFound,
  partnersMustBeFriends,
} from './partners.errors.js';
import {
  LIVE_STATUSES,
  mayCancel,
  mayChangeFrequency,
  mayRespond,
  nextStatus,
  proposalOutcome,
  type LifecycleAction,
} from './partners.policy.js';
import {
  PARTNERSHIP_STATUSES,
  type CheckInFrequency,
  type PartnershipListFilter,
  type PartnershipStatus,
} from './partners.vocabulary.js';
import { PartnersRepo, type PartnerCard, type PartnershipWithPartner } from './partners.repo.js';
import './partners.events.js';

/** A partnership as one of its participants sees it: the row and the other participant's card. */
export type PartnershipView = PartnershipWithPartner;

export interface ProposalResult extends PartnershipView {
  /** 'accepted' when the other user had already proposed to the caller and the call accepted that. */
  outcome: 'proposed' | 'accepted';
}

/** `current` (the default) is everything but ended partnerships. */

const LIST_FILTERS: Record<PartnershipListFilter, readonly PartnershipStatus[]> = {
  current: ['pending', 'active', 'paused'],
  all: PARTNERSHIP_STATUSES,
  pending: ['pending'],
  active: ['active'],
  paused: ['paused'],
  ended: ['ended'],
};

/**
 * Accountability partners: friends who agreed to hold each other to their goals. The only writer of
 * `accountability_partners`. Every state change locks the row (or, for proposals and block
 * clean-up, the pair) in a transaction, re-checks the rules there, and publishes its event in it.
 */
export class PartnersService {
  private readonly repo: PartnersRepo;

  /** Friendship and block rules are applied with the privacy SQL fragments inside transactions. */
  constructor(
    private readonly database: Database,
    private readonly bus: EventBus,
    private readonly clock: Clock,
  ) {
    this.repo = new PartnersRepo(database.db);
  }

  /**
   * Proposes a partnership to a friend. If that friend already proposed to the caller, accepts
   * their proposal instead (keeping its check-in frequency). An ended partnership between the two
   * is restarted as a new pending proposal on the same row.
   */
  async propose(callerId: string, targetId: string, checkInFrequency: CheckInFrequency): Promise<ProposalResult> {
    if (callerId === targetId) throw cannotPartnerSelf();
    const now = this.clock.now();
    return inTransaction(this.database, async (tx): Promise<ProposalResult> => {
      const repo = new PartnersRepo(tx);
      // Under the pair lock, a block or a second proposal that commits meanwhile is seen, not overtaken.
      await repo.lockPair(callerId, targetId);
      const target = await repo.proposalTarget(callerId, targetId);
      if (!target || !target.active || target.blockedEitherWay) throw partnerUserNotFound();
      if (!target.areFriends) throw partnersMustBeFriends();
      const existing = await repo.findPairForUpdate(callerId, targetId);
      const proposal = {
        userId: callerId,
        partnerId: targetId,
        requestedBy: callerId,
        status: 'pending',
        checkInFrequency,
        startedAt: now,
        respondedAt: null,
        endedAt: null,
      } as const;
      let result: ProposalResult;
      if (!existing) {
        const row = await repo.insert(proposal);
        if (!row) throw partnershipExists();
        result = { outcome: 'proposed', row, partner: target.card };
      } else {
        switch (proposalOutcome(existing, callerId)) {
          case 'restart':
            result = { outcome: 'proposed', row: await repo.update(existing.id, proposal), partner: target.card };
            break;
          case 'accept_theirs': {
            const row = await repo.update(existing.id, { status: 'active', startedAt: now, respondedAt: now });
            result = { outcome: 'accepted', row, partner: target.card };
            break;
          }
          default:
            throw partnershipExists();
        }
      }
      if (result.outcome === 'accepted') {
        await this.bus.publish(tx, 'partner.accepted', { partnershipId: result.row.id, proposerId: targetId, accepterId: callerId });
      } else {
        await this.bus.publish(tx, 'partner.proposed', {
          partnershipId: result.row.id,
          proposerId: callerId,
          partnerId: targetId,
          checkInFrequency,
        });
      }
      return result;
    });
  }

  /** One partnership, visible only to its participants (and not once either blocked the other). */
  async get(callerId: string, partnershipId: string): Promise<PartnershipView> {
    const found = await this.repo.findVisible(partnershipId, callerId);
    if (!found) throw partnershipNotFound();
    return found;
  }

  /** The caller's partnerships and proposals (sent and received), filtered by status, one page. */
  async list(
    callerId: string,
    filter: PartnershipListFilter,
    page: number,
    limit: number,
  ): Promise<Page<PartnershipView>> {
    return this.repo.listVisible(callerId, LIST_FILTERS[filter], page, limit);
  }

  /** The addressee accepts a pending proposal; they must still be friends. */
  async accept(callerId: string, partnershipId: string): Promise<PartnershipView> {
    const now = this.clock.now();
    const view = await inTransaction(this.database, async (tx) => {
      const repo = new PartnersRepo(tx);
      const found = await repo.findVisible(partnershipId, callerId, { forUpdate: true });
      if (!found || !mayRespond(found.row, callerId)) throw partnershipNotFound();
      const facts = await repo.proposalTarget(callerId, found.partner.id);
      if (!facts?.areFriends) throw partnersMustBeFriends();
      const row = await repo.update(found.row.id, { status: 'active', startedAt: now, respondedAt: now });
      await this.bus.publish(tx, 'partner.accepted', { partnershipId: row.id, proposerId: found.partner.id, accepterId: callerId });
      return { row, partner: found.partner };
    });
    return view;
  }

  /** The addressee declines a pending proposal: it is removed, and the proposer may propose again. */
  async decline(callerId: string, partnershipId: string): Promise<void> {
    await this.removePending(callerId, partnershipId, 'addressee', (tx, proposer) =>
      this.bus.publish(tx, 'partner.declined', { partnershipId, proposerId: proposer.id, declinerId: callerId }),
    );
  }

  /** The proposer withdraws a pending proposal: it is removed. */
  async cancel(callerId: string, partnershipId: string): Promise<void> {
    await this.removePending(callerId, partnershipId, 'proposer', (tx, addressee) =>
      this.bus.publish(tx, 'partner.cancelled', { partnershipId, proposerId: callerId, partnerId: addressee.id }),
    );
  }

  /**
   * Deletes a pending proposal the caller may respond to (or withdraw) and publishes, through the
   * same transaction, what `announce` says about the other participant.
   */
  private async removePending(
    callerId: string,
    partnershipId: string,
    role: 'addressee' | 'proposer',
    announce: (tx: Db, other: PartnerCard) => Promise<void>,
  ): Promise<void> {
    await inTransaction(this.database, async (tx) => {
      const repo = new PartnersRepo(tx);
      const found = await repo.findVisible(partnershipId, callerId, { forUpdate: true });
      const allowed = found && (role === 'addressee' ? mayRespond(found.row, callerId) : mayCancel(found.row, callerId));
      if (!found || !allowed) throw partnershipNotFound();
      await repo.delete(found.row.id);
      await announce(tx, found.partner);
    });
  }

  /** Pause (active → paused), resume (paused → active) or end (active|paused → ended); either side may. */
  async changeStatus(callerId: string, partnershipId: string, action: LifecycleAction): Promise<PartnershipView> {
    const now = this.clock.now();
    return inTransaction(this.database, async (tx) => {
      const repo = new PartnersRepo(tx);
      const found = await repo.findVisible(partnershipId, callerId, { forUpdate: true });
      if (!found) throw partnershipNotFound();
      const next = nextStatus(action, found.row.status);
      if (!next) throw invalidPartnershipState(action, found.row.status);
      const row = await repo.update(found.row.id, { status: next, ...(next === 'ended' ? { endedAt: now } : {}) });
      await this.bus.publish(tx, 'partner.status_changed', { partnershipId: row.id, actorId: callerId, otherId: found.partner.id, status: next });
      return { row, partner: found.partner };
    });
  }

  /** Changes how often the partners check in; either side, any state but ended. */
  async changeCheckInFrequency(
    callerId: string,
    partnershipId: string,
    checkInFrequency: CheckInFrequency,
  ): Promise<PartnershipView> {
    return inTransaction(this.database, async (tx) => {
      const repo = new PartnersRepo(tx);
      const found = await repo.findVisible(partnershipId, callerId, { forUpdate: true });
      if (!found) throw partnershipNotFound();
      if (!mayChangeFrequency(found.row)) {
        throw invalidPartnershipState('change the check-in frequency of', found.row.status);
      }
      const row = await repo.update(found.row.id, { checkInFrequency });
      return { row, partner: found.partner };
    });
  }

  /** True when `b` is `a`'s active or paused partner, `b`'s account is active and neither blocked the other. */
  async arePartners(a: string, b: string): Promise<boolean> {
    if (a === b) return false;
    return (await this.repo.livePartnerIds(a, b)).length > 0;
  }

  /** `userId`'s active or paused partners (active accounts, no block either way): who may read their goals. */
  async partnerIds(userId: string): Promise<string[]> {
    return this.repo.livePartnerIds(userId);
  }

  /**
   * Removes everything partnering two users (when one blocks the other, or they stop being
   * friends): a pending proposal is deleted; an active or paused partnership ends. Idempotent.
   * Opens its own transaction; inside one of yours, call `endEverythingBetweenIn`.
   */
  async endEverythingBetween(a: string, b: string): Promise<void> {
    await inTransaction(this.database, (tx) => this.endEverythingBetweenIn(tx, a, b));
  }

  /**
   * The same inside the caller's transaction `tx` (blocking: one commit for the block and everything
   * it ends); `partner.status_changed` is published through `tx`, so it commits with the caller's work.
   */
  async endEverythingBetweenIn(tx: Db, a: string, b: string): Promise<void> {
    if (a === b) return;
    const repo = new PartnersRepo(tx);
    await repo.lockPair(a, b);
    const existing = await repo.findPairForUpdate(a, b);
    if (!existing) return;
    if (existing.status === 'pending') {
      await repo.delete(existing.id);
      return;
    }
    if (!isOneOf(LIVE_STATUSES, existing.status)) return;
    const ended = await repo.update(existing.id, { status: 'ended', endedAt: this.clock.now() });
    await this.bus.publish(tx, 'partner.status_changed', { partnershipId: ended.id, actorId: a, otherId: b, status: 'ended' });
  }
}
