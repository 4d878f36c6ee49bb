import { randomUUID } from 'node:crypto';
import { copyFile, cp, mkdir, rename, rm, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Clock } from '../clock/clock.js';
import {
  assertSafeKey,
  assertSafePrefix,
  isPrivateKey,
  keyUnder,
  PRIVATE_KEY_PREFIX,
  signingWindow,
  urlUnder,
  type LocalMediaFiles,
  type ObjectBody,
  type ObjectStorage,
  type StoredObjectMeta,
} from './storage.js';
import { guardStorage } from './storage-errors.js';
import type { MediaUrlSignature } from './url-signature.js';

/**
 * mkdir -p that reports the real errno. Node's recursive mkdir answers ENOENT when a directory is
 * missing on a read-only file system (it stats the path after EROFS and reports the stat's error),
 * which sent operators looking for a missing file; this walks up itself so EROFS stays EROFS.
 */
export async function ensureDir(dir: string): Promise<void> {
  try {
    await mkdir(dir);
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === 'EEXIST') return;
    const parent = path.dirname(dir);
    if (code !== 'ENOENT' || parent === dir) throw err;
    await ensureDir(parent);
    await mkdir(dir).catch((again: unknown) => {
      if ((again as { code?: string }).code !== 'EEXIST') throw again;
    });
  }
}

export interface DiskStorageOptions {
  /** Public keys: DATA_DIR/media, served at /media/<key>. */
  publicRoot: string;
  /** Private keys (without `private/`): DATA_DIR/media-private, outside the public root, so no path can reach them unsigned. */
  privateRoot: string;
  /** URL prefix of public objects, e.g. `http://localhost:8000/media` or a CDN origin. */
  publicBaseUrl: string;
  /** URL prefix of signed private URLs: the API's own /media (never a CDN). */
  privateBaseUrl: string;
  signature: MediaUrlSignature;
  clock: Clock;
}

/** Objects as files under DATA_DIR, served by the API at /media/<key> (public) and /media/private/... (signed). */
export class DiskStorage implements ObjectStorage {
  readonly kind = 'disk' as const;
  readonly localFiles: LocalMediaFiles;
  private readonly publicRoot: string;
  private readonly privateRoot: string;

  constructor(private readonly options: DiskStorageOptions) {
    this.publicRoot = path.resolve(options.publicRoot);
    this.privateRoot = path.resolve(options.privateRoot);
    if (this.privateRoot === this.publicRoot || this.privateRoot.startsWith(this.publicRoot + path.sep)) {
      throw new Error('the private media directory must lie outside the public one');
    }
    this.localFiles = {
      publicRoot: this.publicRoot,
      privateRoot: this.privateRoot,
      verifySignedUrl: (key, exp, sig) => (isPrivateKey(key) ? options.signature.verify(key, exp, sig, options.clock.now()) : undefined),
    };
  }

  private pathOf(key: string): string {
    assertSafeKey(key);
    const [root, rest] = isPrivateKey(key) ? [this.privateRoot, key.slice(PRIVATE_KEY_PREFIX.length)] : [this.publicRoot, key];
    const full = path.resolve(root, rest);
    if (!full.startsWith(root + path.sep)) throw new Error(`storage key escapes the root: ${key}`);
    return full;
  }

  /** The directory of a prefix; `private/` alone is the private root itself. */
  private dirOf(prefix: string): string {
    assertSafePrefix(prefix);
    return prefix === PRIVATE_KEY_PREFIX ? this.privateRoot : this.pathOf(prefix.slice(0, -1));
  }

  async put(key: string, body: ObjectBody, _meta: StoredObjectMeta): Promise<void> {
    const target = this.pathOf(key);
    await guardStorage(`put ${key}`, async () => {
      await ensureDir(path.dirname(target));
      // Write beside the target and rename, so a reader never sees a half-written file.
      const temp = `${target}.${randomUUID()}.partial`;
      try {
        if (Buffer.isBuffer(body)) await writeFile(temp, body);
        else await copyFile(body.path, temp);
        await rename(temp, target);
      } catch (err) {
        await unlink(temp).catch(() => undefined);
        throw err;
      }
    });
  }

  async copyPrefix(fromPrefix: string, toPrefix: string, _cacheControl: string): Promise<void> {
    const from = this.dirOf(fromPrefix);
    const to = this.dirOf(toPrefix);
    if (to === from || to.startsWith(from + path.sep) || from.startsWith(to + path.sep)) {
      throw new Error('copyPrefix: the prefixes must not contain each other');
    }
    // Copied into a temporary sibling and renamed, so the target never holds half the objects.
    const temp = `${to}.${randomUUID()}.partial`;
    await guardStorage(`copy ${fromPrefix} to ${toPrefix}`, async () => {
      try {
        await ensureDir(path.dirname(to));
        await cp(from, temp, { recursive: true, errorOnExist: true, force: false });
        await rename(temp, to);
      } catch (err) {
        await rm(temp, { recursive: true, force: true }).catch(() => undefined);
        throw err;
      }
    });
  }

  async deletePrefix(prefix: string): Promise<void> {
    const dir = this.dirOf(prefix);
    await guardStorage(`delete ${prefix}`, () => rm(dir, { recursive: true, force: true }));
  }

  urlFor(key: string): string {
    return urlUnder(this.options.publicBaseUrl, key);
  }

  async signedUrlFor(key: string, ttlSeconds: number): Promise<string> {
    assertSafeKey(key);
    if (!isPrivateKey(key)) throw new Error(`only private keys get signed URLs: ${key}`);
    const { expiresAt } = signingWindow(this.options.clock.now(), ttlSeconds);
    return `${this.options.privateBaseUrl}/${key}?exp=${expiresAt}&sig=${this.options.signature.sign(key, expiresAt)}`;
  }

  keyFromUrl(url: string): string | undefined {
    const key = keyUnder(this.options.publicBaseUrl, url);
    if (key !== undefined && !isPrivateKey(key)) return key;
    const signed = keyUnder(this.options.privateBaseUrl, url);
    return signed !== undefined && isPrivateKey(signed) ? signed : undefined;
  }

  /** Readiness: writes and deletes a small file in both roots (a stat passes on a read-only volume). */
  async check(): Promise<void> {
    for (const root of [this.publicRoot, this.privateRoot]) {
      const probe = path.join(root, `.readyz-${randomUUID()}.probe`);
      await guardStorage(`readiness probe in ${root}`, async () => {
        await ensureDir(root);
        try {
          await writeFile(probe, 'ok');
        } finally {
          await unlink(probe).catch(() => undefined);
        }
      });
    }
  }
}
