/** Events the auth feature publishes. The one-time tokens travel only in memory, to the mail sender. */
declare module '../../infra/bus/domain-events.js' {
  interface DomainEvents {
    'auth.verification_requested': { userId: string; email: string; fullName: string; token: string };
    'auth.password_reset_requested': { userId: string; email: string; fullName: string; token: string };
    /** Someone asked for a reset link for `email` (not yet looked up: that happens off the request path). */
    'auth.password_reset_asked': { email: string };
    /** A login-address change was asked for: a confirm link goes to the new address, a revert link to the old. */
    'auth.email_change_requested': {
      userId: string;
      fullName: string;
      oldEmail: string;
      newEmail: string;
      confirmToken: string;
      revertToken: string;
    };
    'auth.email_change_confirmed': { userId: string; fullName: string; oldEmail: string; newEmail: string };
    'auth.email_change_reverted': { userId: string; fullName: string; email: string };
    'auth.password_changed': { userId: string; fullName: string; email: string };
    'auth.logged_in': { userId: string; deviceInfo: Record<string, unknown> | null; ip: string | null };
    'auth.refresh_token_reused': { userId: string; familyId: string };
    /** Sessions ended (their access tokens are refused already): `sessionIds` null means every session of the user. */
    'auth.sessions_revoked': { userId: string; sessionIds: string[] | null; reason: string };
  }
}

export {};
