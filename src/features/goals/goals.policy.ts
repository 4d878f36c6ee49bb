import type { ProfileVisibility } from '../privacy/privacy.vocabulary.js';
import type { GoalStatus, ParticipantRole } from './goals.vocabulary.js';

/**
 * Pure rules of who may do what with a goal. Who may SEE a goal is decided in SQL, by
 * `goalVisibleTo` (privacy/goal-visibility.sql.ts), in the very query that loads the goal or lists
 * goals; `mayViewGoal` here is its truth table, which privacy/goal-visibility.test.ts checks the SQL
 * against on every case.
 */

/** What the use cases' rules need to know about a viewer and a goal (loaded with the goal). */
export interface GoalRoleFacts {
  isCreator: boolean;
  /** The viewer's role when they are an ACTIVE participant (left_at null), else null. */
  myRole: ParticipantRole | null;
  status: GoalStatus;
}

/** Everything the visibility rule reads about a viewer and a goal: the inputs of the truth table. */
export interface GoalAccessFacts extends GoalRoleFacts {
  blockedWithCreator: boolean;
  /** An active or paused accountability partner of any active participant. */
  partnerOfParticipant: boolean;
  friendOfCreator: boolean;
  /** The creator's account is active (not deactivated, not deleted). */
  creatorActive: boolean;
  isPublic: boolean;
  creatorVisibility: ProfileVisibility;
}

/**
 * The truth table of `goalVisibleTo`. Who may see a goal: its creator and its active participants — a participant keeps the goal they
 * share even across a block with the creator (docs/security.md, Blocks: what a block hides inside
 * it is left to the read models); otherwise never anyone blocked with the creator (either way); an
 * accountability partner of an active participant, and — for a public goal whose creator's account
 * is active — the creator's friends, or anyone when the creator's profile is visible to `everyone`
 * (a deactivated creator's goals stay with their participants only).
 */
export function mayViewGoal(f: GoalAccessFacts): boolean {
  if (f.isCreator || f.myRole !== null) return true;
  if (f.blockedWithCreator) return false;
  if (f.partnerOfParticipant) return true;
  return f.isPublic && f.creatorActive && (f.creatorVisibility === 'everyone' || f.friendOfCreator);
}

/** Editing, deleting, completing, managing participants and milestones: the creator only. */
export function mayEditGoal(f: GoalRoleFacts): boolean {
  return f.isCreator;
}

export type ContributeDecision = 'allowed' | 'not_a_participant' | 'goal_not_active';

/** Contributions and manual milestone ticks: active participants of an active goal. */
export function mayContribute(f: GoalRoleFacts): ContributeDecision {
  if (f.myRole === null) return 'not_a_participant';
  if (f.status !== 'active') return 'goal_not_active';
  return 'allowed';
}

export type RemoveDecision = 'allowed' | 'creator_cannot_leave' | 'not_goal_creator';

/** The creator removes anyone but themself; any other participant may only remove themself (leave). */
export function mayRemoveParticipant(f: GoalRoleFacts, callerId: string, creatorId: string, targetId: string): RemoveDecision {
  if (targetId === creatorId) return f.isCreator ? 'creator_cannot_leave' : 'not_goal_creator';
  if (f.isCreator || callerId === targetId) return 'allowed';
  return 'not_goal_creator';
}
