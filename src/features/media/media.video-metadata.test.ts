import { readdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeUser, type TestUser } from '../../../test/factories.js';
import { createTestApp, type TestApp } from '../../../test/harness.js';
import { findBoxes, fixture, locatedVideo, mp4Boxes, multipart, sampleRanges, VIDEO_LOCATION } from '../../../test/media-samples.js';
import type { TestS3Server } from '../../../test/s3-server.js';

interface Setup {
  t: TestApp;
  /** Every stored object whose key holds `/{id}/` and ends with `/original.mp4`, read from the disk folder or the bucket. */
  originals(id: string): Promise<Buffer[]>;
  close(): Promise<void>;
}

/** The stored original of a post or story (whatever the key layout around its id), exactly one. */
async function storedOriginal(s: Setup, id: string): Promise<Buffer> {
  const found = await s.originals(id);
  expect(found, `stored originals of ${id}`).toHaveLength(1);
  return found[0]!;
}

const isOriginalOf = (key: string, id: string) => `/${key}`.includes(`/${id}/`) && key.endsWith('/original.mp4');

/** Every file of the disk storage (DATA_DIR/media and any other DATA_DIR/media* root), relative to DATA_DIR. */
function storedFiles(t: TestApp): string[] {
  return readdirSync(t.dataDir)
    .filter((name) => name.startsWith('media'))
    .flatMap((name) => readdirSync(path.join(t.dataDir, name), { recursive: true, withFileTypes: true }))
    .filter((e) => e.isFile())
    .map((e) => path.relative(t.dataDir, path.join(e.parentPath, e.name)).split(path.sep).join('/'));
}

async function diskSetup(): Promise<Setup> {
  const t = await createTestApp({ env: { RATE_LIMIT_ENABLED: 'false' } });
  return {
    t,
    originals: async (id) => {
      const keys = storedFiles(t).filter((key) => isOriginalOf(key, id));
      return Promise.all(keys.map((key) => readFile(path.join(t.dataDir, key))));
    },
    close: () => t.close(),
  };
}

async function s3Setup(): Promise<Setup> {
  const { startS3Server } = await import('../../../test/s3-server.js');
  const server: TestS3Server = await startS3Server();
  const t = await createTestApp({
    env: {
      RATE_LIMIT_ENABLED: 'false',
      S3_BUCKET: server.bucket,
      S3_ENDPOINT: server.endpoint,
      S3_ACCESS_KEY_ID: server.accessKeyId,
      S3_SECRET_ACCESS_KEY: server.secretAccessKey,
    },
  });
  expect(t.ctx.storage.kind).toBe('s3');
  const client = new S3Client({
    region: 'us-east-1',
    endpoint: server.endpoint,
    forcePathStyle: true,
    credentials: { accessKeyId: server.accessKeyId, secretAccessKey: server.secretAccessKey },
  });
  return {
    t,
    originals: async (id) => {
      const listed = await client.send(new ListObjectsV2Command({ Bucket: server.bucket }));
      const keys = (listed.Contents ?? []).map((o) => o.Key!).filter((key) => isOriginalOf(key, id));
      return Promise.all(
        keys.map(async (key) => {
          const object = await client.send(new GetObjectCommand({ Bucket: server.bucket, Key: key }));
          return Buffer.from(await object.Body!.transformToByteArray());
        }),
      );
    },
    close: async () => {
      client.destroy();
      await t.close();
      await server.stop();
    },
  };
}

/** Uploads a video as a post (field `video`) or a story (field `media`). */
function upload(t: TestApp, route: 'post' | 'story', who: TestUser | undefined, data: Buffer) {
  const body = multipart([{ name: route === 'post' ? 'video' : 'media', filename: 'clip.mp4', contentType: 'video/mp4', data }]);
  return t.app.inject({
    method: 'POST',
    url: route === 'post' ? '/api/v1/posts' : '/api/v1/stories',
    headers: { ...body.headers, ...(who ? who.auth : {}) },
    payload: body.payload,
  });
}

const LOCATION_STRINGS = [VIDEO_LOCATION.movie, '+48.8584+002.2945', VIDEO_LOCATION.appleKey, VIDEO_LOCATION.track, VIDEO_LOCATION.xmp];

const samplesOf = (buf: Buffer) => sampleRanges(buf).map((track) => track.map(([offset, size]) => buf.subarray(offset, offset + size)));

describe('issue 14.4: video metadata (GPS) is stripped on upload', () => {
  describe.each([
    { storage: 'disk', open: diskSetup },
    { storage: 's3', open: s3Setup },
  ])('on $storage storage', ({ open }) => {
    let s: Setup;
    beforeAll(async () => {
      s = await open();
    });
    afterAll(async () => s?.close());

    it.each([
      { route: 'post' as const, layout: 'moov-first' as const },
      { route: 'post' as const, layout: 'mdat-first' as const },
      { route: 'story' as const, layout: 'moov-first' as const },
      { route: 'story' as const, layout: 'mdat-first' as const },
    ])('a $layout video uploaded as a $route is stored without its location, still parses, and its samples are where stco says', async ({ route, layout }) => {
      const video = locatedVideo(layout);
      for (const text of LOCATION_STRINGS) expect(video.includes(text), `the sample carries ${text}`).toBe(true);
      const me = await makeUser(s.t.ctx);

      const res = await upload(s.t, route, me, video);
      expect(res.statusCode, res.body).toBe(201);
      const body = res.json<{ id: string; media_width?: number; media_height?: number }>();
      const stored = await storedOriginal(s, body.id);

      for (const text of LOCATION_STRINGS) expect(stored.includes(text), `the stored file still carries ${text}`).toBe(false);
      const tree = mp4Boxes(stored);
      expect(tree.map((b) => b.type).filter((type) => type !== 'free')).toEqual(
        layout === 'moov-first' ? ['ftyp', 'moov', 'mdat'] : ['ftyp', 'mdat', 'moov'],
      );
      for (const where of [['moov'], ['moov', 'trak']]) {
        const kinds = findBoxes(tree, where).flatMap((b) => b.children.map((c) => c.type));
        expect(kinds, where.join('/')).not.toContain('udta');
        expect(kinds, where.join('/')).not.toContain('meta');
      }
      expect(findBoxes(tree, ['moov', 'trak', 'tkhd'])).toHaveLength(1);
      expect(samplesOf(stored)).toEqual(samplesOf(video));
      expect(samplesOf(stored)[0]).toHaveLength(10);
      if (route === 'post') expect([body.media_width, body.media_height]).toEqual([96, 64]);
    });

    it('the plain fixture (ffmpeg’s encoder tag in moov/udta/meta) is stored without it and plays the same samples', async () => {
      const video = fixture('tiny.mp4');
      expect(video.includes('Lavf')).toBe(true);
      const res = await upload(s.t, 'post', await makeUser(s.t.ctx), video);
      expect(res.statusCode, res.body).toBe(201);
      const stored = await storedOriginal(s, res.json().id);
      expect(stored.includes('Lavf')).toBe(false);
      expect(samplesOf(stored)).toEqual(samplesOf(video));
    });
  });

  describe('refusals', () => {
    let s: Setup;
    beforeAll(async () => {
      s = await diskSetup();
    });
    afterAll(async () => s?.close());

    it('a video whose track box runs past moov is 422 invalid_media and nothing is stored', async () => {
      const video = locatedVideo('moov-first');
      const [trak] = findBoxes(mp4Boxes(video), ['moov', 'trak']);
      video.writeUInt32BE(trak!.size + 4096, trak!.start);
      const me = await makeUser(s.t.ctx);
      for (const route of ['post', 'story'] as const) {
        const before = storedFiles(s.t);
        const res = await upload(s.t, route, me, video);
        expect(res.statusCode, res.body).toBe(422);
        expect(res.json().error.code).toBe('invalid_media');
        expect(storedFiles(s.t)).toEqual(before);
      }
    });

    it('without a token the upload is 401 and nothing is stored', async () => {
      const before = storedFiles(s.t);
      const res = await upload(s.t, 'post', undefined, locatedVideo('mdat-first'));
      expect(res.statusCode).toBe(401);
      expect(storedFiles(s.t)).toEqual(before);
    });
  });
});
