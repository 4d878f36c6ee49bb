import { isPrivateKey, type ObjectStorage } from '../../infra/storage/storage.js';

/** The fields of `T` that hold a stored media reference. */
type RefField<T> = { [K in keyof T]: T[K] extends string | null ? K : never }[keyof T];

/**
 * Turns stored media references into the URLs a client fetches. A reference is what a row holds:
 * the URL of public media (kept as stored: long-lived, CDN-cacheable), or the key of private media
 * (`private/...`), which becomes a signed URL valid for `ttlSeconds` (plus at most one time bucket).
 * Call it only for a viewer who may see the item: whoever holds the URL can fetch it until it expires.
 */
export class MediaLinks {
  constructor(
    private readonly storage: ObjectStorage,
    readonly ttlSeconds: number,
  ) {}

  /** The URL of one stored reference (null stays null). */
  async url(ref: string): Promise<string>;
  async url(ref: string | null): Promise<string | null>;
  async url(ref: string | null): Promise<string | null> {
    if (ref === null) return null;
    if (isPrivateKey(ref)) return this.storage.signedUrlFor(ref, this.ttlSeconds);
    return ref;
  }

  /** A copy of `row` with the named reference fields replaced by URLs. */
  async resolve<T extends object>(row: T, fields: ReadonlyArray<RefField<T>>): Promise<T> {
    const copy = { ...row };
    await Promise.all(
      fields.map(async (field) => {
        copy[field] = (await this.url(row[field] as string | null)) as T[typeof field];
      }),
    );
    return copy;
  }

  /** {@link resolve} for every row of a list. */
  async resolveAll<T extends object>(rows: readonly T[], fields: ReadonlyArray<RefField<T>>): Promise<T[]> {
    return Promise.all(rows.map((row) => this.resolve(row, fields)));
  }
}
