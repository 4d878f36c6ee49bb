/**
 * Events the chat feature publishes (realtime delivers them over WebSocket; notifications turn
 * `message.sent` into pushes). `participantIds` are the conversation's current participants
 * (left_at is null) who may see it, the sender included: the sender's other devices get the event
 * too. In a group, participants a block hides the message (or the reader) from are left out, and a
 * message replying to a message hidden from some is published to them as a separate event whose
 * copy quotes nothing (docs/security.md, Blocks).
 */

/** One message exactly as `GET /conversations/:id/messages` shows it (plan 4.7, snake_case JSON). */
export type ChatMessageJson = Record<string, unknown> & { id: string; conversation_id: string };

declare module '../../infra/bus/domain-events.js' {
  interface DomainEvents {
    'message.sent': {
      conversationId: string;
      participantIds: string[];
      /** Participants who muted the conversation (no push for them). */
      mutedParticipantIds: string[];
      senderId: string | null;
      message: ChatMessageJson;
      at: string;
    };
    'message.edited': { conversationId: string; participantIds: string[]; message: ChatMessageJson; at: string };
    'message.deleted': { conversationId: string; participantIds: string[]; messageId: string; deletedAt: string };
    'message.read': {
      conversationId: string;
      participantIds: string[];
      userId: string;
      messageId: string;
      readAt: string;
    };
    'conversation.members_changed': {
      conversationId: string;
      participantIds: string[];
      addedIds: string[];
      removedIds: string[];
      at: string;
    };
    /**
     * A block between the two users was placed or lifted: what each sees of the other in the group
     * conversations and group goals they share changed (their unread counts are already recounted).
     */
    'chat.block_visibility_changed': {
      blockerId: string;
      blockedId: string;
      blocked: boolean;
      conversationIds: string[];
      goalIds: string[];
    };
  }
}

export {};
