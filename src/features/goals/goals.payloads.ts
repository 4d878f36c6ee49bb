import type { UserCard } from '../users/user-card.js';
import type { GoalRow } from './goals.tables.js';
import type { ActorCard, GoalSummary } from './goals.events.js';

/** The `goal` part of every goal event: what subscribers need without reading the goal again. */
export function goalSummary(goal: GoalRow, participantIds: string[]): GoalSummary {
  return {
    goalId: goal.id,
    title: goal.title,
    goalType: goal.goalType,
    category: goal.category,
    isPublic: goal.isPublic,
    creatorId: goal.creatorId,
    participantIds,
  };
}

/** The `actor` part of goal events. */
export function actorCard(user: UserCard): ActorCard {
  return { id: user.id, username: user.username, fullName: user.fullName, profileImageUrl: user.profileImageUrl };
}
