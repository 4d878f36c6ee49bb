/** Events the auth feature publishes. The one-time tokens travel only in memory, to the mail sender. */
declare module '../../infra/bus/domain-events.js' {
  interface DomainEvents {
    'auth.verification_requested': { userId: string; email: string; fullName: string; token: string };
    'auth.password_reset_requested': { userId: string; email: string; fullName: string; token: string };
    'auth.logged_in': { userId: string; deviceInfo: Record<string, unknown> | null; ip: string | null };
    'auth.refresh_token_reused': { userId: string; familyId: string };
  }
}

export {};
