import type { Database } from '../../infra/db/database.js';
import type { MediaService, UploadedFile } from '../media/media.service.js';
import type { MediaType } from '../media/media.vocabulary.js';
import { invalidMediaUrl, type ChatMediaOwnership } from './chat-media-ownership.js';
import { conversationNotFound } from './chat.errors.js';
import { ConversationsRepo } from './conversations.repo.js';
import type { MessageView } from './messages.reads.repo.js';

export interface ChatAttachmentUpload {
  mediaType: MediaType;
  /** Signed URLs for the uploader (the message that carries it stores the key, not this URL). */
  url: string;
  thumbnailUrl: string;
  width: number | null;
  height: number | null;
}

/** What a message stores for its `media_url`: private keys of the sender's attachment, or the URL of their own public image. */
export interface MessageMediaRefs {
  mediaRef: string | null;
  thumbnailRef: string | null;
}

/**
 * Chat attachments: images and videos a participant uploads to one conversation. They are private
 * media under `private/chat/{conversationId}/{uploaderId}/`, served to the conversation's current
 * participants through signed, short-lived URLs only (docs/media.md).
 */
export class ChatAttachmentsService {
  private readonly conversations: ConversationsRepo;

  constructor(
    database: Database,
    private readonly media: MediaService,
    private readonly ownership: ChatMediaOwnership,
  ) {
    this.conversations = new ConversationsRepo(database.db);
  }

  /** 404 unless the caller currently takes part in the conversation (lets the route refuse before reading a byte). */
  async assertParticipant(callerId: string, conversationId: string): Promise<void> {
    if (!(await this.conversations.membership(conversationId, callerId))) throw conversationNotFound();
  }

  /** Checks and stores an attachment of the caller's for the conversation. */
  async upload(callerId: string, conversationId: string, file: UploadedFile): Promise<ChatAttachmentUpload> {
    await this.assertParticipant(callerId, conversationId);
    const stored = await this.media.store('chat', `${conversationId}/${callerId}`, file, { allowVideo: true });
    return {
      mediaType: stored.mediaType,
      url: await this.media.links.url(stored.ref),
      thumbnailUrl: await this.media.links.url(stored.thumbnailRef),
      width: stored.width,
      height: stored.height,
    };
  }

  /**
   * What a message's `media_url` is stored as: the sender's own attachment of this conversation
   * becomes its keys (so every reader gets a freshly signed URL); any other private media of this
   * server (another conversation's, someone else's, a private post's) is refused with 422, so a
   * short-lived link cannot be turned into a lasting one. Of other URLs only the sender's own
   * public images are kept as given (issue 14.9: no outside URLs, no one else's media).
   */
  async messageMedia(senderId: string, conversationId: string, mediaUrl: string | null): Promise<MessageMediaRefs> {
    if (mediaUrl === null) return { mediaRef: null, thumbnailRef: null };
    const own = this.media.chatAttachment(conversationId, senderId, mediaUrl);
    if (own) return { mediaRef: own.ref, thumbnailRef: own.thumbnailRef };
    if (await this.ownership.isOwnPublicUpload(senderId, mediaUrl)) return { mediaRef: mediaUrl, thumbnailRef: null };
    throw invalidMediaUrl('media_url');
  }

  /** Deletes the stored attachment of a message of the sender's, if it has one (the message was deleted). */
  async removeMessageMedia(senderId: string, conversationId: string, mediaRef: string | null): Promise<void> {
    await this.media.removeByRef(mediaRef, 'chat', `${conversationId}/${senderId}`);
  }

  /** A message's media with URLs for a reader who may see the conversation. */
  resolve(message: MessageView): Promise<MessageView> {
    return this.media.links.resolve(message, ['mediaUrl', 'mediaThumbnailUrl']);
  }
}
