/**
 * The wire shapes of conversations and messages (plan 4.7, snake_case), built in one place so the
 * HTTP responses and the events realtime delivers (`message.sent`, `message.edited`) are identical.
 */
import { toUserCardJson } from '../users/user-card.js';
import type { ConversationView } from './conversations.reads.repo.js';
import type { MessageView } from './messages.reads.repo.js';

/** Length of the quoted text in `reply_to_message`. */
export const REPLY_PREVIEW_CHARS = 100;

function preview(text: string): string {
  const chars = [...text];
  return chars.length <= REPLY_PREVIEW_CHARS ? text : `${chars.slice(0, REPLY_PREVIEW_CHARS - 1).join('')}…`;
}

/** A message exactly as GET /conversations/:id/messages lists it; deleted ones without content, media or metadata. */
export function toMessageJson(m: MessageView) {
  return {
    id: m.id,
    conversation_id: m.conversationId,
    sender: m.sender ? toUserCardJson(m.sender) : null,
    content: m.isDeleted ? null : m.content,
    message_type: m.messageType,
    media_url: m.isDeleted ? null : m.mediaUrl,
    media_thumbnail_url: m.isDeleted ? null : m.mediaThumbnailUrl,
    metadata: m.isDeleted ? null : m.metadata,
    reply_to_message: m.replyTo
      ? {
          id: m.replyTo.id,
          sender: m.replyTo.sender ? toUserCardJson(m.replyTo.sender) : null,
          content: m.replyTo.content === null ? null : preview(m.replyTo.content),
          message_type: m.replyTo.messageType,
          is_deleted: m.replyTo.isDeleted,
        }
      : null,
    client_message_id: m.clientMessageId,
    is_edited: m.isEdited,
    is_deleted: m.isDeleted,
    created_at: m.createdAt.toISOString(),
    updated_at: m.updatedAt.toISOString(),
    read_by: m.readBy.map((r) => ({ user_id: r.userId, read_at: r.readAt.toISOString() })),
  };
}

/** A conversation as the caller sees it (list entries, details, create and update responses). */
export function toConversationJson(c: ConversationView) {
  return {
    id: c.id,
    conversation_type: c.conversationType,
    name: c.name,
    image_url: c.imageUrl,
    is_group: c.isGroup,
    goal_id: c.goalId,
    participants: c.participants.map((p) => ({
      user_id: p.id,
      username: p.username,
      full_name: p.fullName,
      profile_image_url: p.profileImageUrl,
      role: p.role,
    })),
    participants_count: c.participantsCount,
    last_message: c.lastMessage
      ? {
          id: c.lastMessage.id,
          sender: c.lastMessage.sender ? toUserCardJson(c.lastMessage.sender) : null,
          content: c.lastMessage.content,
          message_type: c.lastMessage.messageType,
          is_deleted: c.lastMessage.isDeleted,
          created_at: c.lastMessage.createdAt.toISOString(),
        }
      : null,
    unread_count: c.unreadCount,
    is_muted: c.isMuted,
    is_archived: c.isArchived,
    role: c.role,
    last_message_at: c.lastMessageAt?.toISOString() ?? null,
    created_at: c.createdAt.toISOString(),
  };
}
