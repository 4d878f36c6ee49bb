export interface StoredObjectMeta {
  contentType: string;
  /** Cache-Control stored with the object (S3 serves it; the disk route decides by key). */
  cacheControl: string;
}

/** What to store: bytes in memory, or a file on local disk (large videos) with its size. */
export type ObjectBody = Buffer | { path: string; size: number };

/**
 * The object-storage port (DESIGN.md §4): local disk by default, an S3-compatible bucket in
 * production. Keys follow the plan's bucket layout (`users/{id}/profile/...`, `posts/{id}/...`);
 * keys under {@link PRIVATE_KEY_PREFIX} are private: they are only ever served through a
 * short-lived signed URL (`signedUrlFor`), never at a public URL (docs/media.md).
 */
export interface ObjectStorage {
  readonly kind: 'disk' | 's3';
  /** When objects live on this machine's disk: what the API serves under /media/ (http/media-files.ts). */
  readonly localFiles?: LocalMediaFiles;
  put(key: string, body: ObjectBody, meta: StoredObjectMeta): Promise<void>;
  /**
   * Copies every object under `fromPrefix` to the same relative key under `toPrefix` (both end with
   * "/"), storing `cacheControl` with the copies; used to move media between public and private keys.
   */
  copyPrefix(fromPrefix: string, toPrefix: string, cacheControl: string): Promise<void>;
  /** Deletes every object whose key starts with `prefix` (which must end with "/"). */
  deletePrefix(prefix: string): Promise<void>;
  /** The long-lived public URL of a public key (throws for a private key). */
  urlFor(key: string): string;
  /**
   * A URL that lets whoever holds it GET a private key for at least `ttlSeconds` (and at most one
   * time bucket more, see {@link signingWindow}); the same URL within a bucket, so clients can cache.
   */
  signedUrlFor(key: string, ttlSeconds: number): Promise<string>;
  /**
   * The key behind a URL this storage produced — a public URL, or a signed URL of a private key
   * (its query is ignored, not verified) — or undefined for any other URL.
   */
  keyFromUrl(url: string): string | undefined;
  /** Resolves when the storage answers (readiness). */
  check(): Promise<void>;
  /** Releases connections (S3 client sockets); idempotent. */
  close?(): void;
}

/** The disk adapter's two directories and its signature check, for the /media/ routes. */
export interface LocalMediaFiles {
  /** Public keys, served to anyone under /media/<key> with a year of immutable caching. */
  publicRoot: string;
  /** Private keys without their `private/` prefix, served under /media/private/<rest> only with a valid signature. */
  privateRoot: string;
  /** Seconds left of a valid, unexpired signed URL of `key`, or undefined for a missing, bad or expired one. */
  verifySignedUrl(key: string, exp: unknown, sig: unknown): number | undefined;
}

/** Keys under this prefix are private media (friends-only and private posts, stories, goals, chat). */
export const PRIVATE_KEY_PREFIX = 'private/';

export const IMMUTABLE_CACHE_CONTROL = 'public, max-age=31536000, immutable';
/**
 * Stored with private objects: a shared cache must never keep one, even when reached some other way
 * than a signed URL. Signed responses carry their own `private, max-age=<lifetime>`.
 */
export const PRIVATE_CACHE_CONTROL = 'private, no-store';

export function isPrivateKey(key: string): boolean {
  return key.startsWith(PRIVATE_KEY_PREFIX);
}

/** The Cache-Control to store with an object at `key`. */
export function cacheControlFor(key: string): string {
  return isPrivateKey(key) ? PRIVATE_CACHE_CONTROL : IMMUTABLE_CACHE_CONTROL;
}

const CONTENT_TYPES: Record<string, string> = {
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  webp: 'image/webp',
  png: 'image/png',
  mp4: 'video/mp4',
  mov: 'video/quicktime',
};

/** The content type of a stored media key, from its extension (what the media pipeline writes). */
export function contentTypeOf(key: string): string {
  return CONTENT_TYPES[key.slice(key.lastIndexOf('.') + 1).toLowerCase()] ?? 'application/octet-stream';
}

/**
 * The validity window of a URL signed at `now` for at least `ttlSeconds`: it starts at the current
 * time bucket (1/12 of the TTL, at most 5 minutes) and ends `ttlSeconds` after the bucket ends, so
 * every URL of a key signed within one bucket is the same (clients and browsers can cache it) and
 * is valid for between `ttlSeconds` and `ttlSeconds` + one bucket. Unix seconds.
 */
export function signingWindow(now: Date, ttlSeconds: number): { issuedAt: number; expiresAt: number } {
  const bucket = Math.max(1, Math.min(300, Math.floor(ttlSeconds / 12)));
  const issuedAt = Math.floor(now.getTime() / 1000 / bucket) * bucket;
  return { issuedAt, expiresAt: issuedAt + bucket + ttlSeconds };
}

/** Rejects keys that could escape their prefix or confuse a URL. */
export function assertSafeKey(key: string): void {
  if (
    key.length === 0 ||
    key.length > 512 ||
    key.startsWith('/') ||
    key.includes('\\') ||
    key.split('/').some((part) => part === '' || part === '.' || part === '..') ||
    !/^[A-Za-z0-9._/-]+$/.test(key)
  ) {
    throw new Error(`unsafe storage key: ${JSON.stringify(key)}`);
  }
}

/** Rejects a prefix that does not end with "/" or is not a safe key before it. */
export function assertSafePrefix(prefix: string): void {
  if (!prefix.endsWith('/')) throw new Error('a prefix must end with "/"');
  assertSafeKey(prefix.slice(0, -1));
}

/** The URL of a public `key` under a storage's public base URL. */
export function urlUnder(baseUrl: string, key: string): string {
  assertSafeKey(key);
  if (isPrivateKey(key)) throw new Error(`a private key has no public URL: ${key}`);
  return `${baseUrl}/${key}`;
}

/**
 * The key behind a URL under `baseUrl`, or undefined for a foreign URL or an unsafe key. A query
 * string is accepted for private keys only (signed URLs); a public URL has none.
 */
export function keyUnder(baseUrl: string, url: string): string | undefined {
  const base = `${baseUrl}/`;
  if (!url.startsWith(base)) return undefined;
  const rest = url.slice(base.length);
  const query = rest.indexOf('?');
  const key = query === -1 ? rest : rest.slice(0, query);
  try {
    assertSafeKey(key);
  } catch {
    return undefined;
  }
  if (query !== -1 && !isPrivateKey(key)) return undefined;
  return key;
}
