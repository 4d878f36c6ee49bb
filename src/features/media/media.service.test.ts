import { randomUUID } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startS3Server, type TestS3Server } from '../../../test/s3-server.js';
import { cameraJpeg, fixture, sampleRanges, truncatedJpeg } from '../../../test/media-samples.js';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { systemClock } from '../../infra/clock/clock.js';
import { DiskStorage } from '../../infra/storage/disk-storage.js';
import { S3Storage } from '../../infra/storage/s3-storage.js';
import { isPrivateKey, PRIVATE_KEY_PREFIX, type ObjectStorage } from '../../infra/storage/storage.js';
import { MediaUrlSignature } from '../../infra/storage/url-signature.js';
import { MediaLinks } from './media.links.js';
import { MediaService, type MediaSettings, type UploadedFile } from './media.service.js';

const ffmpegAvailable = (() => {
  try {
    execFileSync('ffmpeg', ['-version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

const settings: MediaSettings = {
  maxImageBytes: 15 * 1024 * 1024,
  maxImagePixels: 40_000_000,
  maxVideoBytes: 100 * 1024 * 1024,
  imageFormat: 'jpeg',
  ffmpegPath: 'ffmpeg',
};

interface Adapter {
  storage: ObjectStorage;
  /** The bytes behind a stored reference (a public URL or a private key), or undefined when nothing is there. */
  read(ref: string): Promise<Buffer | undefined>;
  /** Whether any object's key starts with `prefix`. */
  any(prefix: string): Promise<boolean>;
  close(): Promise<void>;
}

const newMediaService = (storage: ObjectStorage, options: MediaSettings = settings) => new MediaService(storage, options, new MediaLinks(storage, 3600));

async function diskAdapter(): Promise<Adapter> {
  const root = await mkdtemp(path.join(os.tmpdir(), 'tribe-media-disk-'));
  const storage = new DiskStorage({
    publicRoot: path.join(root, 'media'),
    privateRoot: path.join(root, 'media-private'),
    publicBaseUrl: 'http://media.test/media',
    privateBaseUrl: 'http://api.test/media',
    signature: new MediaUrlSignature('s'.repeat(32)),
    clock: systemClock,
  });
  const fileOf = (ref: string) => {
    const key = ref.includes('://') ? storage.keyFromUrl(ref)! : ref;
    return isPrivateKey(key) ? path.join(root, 'media-private', key.slice(PRIVATE_KEY_PREFIX.length)) : path.join(root, 'media', key);
  };
  return {
    storage,
    read: async (ref) => readFile(fileOf(ref)).catch(() => undefined),
    any: async (prefix) => {
      const dir = fileOf(prefix.replace(/\/$/, ''));
      return (await readdir(dir).catch(() => [])).length > 0;
    },
    close: () => rm(root, { recursive: true, force: true }),
  };
}

async function s3Adapter(): Promise<Adapter> {
  const server: TestS3Server = await startS3Server();
  const storage = new S3Storage(
    {
      bucket: server.bucket,
      region: 'us-east-1',
      endpoint: server.endpoint,
      accessKeyId: server.accessKeyId,
      secretAccessKey: server.secretAccessKey,
      forcePathStyle: true,
    },
    undefined,
  );
  return {
    storage,
    read: async (ref) => {
      const res = await fetch(isPrivateKey(ref) ? await storage.signedUrlFor(ref, 60) : ref);
      return res.ok ? Buffer.from(await res.arrayBuffer()) : undefined;
    },
    any: async (prefix) => {
      const page = await storage.client.send(new ListObjectsV2Command({ Bucket: server.bucket, Prefix: prefix, MaxKeys: 1 }));
      return (page.KeyCount ?? 0) > 0;
    },
    close: async () => {
      storage.close();
      await server.stop();
    },
  };
}

let scratch: string;
beforeAll(async () => {
  scratch = await mkdtemp(path.join(os.tmpdir(), 'tribe-media-upload-'));
});
afterAll(async () => rm(scratch, { recursive: true, force: true }));

async function asUpload(data: Buffer): Promise<UploadedFile> {
  const file = path.join(scratch, randomUUID());
  await writeFile(file, data);
  return { path: file, size: data.length };
}

describe.each([
  { name: 'disk', open: diskAdapter },
  { name: 's3', open: s3Adapter },
])('MediaService on $name storage', ({ open }) => {
  let adapter: Adapter;
  let media: MediaService;
  beforeAll(async () => {
    adapter = await open();
    media = newMediaService(adapter.storage);
  });
  afterAll(async () => adapter?.close());

  it('a post photo gets original, large 1080×1350, medium 640×800 and thumb 320×400 boxes under posts/{id}/{version}/', async () => {
    const postId = randomUUID();
    const stored = await media.store('post', postId, await asUpload(await cameraJpeg()), { allowVideo: true });
    expect(stored).toMatchObject({ mediaType: 'image', width: 3000, height: 4000 });
    expect(stored.ref).toBe(stored.variants.large);
    expect(stored.thumbnailRef).toBe(stored.variants.thumb);
    const boxes: Record<string, [number, number]> = { original: [3000, 4000], large: [1013, 1350], medium: [600, 800], thumb: [300, 400] };
    for (const [name, [w, h]] of Object.entries(boxes)) {
      expect(stored.variants[name]).toMatch(new RegExp(`^https?://.*/posts/${postId}/[0-9a-f]{24}/${name}\\.jpg$`));
      const bytes = await adapter.read(stored.variants[name]!);
      const meta = await sharp(bytes).metadata();
      expect([meta.width, meta.height], name).toEqual([w, h]);
      expect(meta.exif).toBeUndefined();
    }
  });

  it('story and goal photos get original and thumb, as private keys', async () => {
    const story = await media.store('story', 's1', await asUpload(await cameraJpeg(1200, 900)), { allowVideo: true });
    expect(Object.keys(story.variants).sort()).toEqual(['original', 'thumb']);
    expect(story.ref).toMatch(/^private\/stories\/s1\/[0-9a-f]{24}\/original\.jpg$/);
    const goal = await media.store('goal', 'g1', await asUpload(await cameraJpeg(1200, 900)), { allowVideo: false });
    expect(goal.thumbnailRef).toMatch(/^private\/goals\/g1\/[0-9a-f]{24}\/thumb\.jpg$/);
    const thumb = await sharp(await adapter.read(goal.thumbnailRef)).metadata();
    expect([thumb.width, thumb.height]).toEqual([400, 400]);
  });

  it('an MP4 is stored with its metadata blanked (same length, same samples), with its frame size and a thumbnail', async () => {
    const video = fixture('tiny.mp4');
    const stored = await media.store('post', randomUUID(), await asUpload(video), { allowVideo: true });
    expect(stored).toMatchObject({ mediaType: 'video', width: 96, height: 64 });
    expect(stored.ref).toMatch(/original\.mp4$/);
    const bytes = (await adapter.read(stored.ref))!;
    expect(bytes.length).toBe(video.length);
    expect([video.includes('Lavf'), bytes.includes('Lavf')]).toEqual([true, false]); // ffmpeg's encoder tag in moov/udta
    const samples = (buf: Buffer) => sampleRanges(buf)[0]!.map(([at, size]) => buf.subarray(at, at + size));
    expect(samples(bytes)).toEqual(samples(video));
    const thumb = await sharp(await adapter.read(stored.thumbnailRef)).metadata();
    expect(thumb.format).toBe('jpeg');
  });

  it('a QuickTime MOV is stored as .mov', async () => {
    const stored = await media.store('story', randomUUID(), await asUpload(fixture('tiny.mov')), { allowVideo: true });
    expect(stored.ref).toMatch(/original\.mov$/);
    expect(stored.mediaType).toBe('video');
  });

  it('refused files leave nothing behind', async () => {
    const postId = randomUUID();
    const mp4 = fixture('tiny.mp4');
    const refusals: Array<[Buffer, string]> = [
      [await truncatedJpeg(), 'invalid_media'],
      [mp4.subarray(0, Math.floor(mp4.length / 2)), 'invalid_media'],
      [Buffer.from('plain text, not media'), 'unsupported_media_type'],
    ];
    for (const [data, code] of refusals) {
      await expect(media.store('post', postId, await asUpload(data), { allowVideo: true })).rejects.toMatchObject({ code });
    }
    expect(await adapter.any(`posts/${postId}/`)).toBe(false);
    expect(await adapter.any(`private/posts/${postId}/`)).toBe(false);
  });

  it('removeAll deletes an owner’s files, public and private; removeByRef deletes one version and ignores foreign URLs', async () => {
    const postId = randomUUID();
    const post = await media.store('post', postId, await asUpload(await cameraJpeg(800, 600)), { allowVideo: true });
    const hidden = await media.store('post', postId, await asUpload(await cameraJpeg(800, 600)), { allowVideo: true, access: 'private' });
    await media.removeAll('post', postId);
    expect(await adapter.read(post.ref)).toBeUndefined();
    expect(await adapter.read(hidden.ref)).toBeUndefined();

    const first = await media.store('profile', 'u1', await asUpload(await cameraJpeg(800, 600)), { allowVideo: false });
    const second = await media.store('profile', 'u1', await asUpload(await cameraJpeg(800, 600)), { allowVideo: false });
    await media.removeByRef(first.ref, 'profile', 'u1');
    expect(await adapter.read(first.ref)).toBeUndefined();
    expect(await adapter.read(second.ref)).toBeDefined();
    await media.removeByRef(second.ref, 'profile', 'someone-else');
    await media.removeByRef('https://elsewhere.example/users/u1/profile/x/large.jpg', 'profile', 'u1');
    expect(await adapter.read(second.ref)).toBeDefined();
  });
});

describe.each([
  { name: 'disk', open: diskAdapter },
  { name: 's3', open: s3Adapter },
])('issue 14.3: private media keys and re-keying on $name storage', ({ open }) => {
  let adapter: Adapter;
  let media: MediaService;
  beforeAll(async () => {
    adapter = await open();
    media = newMediaService(adapter.storage);
  });
  afterAll(async () => adapter?.close());

  it('a private post upload is stored under private/posts/{id}/{version}/ and its references are keys, not URLs', async () => {
    const postId = randomUUID();
    const stored = await media.store('post', postId, await asUpload(await cameraJpeg(800, 600)), { allowVideo: true, access: 'private' });
    for (const ref of Object.values(stored.variants)) expect(ref).toMatch(new RegExp(`^private/posts/${postId}/[0-9a-f]{24}/\\w+\\.jpg$`));
    expect(await adapter.read(stored.ref)).toBeDefined();
    expect(await adapter.any(`posts/${postId}/`)).toBe(false);
    const url = await media.links.url(stored.ref);
    expect(url).not.toBe(stored.ref);
    expect(() => adapter.storage.urlFor(stored.ref)).toThrow(/private key/);
  });

  it('changeAccess copies every variant to fresh keys of the other access; removeOriginals deletes the old objects', async () => {
    const postId = randomUUID();
    const stored = await media.store('post', postId, await asUpload(await cameraJpeg(800, 600)), { allowVideo: true });
    const before = await adapter.read(stored.ref);
    const moved = await media.changeAccess('post', postId, [stored.ref, stored.thumbnailRef, null], 'private');
    const [main, thumb, none] = moved.refs;
    expect(main).toMatch(new RegExp(`^private/posts/${postId}/[0-9a-f]{24}/large\\.jpg$`));
    expect(thumb).toBe(main!.replace('large.jpg', 'thumb.jpg'));
    expect(none).toBeNull();
    expect((await adapter.read(main!))?.equals(before!)).toBe(true);
    expect(await adapter.read(stored.ref)).toBeDefined(); // until the row points at the copies
    await moved.removeOriginals();
    expect(await adapter.read(stored.ref)).toBeUndefined();
    expect(await adapter.read(stored.thumbnailRef)).toBeUndefined();

    const back = await media.changeAccess('post', postId, [main!, thumb!], 'public');
    expect(back.refs[0]).toMatch(new RegExp(`^https?://.*/posts/${postId}/[0-9a-f]{24}/large\\.jpg$`));
    expect(back.refs[0]).not.toBe(stored.ref);
    await back.discardCopies();
    expect(await adapter.read(back.refs[0]!)).toBeUndefined();
    expect(await adapter.read(main!)).toBeDefined();
  });

  it('changeAccess leaves references it did not produce (or of another owner) unchanged and copies nothing', async () => {
    const external = ['https://cdn.example.com/posts/x/large.jpg', 'https://cdn.example.com/posts/x/thumb.jpg'];
    expect((await media.changeAccess('post', randomUUID(), external, 'private')).refs).toEqual(external);
    const stored = await media.store('post', randomUUID(), await asUpload(await cameraJpeg(400, 300)), { allowVideo: true });
    const other = randomUUID();
    expect((await media.changeAccess('post', other, [stored.ref], 'private')).refs).toEqual([stored.ref]);
    expect(await adapter.any(`private/posts/${other}/`)).toBe(false);
  });

  it('chatAttachment knows the uploader’s own attachment of the conversation by its signed URL, and nothing else', async () => {
    const [conversation, uploader, stranger] = [randomUUID(), randomUUID(), randomUUID()];
    const stored = await media.store('chat', `${conversation}/${uploader}`, await asUpload(await cameraJpeg(400, 300)), { allowVideo: true });
    expect(stored.ref).toMatch(new RegExp(`^private/chat/${conversation}/${uploader}/[0-9a-f]{24}/original\\.jpg$`));
    const url = await media.links.url(stored.ref);
    expect(media.chatAttachment(conversation, uploader, url)).toEqual({ ref: stored.ref, thumbnailRef: stored.thumbnailRef });
    expect(media.chatAttachment(conversation, stranger, url)).toBeUndefined();
    expect(media.chatAttachment(randomUUID(), uploader, url)).toBeUndefined();
    expect(media.chatAttachment(conversation, uploader, 'https://elsewhere.example/x.jpg')).toBeUndefined();
    expect(media.isPrivateMediaUrl(url)).toBe(true);
    expect(media.isPrivateMediaUrl('https://elsewhere.example/private/x.jpg')).toBe(false);
  });
});

describe('video thumbnails', () => {
  let adapter: Adapter;
  beforeAll(async () => {
    adapter = await diskAdapter();
  });
  afterAll(async () => adapter.close());

  it('without ffmpeg, a neutral placeholder thumbnail is stored and the upload still succeeds', async () => {
    const media = newMediaService(adapter.storage, { ...settings, ffmpegPath: '/nonexistent/ffmpeg' });
    const stored = await media.store('post', randomUUID(), await asUpload(fixture('tiny.mp4')), { allowVideo: true });
    const thumb = await sharp(await adapter.read(stored.thumbnailRef)).metadata();
    expect([thumb.width, thumb.height]).toEqual([320, 400]);
  });

  it.runIf(ffmpegAvailable)('with ffmpeg on PATH, the first frame becomes the thumbnail', async () => {
    const media = newMediaService(adapter.storage);
    const stored = await media.store('post', randomUUID(), await asUpload(fixture('tiny.mp4')), { allowVideo: true });
    const thumb = await sharp(await adapter.read(stored.thumbnailRef)).metadata();
    expect([thumb.width, thumb.height]).toEqual([96, 64]);
  });

  it('a video over the size limit is refused with file_too_large', async () => {
    const media = newMediaService(adapter.storage, { ...settings, maxVideoBytes: 1000 });
    await expect(media.store('post', 'p', await asUpload(fixture('tiny.mp4')), { allowVideo: true })).rejects.toMatchObject({
      code: 'file_too_large',
    });
  });
});
