/** Events the friends feature publishes. */
declare module '../../infra/bus/domain-events.js' {
  interface DomainEvents {
    'friend.request_sent': { requestId: string; fromUserId: string; toUserId: string };
    'friend.request_accepted': { requestId: string; requesterId: string; accepterId: string };
    'friend.request_declined': { requestId: string; requesterId: string; addresseeId: string };
    /** The requester withdrew a pending request (so a "new request" notification can be retracted). */
    'friend.request_cancelled': { requestId: string; requesterId: string; addresseeId: string };
    'friend.removed': { userId: string; friendId: string };
  }
}

export {};
