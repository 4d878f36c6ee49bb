/** What an upload is for; decides its variants and where it is stored (plan 7.1). */
export type MediaPurpose = 'profile' | 'cover' | 'post' | 'story' | 'goal';

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
  /** Replaceable media (a new profile picture) get a fresh version folder so URLs stay cacheable forever. */
  versioned: boolean;
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
    versioned: true,
  },
  cover: {
    variants: [original, { name: 'large', width: 1200, height: 400, fit: 'cover' }],
    main: 'large',
    thumb: 'large',
    versioned: true,
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
    versioned: false,
  },
  story: {
    // Stories are full-screen portrait: the thumbnail keeps a 9:16 box.
    variants: [original, { name: 'thumb', width: 360, height: 640, fit: 'inside' }],
    main: 'original',
    thumb: 'thumb',
    versioned: false,
  },
  goal: {
    variants: [original, { name: 'thumb', width: 400, height: 400, fit: 'cover' }],
    main: 'original',
    thumb: 'thumb',
    versioned: true,
  },
};

/** The key prefix of one upload, following the plan's bucket layout. */
export function mediaPrefix(purpose: MediaPurpose, ownerId: string, version: string): string {
  switch (purpose) {
    case 'profile':
      return `users/${ownerId}/profile/${version}/`;
    case 'cover':
      return `users/${ownerId}/cover/${version}/`;
    case 'post':
      return `posts/${ownerId}/`;
    case 'story':
      return `stories/${ownerId}/`;
    case 'goal':
      return `goals/${ownerId}/${version}/`;
  }
}

/** The prefix under which every upload of `purpose` for `ownerId` lives (all versions). */
export function mediaOwnerPrefix(purpose: MediaPurpose, ownerId: string): string {
  return mediaPrefix(purpose, ownerId, '').replace(/\/\/$/, '/');
}
