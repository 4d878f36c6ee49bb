/**
 * The chat feature's closed vocabularies, each declared once: the array feeds the TypeScript type,
 * the TypeBox schema (`stringEnum`), the column's type and its CHECK constraint (`checkIn`).
 */

export const CONVERSATION_TYPES = ['direct', 'group', 'ai_coach'] as const;
export type ConversationType = (typeof CONVERSATION_TYPES)[number];
/** The conversations a user creates with POST /conversations (the coach's are the coach feature's). */
export const USER_CONVERSATION_TYPES = ['direct', 'group'] as const satisfies readonly ConversationType[];
export type UserConversationType = (typeof USER_CONVERSATION_TYPES)[number];

export const CONVERSATION_ROLES = ['admin', 'member'] as const;
export type ConversationRole = (typeof CONVERSATION_ROLES)[number];

export const MESSAGE_TYPES = ['text', 'image', 'video', 'audio', 'file', 'system', 'goal_update'] as const;
export type MessageType = (typeof MESSAGE_TYPES)[number];
/** The message types a user sends (system and goal_update messages are the app's). */
export const USER_MESSAGE_TYPES = ['text', 'image', 'video', 'audio', 'file'] as const satisfies readonly MessageType[];
export type UserMessageType = (typeof USER_MESSAGE_TYPES)[number];
/** The message types the app posts itself (member changes, goal updates). */
export type AppMessageType = Exclude<MessageType, UserMessageType>;
