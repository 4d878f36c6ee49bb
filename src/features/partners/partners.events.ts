import type { CheckInFrequency, PartnershipStatus } from './partners.vocabulary.js';

/** Events the partners feature publishes. */
declare module '../../infra/bus/domain-events.js' {
  interface DomainEvents {
    'partner.proposed': { partnershipId: string; proposerId: string; partnerId: string; checkInFrequency: CheckInFrequency };
    'partner.accepted': { partnershipId: string; proposerId: string; accepterId: string };
    'partner.declined': { partnershipId: string; proposerId: string; declinerId: string };
    /** The proposer withdrew a pending proposal (notifications can retract "X wants to partner"). */
    'partner.cancelled': { partnershipId: string; proposerId: string; partnerId: string };
    'partner.status_changed': {
      partnershipId: string;
      actorId: string;
      otherId: string;
      status: Exclude<PartnershipStatus, 'pending'>;
    };
  }
}

export {};
