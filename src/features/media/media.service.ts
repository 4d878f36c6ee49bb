import { randomBytes } from 'node:crypto';
import { open, readFile } from 'node:fs/promises';
import { IMMUTABLE_CACHE_CONTROL, type ObjectStorage } from '../../infra/storage/storage.js';
import { detectMediaType, SNIFF_BYTES, type VideoFormat } from './media.detect.js';
import { fileTooLarge, invalidMedia, unsupportedMediaType, videoNotAllowed } from './media.errors.js';
import { processImage, type EncodedVariant, type OutputFormat } from './media.images.js';
import { stripVideoMetadata } from './media.mp4-metadata.js';
import { mediaOwnerPrefix, mediaPrefix, PURPOSES, type MediaPurpose, type VariantSpec } from './media.variants.js';
import { inspectVideo, placeholderPoster, posterFrame } from './media.video.js';

/** A file received from a client, already on local disk (see http/multipart.ts). */
export interface UploadedFile {
  path: string;
  size: number;
}

export interface StoredMedia {
  mediaType: 'image' | 'video';
  /** URL of the purpose's main variant (profile "large", post "large", story "original", ...). */
  url: string;
  thumbnailUrl: string;
  /** Size of the original (after EXIF rotation); null for a video whose size could not be read. */
  width: number | null;
  height: number | null;
  /** Every stored variant's URL by name. */
  variants: Record<string, string>;
}

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
  ) {}

  /** Validates and stores an upload for `purpose` of `ownerId` (a user, post, story or goal id). */
  async store(purpose: MediaPurpose, ownerId: string, file: UploadedFile, options: { allowVideo: boolean }): Promise<StoredMedia> {
    if (file.size === 0) throw invalidMedia('the file is empty');
    const detected = detectMediaType(await readHead(file));
    if (!detected) throw unsupportedMediaType();
    if (detected.kind === 'video' && !options.allowVideo) throw videoNotAllowed();
    const spec = PURPOSES[purpose];
    const prefix = mediaPrefix(purpose, ownerId, spec.versioned ? randomBytes(6).toString('hex') : '');

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
        url: variants[spec.main]!,
        thumbnailUrl: variants[spec.thumb]!,
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
        cacheControl: IMMUTABLE_CACHE_CONTROL,
      });
      const variants: Record<string, string> = {
        original: this.storage.urlFor(originalKey),
        ...(await this.putVariants(prefix, thumb.variants)),
      };
      return {
        mediaType: 'video',
        url: variants.original!,
        thumbnailUrl: variants.thumb!,
        width: info.width,
        height: info.height,
        variants,
      };
    } catch (err) {
      await this.storage.deletePrefix(prefix).catch(() => undefined);
      throw err;
    }
  }

  /** Deletes every stored file of an owner for a purpose (a deleted post, story, goal). */
  async removeAll(purpose: MediaPurpose, ownerId: string): Promise<void> {
    await this.storage.deletePrefix(mediaOwnerPrefix(purpose, ownerId));
  }

  /** Deletes everything stored for a user's own images (profile and cover), e.g. on account deletion. */
  async removeUserMedia(userId: string): Promise<void> {
    await this.storage.deletePrefix(`users/${userId}/`);
  }

  /**
   * Deletes the upload a URL belongs to, if it is one of `ownerId`'s uploads for `purpose` (the
   * previous profile picture when a new one replaces it). Foreign URLs are left alone.
   */
  async removeByUrl(url: string | null | undefined, purpose: MediaPurpose, ownerId: string): Promise<void> {
    if (!url) return;
    const key = this.storage.keyFromUrl(url);
    const owner = mediaOwnerPrefix(purpose, ownerId);
    if (!key?.startsWith(owner)) return;
    const rest = key.slice(owner.length);
    const folder = PURPOSES[purpose].versioned ? rest.split('/')[0] : undefined;
    await this.storage.deletePrefix(folder ? `${owner}${folder}/` : owner);
  }

  private async putVariants(prefix: string, variants: EncodedVariant[]): Promise<Record<string, string>> {
    const urls: Record<string, string> = {};
    try {
      await Promise.all(
        variants.map(async (v) => {
          const key = `${prefix}${v.name}.${v.extension}`;
          await this.storage.put(key, v.data, { contentType: v.contentType, cacheControl: IMMUTABLE_CACHE_CONTROL });
          urls[v.name] = this.storage.urlFor(key);
        }),
      );
    } catch (err) {
      await this.storage.deletePrefix(prefix).catch(() => undefined);
      throw err;
    }
    return urls;
  }
}
