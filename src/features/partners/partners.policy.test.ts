import { describe, expect, it } from 'vitest';
import { mayCancel, mayChangeFrequency, mayRespond, nextStatus, proposalOutcome, type PartnershipFacts } from './partners.policy.js';

const row = (status: string, requestedBy = 'a'): PartnershipFacts => ({ userId: 'a', partnerId: 'b', status, requestedBy });

describe('partners.policy', () => {
  it.each([
    ['pause', 'active', 'paused'],
    ['resume', 'paused', 'active'],
    ['end', 'active', 'ended'],
    ['end', 'paused', 'ended'],
  ] as const)('%s from %s → %s', (action, from, to) => {
    expect(nextStatus(action, from)).toBe(to);
  });

  it.each([
    ['pause', 'pending'],
    ['pause', 'paused'],
    ['pause', 'ended'],
    ['resume', 'active'],
    ['resume', 'pending'],
    ['resume', 'ended'],
    ['end', 'pending'],
    ['end', 'ended'],
  ] as const)('%s from %s is not a transition', (action, from) => {
    expect(nextStatus(action, from)).toBeUndefined();
  });

  it('only the addressee responds to a pending proposal; only the proposer cancels it', () => {
    expect(mayRespond(row('pending'), 'b')).toBe(true);
    expect(mayRespond(row('pending'), 'a')).toBe(false);
    expect(mayRespond(row('pending'), 'stranger')).toBe(false);
    expect(mayRespond(row('active'), 'b')).toBe(false);
    expect(mayCancel(row('pending'), 'a')).toBe(true);
    expect(mayCancel(row('pending'), 'b')).toBe(false);
    expect(mayCancel(row('active'), 'a')).toBe(false);
    // After a restart the proposer may be the user_id side's partner.
    expect(mayRespond(row('pending', 'b'), 'a')).toBe(true);
  });

  it('the check-in frequency changes in every state but ended', () => {
    expect(['pending', 'active', 'paused', 'ended'].map((s) => mayChangeFrequency(row(s)))).toEqual([true, true, true, false]);
  });

  it('a new proposal creates, restarts an ended one, accepts the other side’s, or conflicts', () => {
    expect(proposalOutcome(undefined, 'a')).toBe('create');
    expect(proposalOutcome(row('ended'), 'a')).toBe('restart');
    expect(proposalOutcome(row('ended'), 'b')).toBe('restart');
    expect(proposalOutcome(row('pending', 'a'), 'b')).toBe('accept_theirs');
    expect(proposalOutcome(row('pending', 'a'), 'a')).toBe('exists');
    expect(proposalOutcome(row('active'), 'b')).toBe('exists');
    expect(proposalOutcome(row('paused'), 'a')).toBe('exists');
  });
});
