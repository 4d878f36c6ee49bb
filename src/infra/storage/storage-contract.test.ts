import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startS3Server, type TestS3Server } from '../../../test/s3-server.js';
import { systemClock } from '../clock/clock.js';
import { DiskStorage } from './disk-storage.js';
import { S3Storage } from './s3-storage.js';
import { IMMUTABLE_CACHE_CONTROL, isPrivateKey, PRIVATE_CACHE_CONTROL, PRIVATE_KEY_PREFIX, type ObjectStorage } from './storage.js';
import { MediaUrlSignature } from './url-signature.js';

/** One adapter under test, with a way to look at what it really stored (not through the port). */
interface Subject {
  storage: ObjectStorage;
  /** The stored bytes, and for S3 the headers a client gets; undefined when the object does not exist. */
  read(key: string): Promise<{ bytes: Buffer; contentType?: string | null; cacheControl?: string | null } | undefined>;
  /** Every stored key, sorted. */
  keys(): Promise<string[]>;
  /** The same storage pointed at a bucket that does not exist (S3 only). */
  missingBucket?(): ObjectStorage;
  close(): Promise<void>;
}

async function diskSubject(): Promise<Subject> {
  const base = await mkdtemp(path.join(os.tmpdir(), 'tribe-disk-storage-'));
  const root = path.join(base, 'media');
  const privateRoot = path.join(base, 'media-private');
  const storage = new DiskStorage({
    publicRoot: root,
    privateRoot,
    publicBaseUrl: 'http://localhost:8000/media',
    privateBaseUrl: 'http://localhost:8000/media',
    signature: new MediaUrlSignature(randomBytes(32)),
    clock: systemClock,
  });
  const fileOf = (key: string) => (isPrivateKey(key) ? path.join(privateRoot, key.slice(PRIVATE_KEY_PREFIX.length)) : path.join(root, key));
  return {
    storage,
    async read(key) {
      try {
        return { bytes: await readFile(fileOf(key)) };
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw err;
      }
    },
    async keys() {
      const list = async (dir: string, prefix: string) =>
        (await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []))
          .filter((entry) => entry.isFile())
          .map((entry) => prefix + path.relative(dir, path.join(entry.parentPath, entry.name)).split(path.sep).join('/'));
      return [...(await list(root, '')), ...(await list(privateRoot, PRIVATE_KEY_PREFIX))].sort();
    },
    close: () => rm(base, { recursive: true, force: true }),
  };
}

async function s3Subject(): Promise<Subject> {
  const server: TestS3Server = await startS3Server();
  const config = (bucket: string) => ({
    bucket,
    region: 'us-east-1',
    endpoint: server.endpoint,
    accessKeyId: server.accessKeyId,
    secretAccessKey: server.secretAccessKey,
    forcePathStyle: true,
  });
  const storage = new S3Storage(config(server.bucket), undefined);
  const others: S3Storage[] = [];
  return {
    storage,
    async read(key) {
      // Anonymous GET on the object's public URL, as an app or a CDN would fetch it (a private key: its presigned URL).
      const response = await fetch(isPrivateKey(key) ? await storage.signedUrlFor(key, 60) : storage.urlFor(key));
      if (response.status === 404) return undefined;
      expect(response.status).toBe(200);
      return {
        bytes: Buffer.from(await response.arrayBuffer()),
        contentType: response.headers.get('content-type'),
        cacheControl: response.headers.get('cache-control'),
      };
    },
    async keys() {
      const keys: string[] = [];
      let token: string | undefined;
      do {
        const page = await storage.client.send(
          new ListObjectsV2Command({ Bucket: server.bucket, ContinuationToken: token }),
        );
        keys.push(...(page.Contents ?? []).map((object) => object.Key ?? ''));
        token = page.NextContinuationToken;
      } while (token);
      return keys.sort();
    },
    missingBucket() {
      const other = new S3Storage(config('no-such-bucket'), undefined);
      others.push(other);
      return other;
    },
    async close() {
      for (const s of [storage, ...others]) s.close();
      await server.stop();
    },
  };
}

const meta = { contentType: 'image/jpeg', cacheControl: IMMUTABLE_CACHE_CONTROL };
/** Random bytes, so any re-encoding (text, chunked framing) would show. */
const bytes = (size: number) => randomBytes(size);

describe.each([
  { adapter: 'disk', open: diskSubject },
  { adapter: 's3', open: s3Subject },
])('ObjectStorage contract: $adapter', ({ adapter, open }) => {
  let subject: Subject;
  let storage: ObjectStorage;
  let scratch: string;

  beforeAll(async () => {
    subject = await open();
    storage = subject.storage;
    scratch = await mkdtemp(path.join(os.tmpdir(), 'tribe-storage-contract-'));
  });
  afterAll(async () => {
    await subject?.close();
    if (scratch) await rm(scratch, { recursive: true, force: true });
  });
  /** Each test works under its own top-level folder, so tests cannot see each other's objects. */
  const fresh = () => `t-${randomUUID()}`;

  it('stores a Buffer and its URL serves exactly those bytes', async () => {
    const key = `${fresh()}/original.jpg`;
    const body = bytes(70_000);
    await storage.put(key, body, meta);
    const stored = await subject.read(key);
    expect(stored?.bytes.equals(body)).toBe(true);
    if (adapter === 's3') {
      expect(stored?.contentType).toBe('image/jpeg');
      expect(stored?.cacheControl).toBe(IMMUTABLE_CACHE_CONTROL);
    }
  });

  it('stores a file body ({path, size}) byte for byte, with its content type', async () => {
    const file = path.join(scratch, `${randomUUID()}.mp4`);
    const body = bytes(1024 * 1024 + 17); // several stream chunks
    await writeFile(file, body);
    const key = `${fresh()}/video.mp4`;
    await storage.put(key, { path: file, size: body.length }, { ...meta, contentType: 'video/mp4' });
    const stored = await subject.read(key);
    expect(stored?.bytes.length).toBe(body.length);
    expect(stored?.bytes.equals(body)).toBe(true);
    if (adapter === 's3') expect(stored?.contentType).toBe('video/mp4');
  });

  it('when the key exists, put replaces the object', async () => {
    const key = `${fresh()}/large.jpg`;
    await storage.put(key, bytes(100), meta);
    const second = bytes(50);
    await storage.put(key, second, meta);
    expect((await subject.read(key))?.bytes.equals(second)).toBe(true);
  });

  it('when the file body does not exist or cannot be read, put rejects and stores nothing', async () => {
    const before = await subject.keys();
    const missing = { path: path.join(scratch, 'missing.bin'), size: 10 };
    await expect(storage.put(`${fresh()}/x.bin`, missing, meta)).rejects.toThrow(/ENOENT/);
    // A directory opens fine but fails on the first read, after the upload has started.
    const unreadable = { path: scratch, size: 10 };
    await expect(storage.put(`${fresh()}/y.bin`, unreadable, meta)).rejects.toThrow(/EISDIR/);
    expect(await subject.keys()).toEqual(before);
  });

  it('rejects unsafe keys without writing anything', async () => {
    await storage.put(`${fresh()}/ok.jpg`, bytes(10), meta);
    const before = await subject.keys();
    const unsafe = ['../x', '/abs', 'a//b', 'a/../b', 'a\\b', '', '..', 'a/./b', 'a/b/', 'a b', 'a?b', 'a#b', 'é.jpg'];
    for (const key of unsafe) {
      await expect(storage.put(key, bytes(10), meta), JSON.stringify(key)).rejects.toThrow(/unsafe storage key/);
      expect(() => storage.urlFor(key), JSON.stringify(key)).toThrow(/unsafe storage key/);
    }
    expect(await subject.keys()).toEqual(before);
  });

  it('deletePrefix removes every object under the prefix, nested too, and nothing else', async () => {
    const base = fresh();
    const doomed = [`${base}/posts/1/original.jpg`, `${base}/posts/1/large.jpg`, `${base}/posts/1/v2/a/thumb.jpg`];
    const survivors = [
      `${base}/posts/10/original.jpg`, // sibling sharing the prefix's leading characters
      `${base}/posts/1.jpg`,
      `${base}/posts/2/original.jpg`,
      `${base}/users/posts/1/original.jpg`,
    ];
    await Promise.all([...doomed, ...survivors].map((key) => storage.put(key, Buffer.from(key), meta)));

    await storage.deletePrefix(`${base}/posts/1/`);

    for (const key of doomed) expect(await subject.read(key), key).toBeUndefined();
    for (const key of survivors) expect((await subject.read(key))?.bytes.toString(), key).toBe(key);
    expect((await subject.keys()).filter((key) => key.startsWith(`${base}/`))).toEqual([...survivors].sort());
  });

  it('deletePrefix removes more objects than one S3 list page or delete batch holds (1,005)', async () => {
    const base = fresh();
    const doomed = Array.from({ length: 1005 }, (_, i) => `${base}/stories/1/${String(i).padStart(4, '0')}.jpg`);
    const survivor = `${base}/stories/10/0000.jpg`;
    const all = [...doomed, survivor];
    for (let i = 0; i < all.length; i += 50) {
      await Promise.all(all.slice(i, i + 50).map((key) => storage.put(key, Buffer.from(key), meta)));
    }
    expect((await subject.keys()).filter((key) => key.startsWith(`${base}/`))).toHaveLength(1006);

    await storage.deletePrefix(`${base}/stories/1/`);

    expect((await subject.keys()).filter((key) => key.startsWith(`${base}/`))).toEqual([survivor]);
  });

  it('deletePrefix of a prefix with no objects resolves and deletes nothing', async () => {
    const base = fresh();
    await storage.put(`${base}/keep.jpg`, bytes(10), meta);
    await storage.deletePrefix(`${base}/nothing-here/`);
    await storage.deletePrefix(`t-${randomUUID()}/`);
    expect(await subject.read(`${base}/keep.jpg`)).toBeDefined();
  });

  it('deletePrefix refuses a prefix without a trailing slash or of an unsafe shape, deleting nothing', async () => {
    const base = fresh();
    await storage.put(`${base}/keep.jpg`, bytes(10), meta);
    const before = await subject.keys();
    for (const prefix of [base, '', '/', '../', `${base}/../`, `${base}//`, `/${base}/`, '*/']) {
      await expect(storage.deletePrefix(prefix), JSON.stringify(prefix)).rejects.toThrow();
    }
    expect(await subject.keys()).toEqual(before);
  });

  it('urlFor and keyFromUrl round-trip; a foreign URL has no key', () => {
    const key = 'users/3f1c/profile/v1/medium.jpg';
    const url = storage.urlFor(key);
    expect(url).toMatch(/^https?:\/\//);
    expect(storage.keyFromUrl(url)).toBe(key);
    expect(storage.keyFromUrl('https://elsewhere.example/users/3f1c/profile/v1/medium.jpg')).toBeUndefined();
    expect(storage.keyFromUrl(url.replace(key, '').slice(0, -1))).toBeUndefined();
  });

  it('issue 14.3: copyPrefix copies every object under a prefix, nested too, to the same keys under another, and nothing else', async () => {
    const base = fresh();
    const sources = [`${base}/posts/1/v1/large.jpg`, `${base}/posts/1/v1/thumb.jpg`, `${base}/posts/1/v1/a/original.mp4`];
    const bystander = `${base}/posts/1/v10/large.jpg`;
    await Promise.all([...sources, bystander].map((key) => storage.put(key, Buffer.from(key), meta)));

    await storage.copyPrefix(`${base}/posts/1/v1/`, `private/${base}/posts/1/v2/`, PRIVATE_CACHE_CONTROL);

    for (const key of sources) {
      expect((await subject.read(`private/${key.replace('/v1/', '/v2/')}`))?.bytes.toString(), key).toBe(key);
      expect((await subject.read(key))?.bytes.toString(), key).toBe(key); // the originals stay until deleted
    }
    expect((await subject.keys()).filter((key) => key.startsWith(`private/${base}/`))).toEqual(
      sources.map((key) => `private/${key.replace('/v1/', '/v2/')}`).sort(),
    );
    if (adapter === 's3') {
      const copy = await subject.read(`private/${base}/posts/1/v2/large.jpg`);
      expect(copy?.contentType).toBe('image/jpeg');
      // A presigned GET answers with its own response-cache-control: private, never the stored public one.
      expect(copy?.cacheControl).toMatch(/^private, max-age=\d+$/);
      const video = await subject.read(`private/${base}/posts/1/v2/a/original.mp4`);
      expect(video?.contentType).toBe('video/mp4');
    }
    await expect(storage.copyPrefix(`${base}/posts/1/`, `${base}/posts/1/v3/`, IMMUTABLE_CACHE_CONTROL)).rejects.toThrow(/contain/);
    await expect(storage.copyPrefix(`${base}/posts/1`, `${base}/x/`, IMMUTABLE_CACHE_CONTROL)).rejects.toThrow();
  });

  it('issue 14.3: a private key has no public URL; signedUrlFor gives the same URL within a time bucket, and only for private keys', async () => {
    const key = `private/${fresh()}/posts/1/v1/large.jpg`;
    await storage.put(key, bytes(100), { contentType: 'image/jpeg', cacheControl: PRIVATE_CACHE_CONTROL });
    expect(() => storage.urlFor(key)).toThrow(/private key/);
    const first = await storage.signedUrlFor(key, 3600);
    expect(await storage.signedUrlFor(key, 3600)).toBe(first);
    expect(first).not.toBe(await storage.signedUrlFor(key.replace('v1', 'v2'), 3600));
    expect(storage.keyFromUrl(first)).toBe(key);
    await expect(storage.signedUrlFor('posts/1/large.jpg', 3600)).rejects.toThrow(/only private keys/);
    // A query is accepted for private keys only: a public key's URL has none.
    expect(storage.keyFromUrl(`${storage.urlFor('posts/1/large.jpg')}?exp=1&sig=x`)).toBeUndefined();
  });

  it('check resolves when the storage answers', async () => {
    await expect(storage.check()).resolves.toBeUndefined();
  });

  it.runIf(adapter === 's3')('check rejects when the bucket does not exist', async () => {
    await expect(subject.missingBucket?.().check()).rejects.toThrow();
  });
});
