/** Events the settings feature publishes. */
declare module '../../infra/bus/domain-events.js' {
  interface DomainEvents {
    'user.blocked': { blockerId: string; blockedId: string };
    'user.unblocked': { blockerId: string; blockedId: string };
    'settings.privacy_updated': { userId: string };
  }
}

export {};
