import { randomUUID } from 'node:crypto';
import { copyFile, mkdir, rename, rm, stat, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { assertSafeKey, keyUnder, urlUnder, type ObjectBody, type ObjectStorage, type StoredObjectMeta } from './storage.js';

/** Objects as files under DATA_DIR/media, served by the API at /media/<key> (or a CDN's `baseUrl`). */
export class DiskStorage implements ObjectStorage {
  readonly kind = 'disk' as const;
  readonly localRoot: string;

  constructor(
    root: string,
    /** URL prefix of the objects, e.g. `http://localhost:8000/media` or a CDN origin. */
    private readonly baseUrl: string,
  ) {
    this.localRoot = path.resolve(root);
  }

  private pathOf(key: string): string {
    assertSafeKey(key);
    const full = path.resolve(this.localRoot, key);
    if (!full.startsWith(this.localRoot + path.sep)) throw new Error(`storage key escapes the root: ${key}`);
    return full;
  }

  async put(key: string, body: ObjectBody, _meta: StoredObjectMeta): Promise<void> {
    const target = this.pathOf(key);
    await mkdir(path.dirname(target), { recursive: true });
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
  }

  async deletePrefix(prefix: string): Promise<void> {
    if (!prefix.endsWith('/')) throw new Error('a prefix must end with "/"');
    const dir = this.pathOf(prefix.slice(0, -1));
    await rm(dir, { recursive: true, force: true });
  }

  urlFor(key: string): string {
    return urlUnder(this.baseUrl, key);
  }

  keyFromUrl(url: string): string | undefined {
    return keyUnder(this.baseUrl, url);
  }

  async check(): Promise<void> {
    await mkdir(this.localRoot, { recursive: true });
    await stat(this.localRoot);
  }
}
