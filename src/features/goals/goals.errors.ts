import { AppError, notFound, validationError, type AppErrorDetail } from '../../lib/app-error.js';

/** Unknown goal, or one the caller may not see: the same answer, so existence never leaks. */
export const goalNotFound = () => notFound('goal_not_found', 'Goal not found');
export const participantNotFound = () => notFound('participant_not_found', 'This user is not a participant of the goal');
export const milestoneNotFound = () => notFound('milestone_not_found', 'Milestone not found');

export const notGoalCreator = () => new AppError('forbidden', 'not_goal_creator', 'Only the goal’s creator may do this');
export const notAParticipant = () =>
  new AppError('forbidden', 'not_a_participant', 'Only active participants of the goal may do this');

export const goalNotActive = () => new AppError('conflict', 'goal_not_active', 'The goal is not active');
export const goalAlreadyCompleted = () => new AppError('conflict', 'goal_already_completed', 'The goal is already completed');
export const alreadyParticipant = () =>
  new AppError('conflict', 'already_participant', 'This user already takes part in the goal', [
    { field: 'user_id', message: 'is already a participant' },
  ]);

export const participantsNotFriends = (userIds: string[], field = 'participant_ids') =>
  validationError(
    'participants_not_friends',
    userIds.map((id): AppErrorDetail => ({ field, message: 'is not a friend of the goal’s creator', user_id: id })),
    'Participants must be friends of the goal’s creator',
  );
export const participantsNeedGroupGoal = () =>
  validationError('participants_require_group_goal', [
    { field: 'participant_ids', message: 'only group goals have other participants' },
  ]);
export const notAGroupGoal = () =>
  validationError('not_a_group_goal', [{ field: 'goal_type', message: 'only group goals have other participants' }]);
export const creatorCannotLeave = () =>
  validationError('creator_cannot_leave', [{ field: 'user_id', message: 'the creator cannot leave their own goal' }]);

export const invalidAmount = (message: string) => validationError('invalid_amount', [{ field: 'amount', message }]);
export const milestoneHasTarget = () =>
  validationError('milestone_has_target', [
    { field: 'achieved', message: 'a milestone with a target_value is achieved automatically when the goal reaches it' },
  ]);
