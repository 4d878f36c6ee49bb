export interface StoredObjectMeta {
  contentType: string;
  /** Cache-Control sent with the object (keys are versioned, so media is immutable). */
  cacheControl: string;
}

/** What to store: bytes in memory, or a file on local disk (large videos) with its size. */
export type ObjectBody = Buffer | { path: string; size: number };

/**
 * The object-storage port (DESIGN.md §4): local disk by default, an S3-compatible bucket in
 * production. Keys follow the plan's bucket layout (`users/{id}/profile/...`, `posts/{id}/...`).
 */
export interface ObjectStorage {
  readonly kind: 'disk' | 's3';
  /** When objects live on this machine's disk, the directory the API serves under /media/. */
  readonly localRoot?: string;
  put(key: string, body: ObjectBody, meta: StoredObjectMeta): Promise<void>;
  /** Deletes every object whose key starts with `prefix` (which must end with "/"). */
  deletePrefix(prefix: string): Promise<void>;
  /** The public URL a client fetches the object from. */
  urlFor(key: string): string;
  /** The key behind a URL this storage produced, or undefined for any other URL. */
  keyFromUrl(url: string): string | undefined;
  /** Resolves when the storage answers (readiness). */
  check(): Promise<void>;
  /** Releases connections (S3 client sockets); idempotent. */
  close?(): void;
}

export const IMMUTABLE_CACHE_CONTROL = 'public, max-age=31536000, immutable';

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

/** The URL of `key` under a storage's public base URL. */
export function urlUnder(baseUrl: string, key: string): string {
  assertSafeKey(key);
  return `${baseUrl}/${key}`;
}

/** The key behind a URL under `baseUrl`, or undefined for a foreign URL or an unsafe key. */
export function keyUnder(baseUrl: string, url: string): string | undefined {
  const base = `${baseUrl}/`;
  if (!url.startsWith(base)) return undefined;
  const key = url.slice(base.length);
  try {
    assertSafeKey(key);
    return key;
  } catch {
    return undefined;
  }
}
