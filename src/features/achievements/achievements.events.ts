/** Events the achievements feature publishes. */
declare module '../../infra/bus/domain-events.js' {
  interface DomainEvents {
    /** A user earned a badge; published once per (user, achievement), only by the award that inserted the row. */
    'achievement.earned': { userId: string; achievementId: string; code: string; name: string; points: number; earnedAt: string };
  }
}

export {};
