import { PRIVATE_KEY_PREFIX } from '../../infra/storage/storage.js';

/** What an upload is for; decides its variants and where it is stored (plan 7.1). */
export type MediaPurpose = 'profile' | 'cover' | 'post' | 'story' | 'goal' | 'chat';

/**
 * Public media keep a long-lived public URL (a CDN may cache it); private media live under
 * `private/` and are only served through short-lived signed URLs (docs/media.md).
 */
export type MediaAccess = 'public' | 'private';

export interface VariantSpec {
  name: string;
  /** Bounding box; `undefined` keeps the original size (the "original" variant, re-encoded and stripped). */
  width?: number;
  height?: number;
  /** `cover` crops to exactly the box (avatars, banners); `inside` keeps the whole picture within it. */
  fit: 'cover' | 'inside';
}

export interface PurposeSpec {
  variants: VariantSpec[];
  /** The variant whose URL is the media's main URL (e.g. profile_image_url, media_url). */
  main: string;
  /** The variant used as the thumbnail URL. */
  thumb: string;
  /**
   * Who may see media of this purpose decides it: profile pictures and covers are public; posts are
   * public only while the post is (the caller says, see MediaService.store); stories, goal images
   * and chat attachments are private (a goal is never visible to everyone unconditionally).
   */
  access: MediaAccess;
}

const original: VariantSpec = { name: 'original', fit: 'inside' };

/** The plan's variants per purpose (section 7.1), never upscaled. */
export const PURPOSES: Record<MediaPurpose, PurposeSpec> = {
  profile: {
    variants: [
      original,
      { name: 'large', width: 800, height: 800, fit: 'cover' },
      { name: 'medium', width: 400, height: 400, fit: 'cover' },
      { name: 'thumb', width: 150, height: 150, fit: 'cover' },
    ],
    main: 'large',
    thumb: 'thumb',
    access: 'public',
  },
  cover: {
    variants: [original, { name: 'large', width: 1200, height: 400, fit: 'cover' }],
    main: 'large',
    thumb: 'large',
    access: 'public',
  },
  post: {
    variants: [
      original,
      { name: 'large', width: 1080, height: 1350, fit: 'inside' },
      { name: 'medium', width: 640, height: 800, fit: 'inside' },
      { name: 'thumb', width: 320, height: 400, fit: 'inside' },
    ],
    main: 'large',
    thumb: 'thumb',
    access: 'public',
  },
  story: {
    // Stories are full-screen portrait: the thumbnail keeps a 9:16 box.
    variants: [original, { name: 'thumb', width: 360, height: 640, fit: 'inside' }],
    main: 'original',
    thumb: 'thumb',
    access: 'private',
  },
  goal: {
    variants: [original, { name: 'thumb', width: 400, height: 400, fit: 'cover' }],
    main: 'original',
    thumb: 'thumb',
    access: 'private',
  },
  chat: {
    variants: [original, { name: 'thumb', width: 320, height: 400, fit: 'inside' }],
    main: 'original',
    thumb: 'thumb',
    access: 'private',
  },
};

/** Where every upload of `purpose` for `ownerId` lives, without the private prefix (the plan's bucket layout). */
function ownerFolder(purpose: MediaPurpose, ownerId: string): string {
  switch (purpose) {
    case 'profile':
      return `users/${ownerId}/profile/`;
    case 'cover':
      return `users/${ownerId}/cover/`;
    case 'post':
      return `posts/${ownerId}/`;
    case 'story':
      return `stories/${ownerId}/`;
    case 'goal':
      return `goals/${ownerId}/`;
    case 'chat':
      // ownerId is `{conversationId}/{uploaderId}`: whose upload it is shows in the key.
      return `chat/${ownerId}/`;
  }
}

/**
 * The key prefix of one upload: its owner's folder (under `private/` for private media) and a
 * fresh version folder, so no two uploads (or two re-keyings) ever share a URL.
 */
export function mediaPrefix(purpose: MediaPurpose, ownerId: string, version: string, access: MediaAccess): string {
  return `${access === 'private' ? PRIVATE_KEY_PREFIX : ''}${ownerFolder(purpose, ownerId)}${version}/`;
}

/** The prefixes under which every upload of `purpose` for `ownerId` lives: the public and the private one. */
export function mediaOwnerPrefixes(purpose: MediaPurpose, ownerId: string): [string, string] {
  const folder = ownerFolder(purpose, ownerId);
  return [folder, `${PRIVATE_KEY_PREFIX}${folder}`];
}
