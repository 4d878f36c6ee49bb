import { AppError, notFound, validationError, type AppErrorDetail } from '../../lib/app-error.js';

/** Unknown conversation, or one the caller does not (or no longer) take part in: the same answer. */
export const conversationNotFound = () => notFound('conversation_not_found', 'Conversation not found');
/** Unknown message, or one of another conversation. */
export const messageNotFound = () => notFound('message_not_found', 'Message not found');
export const participantNotFound = () => notFound('participant_not_found', 'That user does not take part in this conversation');

/** The recipient's `who_can_send_messages` (or a block) does not allow the caller to message them. */
export const messagesNotAllowed = () =>
  new AppError('forbidden', 'messages_not_allowed', 'This user does not accept messages from you');
export const notConversationAdmin = () =>
  new AppError('forbidden', 'not_conversation_admin', 'Only an admin of this group may do this');
export const notMessageSender = () => new AppError('forbidden', 'not_message_sender', 'Only the message’s sender may do this');

export const directConversationFixed = () =>
  new AppError('conflict', 'direct_conversation_fixed', 'A direct conversation always has exactly its two participants');
export const notAGroupConversation = () =>
  new AppError('conflict', 'not_a_group_conversation', 'Only group conversations have a name and an image');
export const alreadyParticipants = () =>
  new AppError('conflict', 'already_participants', 'Every one of these users already takes part in this conversation');
export const groupFull = (max: number) =>
  new AppError('conflict', 'group_full', `A group has at most ${max} participants`);
export const messageDeleted = () => new AppError('conflict', 'message_deleted', 'This message was deleted');

export const participantsNotFriends = (userIds: string[], field: string) =>
  validationError(
    'participants_not_friends',
    userIds.map((id): AppErrorDetail => ({ field, message: 'is not one of your friends', user_id: id })),
    'Group members must be your friends',
  );
