/** Events the users and auth features publish. */
declare module '../../infra/bus/domain-events.js' {
  interface DomainEvents {
    'user.registered': { userId: string; email: string; username: string; fullName: string };
    'user.profile_updated': { userId: string; changed: string[] };
    'user.password_changed': { userId: string; reason: 'reset' | 'change' };
    'user.deactivated': { userId: string };
  }
}

export {};
