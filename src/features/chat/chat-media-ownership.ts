import type { ObjectStorage } from '../../infra/storage/storage.js';
import { invalidField } from '../../lib/app-error.js';
import { uploadOwnerOf } from '../media/media.ownership.js';
import type { MediaService } from '../media/media.service.js';
import { isPostNotFound } from '../posts/posts.errors.js';
import type { PostsService } from '../posts/posts.service.js';
import type { ConversationView } from './conversations.reads.repo.js';

/** 422 invalid_media_url: chat media must be the sender's own upload to this server. */
export const invalidMediaUrl = (field: string) =>
  invalidField(
    'invalid_media_url',
    field,
    'must be an attachment you uploaded to this conversation (POST /conversations/{id}/attachments) or one of your own public images',
  );

/**
 * Which media a participant may put in a chat: only what they uploaded through this API. Outside
 * URLs (a tracker, a hot-linked image) and other people's media are refused, so every chat image
 * is served by this server under its access rules.
 */
export class ChatMediaOwnership {
  constructor(
    private readonly media: MediaService,
    private readonly storage: ObjectStorage,
    private readonly posts: Pick<PostsService, 'visible'>,
  ) {}

  /**
   * True when `url` is one of `userId`'s own public uploads: their profile picture or cover, or
   * the current media of a public post of theirs. Private media never count (they are only ever
   * referenced by key, see ChatAttachmentsService).
   */
  async isOwnPublicUpload(userId: string, url: string): Promise<boolean> {
    if (this.media.isPrivateMediaUrl(url)) return false;
    const owner = uploadOwnerOf(this.storage, url);
    if (owner?.purpose === 'profile' || owner?.purpose === 'cover') return owner.userId === userId.toLowerCase();
    if (owner?.purpose !== 'post') return false;
    // A post gone or hidden means "not theirs" (422); a database failure is not an answer and propagates.
    const found = await this.posts.visible(userId, owner.itemId).catch((err: unknown) => {
      if (isPostNotFound(err)) return undefined;
      throw err;
    });
    return found?.post.author.id === userId && (found.post.mediaUrl === url || found.post.mediaThumbnailUrl === url);
  }

  /**
   * What a group's `image_url` is stored as: the key of an image the caller attached to this
   * conversation, or one of their own public images as it is; anything else is 422
   * invalid_media_url. A new group has no attachments yet, so its image is set after creation.
   */
  async groupImageRef(callerId: string, conversationId: string | undefined, url: string): Promise<string> {
    const attached = conversationId ? this.media.chatAttachment(conversationId, callerId, url) : undefined;
    if (attached && !/\.(mp4|mov)$/.test(attached.ref)) return attached.ref;
    if (!attached && (await this.isOwnPublicUpload(callerId, url))) return url;
    throw invalidMediaUrl('image_url');
  }

  /** The conversation with its image as a URL for a participant (a signed one for an attachment). */
  resolveConversation(view: ConversationView): Promise<ConversationView> {
    return this.media.links.resolve(view, ['imageUrl']);
  }
}
