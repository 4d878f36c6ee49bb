import { isOneOf } from '../../lib/one-of.js';
import type { PartnershipStatus } from './partners.vocabulary.js';

/** Pure rules of a partnership's life cycle: who may do what, in which state. */

/** Statuses in which two users count as partners (goals visibility, privacy). */
export const LIVE_STATUSES: readonly PartnershipStatus[] = ['active', 'paused'];

export interface PartnershipFacts {
  userId: string;
  partnerId: string;
  status: string;
  requestedBy: string | null;
}

export type LifecycleAction = 'pause' | 'resume' | 'end';

/** A status a partnership can move into after it was accepted. */
export type LaterStatus = Exclude<PartnershipStatus, 'pending'>;

const TRANSITIONS: Record<LifecycleAction, { from: readonly PartnershipStatus[]; to: LaterStatus }> = {
  pause: { from: ['active'], to: 'paused' },
  resume: { from: ['paused'], to: 'active' },
  end: { from: ['active', 'paused'], to: 'ended' },
};

/** The status after `action`, or undefined when the action is not allowed from `current`. */
export function nextStatus(action: LifecycleAction, current: string): LaterStatus | undefined {
  const rule = TRANSITIONS[action];
  return isOneOf(rule.from, current) ? rule.to : undefined;
}

export function isParticipant(p: PartnershipFacts, userId: string): boolean {
  return p.userId === userId || p.partnerId === userId;
}

/** The participant who is not `userId`. */
export function otherParticipant(p: PartnershipFacts, userId: string): string {
  return p.userId === userId ? p.partnerId : p.userId;
}

/** Who proposed; rows without `requested_by` (none are written so) count the `user_id` side. */
export function proposerOf(p: PartnershipFacts): string {
  return p.requestedBy ?? p.userId;
}

/** Only the addressee of a pending proposal may accept or decline it. */
export function mayRespond(p: PartnershipFacts, userId: string): boolean {
  return p.status === 'pending' && isParticipant(p, userId) && proposerOf(p) !== userId;
}

/** Only the proposer may withdraw a proposal, and only while it is pending. */
export function mayCancel(p: PartnershipFacts, userId: string): boolean {
  return p.status === 'pending' && proposerOf(p) === userId;
}

/** The check-in frequency can change on any partnership that has not ended. */
export function mayChangeFrequency(p: PartnershipFacts): boolean {
  return p.status !== 'ended';
}

export type ProposalOutcome = 'create' | 'restart' | 'accept_theirs' | 'exists';

/**
 * What a new proposal from `callerId` does given the pair's row: create one; restart an ended
 * partnership as a new proposal; accept the other user's pending proposal (mutual consent is
 * reached); or refuse because a proposal or partnership is already in place.
 */
export function proposalOutcome(existing: PartnershipFacts | undefined, callerId: string): ProposalOutcome {
  if (!existing) return 'create';
  if (existing.status === 'ended') return 'restart';
  if (existing.status === 'pending' && proposerOf(existing) !== callerId) return 'accept_theirs';
  return 'exists';
}
