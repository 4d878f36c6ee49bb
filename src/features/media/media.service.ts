import { randomBytes } from 'node:crypto';
import { open, readFile } from 'node:fs/promises';
import { cacheControlFor, isPrivateKey, type ObjectStorage } from '../../infra/storage/storage.js';
import { detectMediaType, SNIFF_BYTES, type VideoFormat } from './media.detect.js';
import { fileTooLarge, invalidMedia, unsupportedMediaType, videoNotAllowed } from './media.errors.js';
import { processImage, type EncodedVariant, type OutputFormat } from './media.images.js';
import { stripVideoMetadata } from './media.mp4-metadata.js';
import type { MediaLinks } from './media.links.js';
import type { MediaType } from './media.vocabulary.js';
import { mediaOwnerPrefixes, mediaPrefix, PURPOSES, type MediaAccess, type MediaPurpose, type VariantSpec } from './media.variants.js';
import { inspectVideo, placeholderPoster, posterFrame } from './media.video.js';

/** A file received from a client, already on local disk (see http/multipart.ts). */
export interface UploadedFile {
  path: string;
  size: number;
}

/**
 * What an upload left in storage, as references to keep in a row: the public URL of public media,
 * the storage key (`private/...`) of private media. Resolve them with {@link MediaLinks} before
 * they go into a response.
 */
export interface StoredMedia {
  mediaType: MediaType;
  /** Reference of the purpose's main variant (profile "large", post "large", story "original", ...). */
  ref: string;
  thumbnailRef: string;
  /** Size of the original (after EXIF rotation); null for a video whose size could not be read. */
  width: number | null;
  height: number | null;
  /** Every stored variant's reference by name. */
  variants: Record<string, string>;
}

/** Media moved to other keys (see {@link MediaService.changeAccess}): the new references, in the order given. */
export interface RekeyedMedia {
  refs: Array<string | null>;
  /** Deletes the copies (the row could not be pointed at them). */
  discardCopies(): Promise<void>;
  /** Deletes the objects at the old keys (once the row points at the copies): their URLs then 404. */
  removeOriginals(): Promise<void>;
}

/** A fresh upload folder name: 96 random bits, so no two uploads or re-keyings share a URL. */
const newVersion = (): string => randomBytes(12).toString('hex');

export interface MediaSettings {
  maxImageBytes: number;
  maxImagePixels: number;
  maxVideoBytes: number;
  imageFormat: OutputFormat;
  ffmpegPath: string;
}

const VIDEO_CONTENT_TYPES: Record<VideoFormat, string> = { mp4: 'video/mp4', mov: 'video/quicktime' };

async function readHead(file: UploadedFile): Promise<Buffer> {
  const handle = await open(file.path, 'r');
  try {
    const head = Buffer.alloc(Math.min(SNIFF_BYTES, file.size));
    await handle.read(head, 0, head.length, 0);
    return head;
  } finally {
    await handle.close();
  }
}

/**
 * The one media pipeline every feature uses: checks what a file really is and how big it is,
 * makes the plan's variants, and stores them under the plan's bucket layout. Refused files leave
 * nothing behind.
 */
export class MediaService {
  constructor(
    private readonly storage: ObjectStorage,
    private readonly settings: MediaSettings,
    /** Turns the references this service returns into URLs for a response. */
    readonly links: MediaLinks,
  ) {}

  /**
   * Validates and stores an upload for `purpose` of `ownerId` (a user, post, story or goal id; for
   * chat `{conversationId}/{uploaderId}`), public or private as the purpose says unless `access`
   * overrides it (a post's media are public only while the post is).
   */
  async store(
    purpose: MediaPurpose,
    ownerId: string,
    file: UploadedFile,
    options: { allowVideo: boolean; access?: MediaAccess },
  ): Promise<StoredMedia> {
    if (file.size === 0) throw invalidMedia('the file is empty');
    const detected = detectMediaType(await readHead(file));
    if (!detected) throw unsupportedMediaType();
    if (detected.kind === 'video' && !options.allowVideo) throw videoNotAllowed();
    const spec = PURPOSES[purpose];
    const prefix = mediaPrefix(purpose, ownerId, newVersion(), options.access ?? spec.access);

    if (detected.kind === 'image') {
      if (file.size > this.settings.maxImageBytes) {
        throw fileTooLarge(`images may be at most ${Math.round(this.settings.maxImageBytes / 1024 / 1024)} MB`);
      }
      const image = await processImage(await readFile(file.path), detected.format, spec.variants, this.settings.imageFormat, {
        maxPixels: this.settings.maxImagePixels,
      });
      const variants = await this.putVariants(prefix, image.variants);
      return {
        mediaType: 'image',
        ref: variants[spec.main]!,
        thumbnailRef: variants[spec.thumb]!,
        width: image.width,
        height: image.height,
        variants,
      };
    }

    if (file.size > this.settings.maxVideoBytes) {
      throw fileTooLarge(`videos may be at most ${Math.round(this.settings.maxVideoBytes / 1024 / 1024)} MB`);
    }
    const info = await inspectVideo(file.path, file.size);
    await stripVideoMetadata(file.path, file.size); // the upload's temp file, rewritten in place: no location is stored
    const thumbSpec: VariantSpec = spec.variants.find((v) => v.name === spec.thumb) ?? { name: 'thumb', width: 320, height: 400, fit: 'inside' };
    const poster =
      (await posterFrame(this.settings.ffmpegPath, file.path)) ??
      (await placeholderPoster(thumbSpec.width ?? 320, thumbSpec.height ?? 400));
    const thumb = await processImage(poster, 'png', [{ ...thumbSpec, name: 'thumb' }], this.settings.imageFormat, {
      maxPixels: this.settings.maxImagePixels,
    });
    const originalKey = `${prefix}original.${detected.format}`;
    try {
      await this.storage.put(originalKey, { path: file.path, size: file.size }, {
        contentType: VIDEO_CONTENT_TYPES[detected.format],
        cacheControl: cacheControlFor(originalKey),
      });
      const variants: Record<string, string> = {
        original: this.refOf(originalKey),
        ...(await this.putVariants(prefix, thumb.variants)),
      };
      return {
        mediaType: 'video',
        ref: variants.original!,
        thumbnailRef: variants.thumb!,
        width: info.width,
        height: info.height,
        variants,
      };
    } catch (err) {
      await this.storage.deletePrefix(prefix).catch(() => undefined);
      throw err;
    }
  }

  /** Deletes every stored file of an owner for a purpose, public and private (a deleted post, story, goal). */
  async removeAll(purpose: MediaPurpose, ownerId: string): Promise<void> {
    await Promise.all(mediaOwnerPrefixes(purpose, ownerId).map((prefix) => this.storage.deletePrefix(prefix)));
  }

  /** Deletes everything stored for a user's own images (profile and cover), e.g. on account deletion. */
  async removeUserMedia(userId: string): Promise<void> {
    await this.storage.deletePrefix(`users/${userId}/`);
  }

  /**
   * Deletes the upload a stored reference belongs to (all its variants), if it is one of `ownerId`'s
   * uploads for `purpose` (the previous profile picture when a new one replaces it). Foreign URLs
   * are left alone.
   */
  async removeByRef(ref: string | null | undefined, purpose: MediaPurpose, ownerId: string): Promise<void> {
    const folder = ref ? this.uploadFolder(ref, purpose, ownerId) : undefined;
    if (folder) await this.storage.deletePrefix(folder);
  }

  /**
   * Copies the upload behind `refs` (references into one upload of `ownerId` for `purpose`, e.g. a
   * post's media and thumbnail URLs) to a fresh version folder of `access`, and returns the new
   * references. The caller points its row at them, then calls `removeOriginals`, so the old URLs
   * stop working. Null refs stay null; refs this storage did not produce (seeded external URLs)
   * cannot be moved and come back unchanged, with nothing copied.
   */
  async changeAccess(purpose: MediaPurpose, ownerId: string, refs: Array<string | null>, access: MediaAccess): Promise<RekeyedMedia> {
    const present = refs.filter((ref): ref is string => ref !== null);
    const folders = new Set(present.map((ref) => this.uploadFolder(ref, purpose, ownerId)));
    const [folder] = folders;
    const noop = async () => undefined;
    if (folders.size !== 1 || folder === undefined) return { refs, discardCopies: noop, removeOriginals: noop };
    const target = mediaPrefix(purpose, ownerId, newVersion(), access);
    await this.storage.copyPrefix(folder, target, cacheControlFor(target));
    return {
      refs: refs.map((ref) => (ref === null ? null : this.refOf(`${target}${this.keyOf(ref)!.slice(folder.length)}`))),
      discardCopies: () => this.storage.deletePrefix(target),
      removeOriginals: () => this.storage.deletePrefix(folder),
    };
  }

  /**
   * Moves one item's media to fresh keys of `access` (see {@link changeAccess}) and lets
   * `pointRowAt` point the row at them (a compare-and-set on the old reference; false when the row
   * changed meanwhile, and then the copies are deleted). True when the media moved and the old
   * objects are gone; false when there was nothing this storage could move.
   */
  async moveTo(
    access: MediaAccess,
    purpose: MediaPurpose,
    ownerId: string,
    refs: Array<string | null>,
    pointRowAt: (refs: Array<string | null>) => Promise<boolean>,
  ): Promise<boolean> {
    const moved = await this.changeAccess(purpose, ownerId, refs, access);
    if (moved.refs.every((ref, i) => ref === refs[i])) return false;
    let pointed = false;
    try {
      pointed = await pointRowAt(moved.refs);
    } finally {
      if (!pointed) await moved.discardCopies();
    }
    if (!pointed) return false;
    // Once more on failure: a storage hiccup right after a successful copy must not leave public copies.
    await moved.removeOriginals().catch(() => moved.removeOriginals());
    return true;
  }

  /**
   * The references of a chat attachment `uploaderId` uploaded to `conversationId`, given the URL
   * the upload answered with (signed or not); undefined for any other URL.
   */
  chatAttachment(conversationId: string, uploaderId: string, url: string): { ref: string; thumbnailRef: string } | undefined {
    const key = this.storage.keyFromUrl(url);
    const [, privateFolder] = mediaOwnerPrefixes('chat', `${conversationId}/${uploaderId}`);
    const match = key?.startsWith(privateFolder) ? /^([0-9a-f]{24})\/original\.(jpg|webp|mp4|mov)$/.exec(key.slice(privateFolder.length)) : null;
    if (!key || !match) return undefined;
    const thumbExtension = this.settings.imageFormat === 'webp' ? 'webp' : 'jpg';
    return { ref: key, thumbnailRef: `${privateFolder}${match[1]}/thumb.${thumbExtension}` };
  }

  /** Whether `url` points at private media of this storage (a signed URL, or a bare private key). */
  isPrivateMediaUrl(url: string): boolean {
    const key = this.keyOf(url);
    return key !== undefined && isPrivateKey(key);
  }

  /** The storage key behind a reference (a private key, or a URL this storage produced). */
  private keyOf(ref: string): string | undefined {
    return isPrivateKey(ref) ? ref : this.storage.keyFromUrl(ref);
  }

  /** The folder of the upload a reference belongs to, if it is one of `ownerId`'s for `purpose`. */
  private uploadFolder(ref: string, purpose: MediaPurpose, ownerId: string): string | undefined {
    const key = this.keyOf(ref);
    if (!key || !mediaOwnerPrefixes(purpose, ownerId).some((prefix) => key.startsWith(prefix))) return undefined;
    // An upload's variants share one folder (`.../{version}/`; posts and stories from before
    // versioned folders: the owner's folder itself).
    return key.slice(0, key.lastIndexOf('/') + 1);
  }

  /** What a row keeps for a stored key: its public URL, or the key itself when it is private. */
  private refOf(key: string): string {
    return isPrivateKey(key) ? key : this.storage.urlFor(key);
  }

  private async putVariants(prefix: string, variants: EncodedVariant[]): Promise<Record<string, string>> {
    const urls: Record<string, string> = {};
    try {
      await Promise.all(
        variants.map(async (v) => {
          const key = `${prefix}${v.name}.${v.extension}`;
          await this.storage.put(key, v.data, { contentType: v.contentType, cacheControl: cacheControlFor(key) });
          urls[v.name] = this.refOf(key);
        }),
      );
    } catch (err) {
      await this.storage.deletePrefix(prefix).catch(() => undefined);
      throw err;
    }
    return urls;
  }
}
