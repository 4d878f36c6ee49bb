/**
 * Events the goals feature publishes. Payloads carry what subscribers need without reading the
 * goal again: the `goal.update` WebSocket event (plan 5.2), feed entries, notifications, system
 * messages in a group goal's conversation, achievements. Money is an exact decimal string ("150.00").
 */
import type { UserCard } from '../users/user-card.js';
import type { AddableParticipantRole, ContributionType, GoalType } from './goals.vocabulary.js';

export interface GoalSummary {
  goalId: string;
  title: string;
  goalType: GoalType;
  category: string | null;
  isPublic: boolean;
  creatorId: string;
  /** Active participants at the time of the event (creator included). */
  participantIds: string[];
}

/** Who did it: their public card. */
export type ActorCard = UserCard;

declare module '../../infra/bus/domain-events.js' {
  interface DomainEvents {
    'goal.created': { goal: GoalSummary; actor: ActorCard; at: string };
    'goal.participant_added': { goal: GoalSummary; actor: ActorCard; userId: string; role: AddableParticipantRole; at: string };
    'goal.participant_removed': { goal: GoalSummary; actor: ActorCard; userId: string; at: string };
    'goal.contribution_added': {
      goal: GoalSummary;
      actor: ActorCard;
      contributionId: string;
      amount: string;
      contributionType: ContributionType;
      currency: string;
      currentAmount: string;
      progressPercentage: number;
      at: string;
    };
    'goal.milestone_achieved': {
      goal: GoalSummary;
      actor: ActorCard;
      milestoneId: string;
      milestoneTitle: string;
      at: string;
    };
    'goal.completed': { goal: GoalSummary; actor: ActorCard; completedAt: string };
    'goal.updated': { goal: GoalSummary; actor: ActorCard; changed: string[]; at: string };
    'goal.deleted': { goalId: string; participantIds: string[]; actorId: string; at: string };
    'goal.reminder_due': {
      reminderId: string;
      goalId: string;
      goalTitle: string;
      userId: string;
      /** The local occurrence that fired, e.g. "2026-03-29T08:00" in the reminder's time zone. */
      occurrence: string;
      timezone: string;
      at: string;
    };
  }
}

export {};
