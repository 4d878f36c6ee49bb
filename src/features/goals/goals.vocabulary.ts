/**
 * The goals feature's closed vocabularies, each declared once: the array feeds the TypeScript type,
 * the TypeBox schema (`stringEnum`), the column's type and its CHECK constraint (`checkIn`).
 */

export const GOAL_TYPES = ['individual', 'group'] as const;
export type GoalType = (typeof GOAL_TYPES)[number];
/** The `type` filter of goal lists. */
export const GOAL_TYPE_FILTERS = [...GOAL_TYPES, 'all'] as const;
export type GoalTypeFilter = (typeof GOAL_TYPE_FILTERS)[number];

export const TARGET_TYPES = ['amount', 'date', 'milestone'] as const;
export type TargetType = (typeof TARGET_TYPES)[number];

export const GOAL_STATUSES = ['active', 'completed', 'paused', 'cancelled'] as const;
export type GoalStatus = (typeof GOAL_STATUSES)[number];
/** The statuses PUT /goals/:goalId may set: `completed` only through POST /goals/:goalId/complete. */
export const SETTABLE_GOAL_STATUSES = ['active', 'paused', 'cancelled'] as const satisfies readonly GoalStatus[];
export type SettableGoalStatus = (typeof SETTABLE_GOAL_STATUSES)[number];
/** The `status` filter of goal lists: paused and cancelled goals are listed under `all`. */
export const GOAL_STATUS_FILTERS = ['active', 'completed', 'all'] as const;
export type GoalStatusFilter = (typeof GOAL_STATUS_FILTERS)[number];

export const PARTICIPANT_ROLES = ['creator', 'member', 'supporter'] as const;
export type ParticipantRole = (typeof PARTICIPANT_ROLES)[number];
/** The roles the creator may give a participant they add (there is one creator). */
export const ADDABLE_PARTICIPANT_ROLES = ['member', 'supporter'] as const satisfies readonly ParticipantRole[];
export type AddableParticipantRole = (typeof ADDABLE_PARTICIPANT_ROLES)[number];

export const CONTRIBUTION_TYPES = ['monetary', 'milestone', 'checkin'] as const;
export type ContributionType = (typeof CONTRIBUTION_TYPES)[number];
