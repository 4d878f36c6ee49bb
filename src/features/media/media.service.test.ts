import { randomUUID } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startS3Server, type TestS3Server } from '../../../test/s3-server.js';
import { cameraJpeg, fixture, sampleRanges, truncatedJpeg } from '../../../test/media-samples.js';
import { DiskStorage } from '../../infra/storage/disk-storage.js';
import { S3Storage } from '../../infra/storage/s3-storage.js';
import type { ObjectStorage } from '../../infra/storage/storage.js';
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
  /** The bytes behind a stored URL, or undefined when nothing is there. */
  read(url: string): Promise<Buffer | undefined>;
  close(): Promise<void>;
}

async function diskAdapter(): Promise<Adapter> {
  const root = await mkdtemp(path.join(os.tmpdir(), 'tribe-media-disk-'));
  const storage = new DiskStorage(root, 'http://media.test/media');
  return {
    storage,
    read: async (url) => readFile(path.join(root, storage.keyFromUrl(url)!)).catch(() => undefined),
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
    read: async (url) => {
      const res = await fetch(url);
      return res.ok ? Buffer.from(await res.arrayBuffer()) : undefined;
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
    media = new MediaService(adapter.storage, settings);
  });
  afterAll(async () => adapter?.close());

  it('a post photo gets original, large 1080×1350, medium 640×800 and thumb 320×400 boxes under posts/{id}/', async () => {
    const postId = randomUUID();
    const stored = await media.store('post', postId, await asUpload(await cameraJpeg()), { allowVideo: true });
    expect(stored).toMatchObject({ mediaType: 'image', width: 3000, height: 4000 });
    expect(stored.url).toBe(stored.variants.large);
    expect(stored.thumbnailUrl).toBe(stored.variants.thumb);
    const boxes: Record<string, [number, number]> = { original: [3000, 4000], large: [1013, 1350], medium: [600, 800], thumb: [300, 400] };
    for (const [name, [w, h]] of Object.entries(boxes)) {
      expect(stored.variants[name]).toContain(`posts/${postId}/${name}.jpg`);
      const bytes = await adapter.read(stored.variants[name]!);
      const meta = await sharp(bytes).metadata();
      expect([meta.width, meta.height], name).toEqual([w, h]);
      expect(meta.exif).toBeUndefined();
    }
  });

  it('story and goal photos get original and thumb; goals are versioned', async () => {
    const story = await media.store('story', 's1', await asUpload(await cameraJpeg(1200, 900)), { allowVideo: true });
    expect(Object.keys(story.variants).sort()).toEqual(['original', 'thumb']);
    expect(story.url).toMatch(/stories\/s1\/original\.jpg$/);
    const goal = await media.store('goal', 'g1', await asUpload(await cameraJpeg(1200, 900)), { allowVideo: false });
    expect(goal.thumbnailUrl).toMatch(/goals\/g1\/[0-9a-f]+\/thumb\.jpg$/);
    const thumb = await sharp(await adapter.read(goal.thumbnailUrl)).metadata();
    expect([thumb.width, thumb.height]).toEqual([400, 400]);
  });

  it('an MP4 is stored with its metadata blanked (same length, same samples), with its frame size and a thumbnail', async () => {
    const video = fixture('tiny.mp4');
    const stored = await media.store('post', randomUUID(), await asUpload(video), { allowVideo: true });
    expect(stored).toMatchObject({ mediaType: 'video', width: 96, height: 64 });
    expect(stored.url).toMatch(/original\.mp4$/);
    const bytes = (await adapter.read(stored.url))!;
    expect(bytes.length).toBe(video.length);
    expect([video.includes('Lavf'), bytes.includes('Lavf')]).toEqual([true, false]); // ffmpeg's encoder tag in moov/udta
    const samples = (buf: Buffer) => sampleRanges(buf)[0]!.map(([at, size]) => buf.subarray(at, at + size));
    expect(samples(bytes)).toEqual(samples(video));
    const thumb = await sharp(await adapter.read(stored.thumbnailUrl)).metadata();
    expect(thumb.format).toBe('jpeg');
  });

  it('a QuickTime MOV is stored as .mov', async () => {
    const stored = await media.store('story', randomUUID(), await asUpload(fixture('tiny.mov')), { allowVideo: true });
    expect(stored.url).toMatch(/original\.mov$/);
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
    const probe = adapter.storage.urlFor(`posts/${postId}/original.jpg`);
    expect(await adapter.read(probe)).toBeUndefined();
  });

  it('removeAll deletes an owner’s files; removeByUrl deletes one version and ignores foreign URLs', async () => {
    const postId = randomUUID();
    const post = await media.store('post', postId, await asUpload(await cameraJpeg(800, 600)), { allowVideo: true });
    await media.removeAll('post', postId);
    expect(await adapter.read(post.url)).toBeUndefined();

    const first = await media.store('profile', 'u1', await asUpload(await cameraJpeg(800, 600)), { allowVideo: false });
    const second = await media.store('profile', 'u1', await asUpload(await cameraJpeg(800, 600)), { allowVideo: false });
    await media.removeByUrl(first.url, 'profile', 'u1');
    expect(await adapter.read(first.url)).toBeUndefined();
    expect(await adapter.read(second.url)).toBeDefined();
    await media.removeByUrl(second.url, 'profile', 'someone-else');
    await media.removeByUrl('https://elsewhere.example/users/u1/profile/x/large.jpg', 'profile', 'u1');
    expect(await adapter.read(second.url)).toBeDefined();
  });
});

describe('video thumbnails', () => {
  let adapter: Adapter;
  beforeAll(async () => {
    adapter = await diskAdapter();
  });
  afterAll(async () => adapter.close());

  it('without ffmpeg, a neutral placeholder thumbnail is stored and the upload still succeeds', async () => {
    const media = new MediaService(adapter.storage, { ...settings, ffmpegPath: '/nonexistent/ffmpeg' });
    const stored = await media.store('post', randomUUID(), await asUpload(fixture('tiny.mp4')), { allowVideo: true });
    const thumb = await sharp(await adapter.read(stored.thumbnailUrl)).metadata();
    expect([thumb.width, thumb.height]).toEqual([320, 400]);
  });

  it.runIf(ffmpegAvailable)('with ffmpeg on PATH, the first frame becomes the thumbnail', async () => {
    const media = new MediaService(adapter.storage, settings);
    const stored = await media.store('post', randomUUID(), await asUpload(fixture('tiny.mp4')), { allowVideo: true });
    const thumb = await sharp(await adapter.read(stored.thumbnailUrl)).metadata();
    expect([thumb.width, thumb.height]).toEqual([96, 64]);
  });

  it('a video over the size limit is refused with file_too_large', async () => {
    const media = new MediaService(adapter.storage, { ...settings, maxVideoBytes: 1000 });
    await expect(media.store('post', 'p', await asUpload(fixture('tiny.mp4')), { allowVideo: true })).rejects.toMatchObject({
      code: 'file_too_large',
    });
  });
});
