import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeUser, type TestUser } from '../../../test/factories.js';
import { createTestApp, type TestApp } from '../../../test/harness.js';
import {
  cameraJpeg,
  encodedAs,
  fixture,
  multipart,
  pixelBombPng,
  png,
  truncatedJpeg,
} from '../../../test/media-samples.js';

let t: TestApp;

function upload(who: TestUser | undefined, data: Buffer, opts: { field?: string; filename?: string; contentType?: string; slot?: string } = {}) {
  const body = multipart([
    { name: opts.field ?? 'image', filename: opts.filename ?? 'photo.jpg', contentType: opts.contentType ?? 'image/jpeg', data },
  ]);
  return t.app.inject({
    method: 'PATCH',
    url: `/api/v1/users/me/${opts.slot ?? 'profile-image'}`,
    headers: { ...body.headers, ...(who ? who.auth : {}) },
    payload: body.payload,
  });
}

/** GETs a stored URL through the API's /media route. */
function fetchMedia(url: string) {
  return t.app.inject({ method: 'GET', url: new URL(url).pathname });
}

function mediaFilesOf(userId: string): string[] {
  const dir = path.join(t.dataDir, 'media', 'users', userId);
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)));
}

beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => t.close());

describe('PATCH /api/v1/users/me/profile-image', () => {
  it('stores an upright, metadata-free original and the plan’s square variants, and sets profile_image_url', async () => {
    const u = await makeUser(t.ctx);
    const input = await cameraJpeg();
    const inputMeta = await sharp(input).metadata();
    expect(inputMeta.orientation).toBe(6);
    expect(inputMeta.exif?.includes(Buffer.from([0x25, 0x88]))).toBe(true); // GPS IFD pointer present

    const res = await upload(u, input);
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.profile_image_url).toBe(body.variants.large);
    expect(body.profile_image_url).toMatch(new RegExp(`/media/users/${u.id}/profile/[0-9a-f]+/large\\.jpg$`));
    expect(Object.keys(body.variants).sort()).toEqual(['large', 'medium', 'original', 'thumb']);

    const expected: Record<string, [number, number]> = { original: [3000, 4000], large: [800, 800], medium: [400, 400], thumb: [150, 150] };
    for (const [name, [w, h]] of Object.entries(expected)) {
      const served = await fetchMedia(body.variants[name]);
      expect(served.statusCode, name).toBe(200);
      expect(served.headers['content-type']).toBe('image/jpeg');
      expect(served.headers['cache-control']).toContain('immutable');
      const meta = await sharp(served.rawPayload).metadata();
      expect([meta.width, meta.height], name).toEqual([w, h]);
      expect(meta.exif, `${name} keeps no EXIF`).toBeUndefined();
      expect(meta.orientation).toBeUndefined();
      expect(served.rawPayload.includes(Buffer.from('TribeCam'))).toBe(false);
    }
    // Rotated for display: red (the original bottom) is now on the left, blue on the right.
    const original = await fetchMedia(body.variants.original);
    const { data, info } = await sharp(original.rawPayload).raw().toBuffer({ resolveWithObject: true });
    const pixel = (x: number, y: number) => {
      const i = (y * info.width + x) * info.channels;
      return [data[i]!, data[i + 1]!, data[i + 2]!];
    };
    const [lr, , lb] = pixel(Math.floor(info.width * 0.1), Math.floor(info.height / 2));
    const [rr, , rb] = pixel(Math.floor(info.width * 0.9), Math.floor(info.height / 2));
    expect(lr).toBeGreaterThan(200);
    expect(lb).toBeLessThan(60);
    expect(rb).toBeGreaterThan(200);
    expect(rr).toBeLessThan(60);

    const me = await t.app.inject({ method: 'GET', url: '/api/v1/users/me', headers: u.auth });
    expect(me.json().profile_image_url).toBe(body.profile_image_url);
  });

  it('replacing the picture deletes the previous one', async () => {
    const u = await makeUser(t.ctx);
    const first = (await upload(u, await png(900, 900))).json();
    const second = (await upload(u, await png(700, 700))).json();
    expect(second.profile_image_url).not.toBe(first.profile_image_url);
    for (const url of Object.values(first.variants) as string[]) expect((await fetchMedia(url)).statusCode).toBe(404);
    for (const url of Object.values(second.variants) as string[]) expect((await fetchMedia(url)).statusCode).toBe(200);
    expect(mediaFilesOf(u.id)).toHaveLength(4);
  });

  it('never upscales: a 120×90 image stays 120×90 in every variant', async () => {
    const u = await makeUser(t.ctx);
    const body = (await upload(u, await png(120, 90))).json();
    for (const url of Object.values(body.variants) as string[]) {
      const meta = await sharp((await fetchMedia(url)).rawPayload).metadata();
      expect(meta.width).toBeLessThanOrEqual(120);
      expect(meta.height).toBeLessThanOrEqual(90);
    }
  });

  it.each([
    ['a HEIC photo (iPhone)', () => Promise.resolve(fixture('sample.heic')), [320, 240]],
    ['a PNG with transparency', () => png(640, 480), [640, 480]],
    ['a WebP', () => encodedAs('webp'), [640, 480]],
    ['an AVIF', () => encodedAs('avif'), [640, 480]],
    ['a GIF', () => encodedAs('gif'), [640, 480]],
  ])('accepts %s, whatever its name and declared type', async (_case, make, [w, h]) => {
    const u = await makeUser(t.ctx);
    const res = await upload(u, await make(), { filename: 'upload.bin', contentType: 'application/octet-stream' });
    expect(res.statusCode).toBe(200);
    const original = await sharp((await fetchMedia(res.json().variants.original)).rawPayload).metadata();
    expect(original.format).toBe('jpeg');
    expect([original.width, original.height]).toEqual([w, h]);
  });

  it.each([
    ['a text file renamed .jpg', () => Promise.resolve(Buffer.from('hello, this is not a photo\n'.repeat(20))), 415, 'unsupported_media_type'],
    ['an MP4 video', () => Promise.resolve(fixture('tiny.mp4')), 415, 'unsupported_media_type'],
    ['a truncated JPEG', truncatedJpeg, 422, 'invalid_media'],
    ['a pixel-bomb PNG (50,000 × 50,000)', () => Promise.resolve(pixelBombPng()), 413, 'file_too_large'],
    ['an empty file', () => Promise.resolve(Buffer.alloc(0)), 422, 'invalid_media'],
  ])('refuses %s, and stores nothing', async (_case, make, status, code) => {
    const u = await makeUser(t.ctx);
    const res = await upload(u, await make());
    expect(res.statusCode).toBe(status);
    expect(res.json().error.code).toBe(code);
    expect(mediaFilesOf(u.id)).toEqual([]);
    const me = await t.app.inject({ method: 'GET', url: '/api/v1/users/me', headers: u.auth });
    expect(me.json().profile_image_url).toBeNull();
  });

  it('a refused upload keeps the current picture', async () => {
    const u = await makeUser(t.ctx);
    const good = (await upload(u, await png(300, 300))).json();
    expect((await upload(u, await truncatedJpeg())).statusCode).toBe(422);
    const me = await t.app.inject({ method: 'GET', url: '/api/v1/users/me', headers: u.auth });
    expect(me.json().profile_image_url).toBe(good.profile_image_url);
    expect(mediaFilesOf(u.id)).toHaveLength(4);
  });

  it('without a token → 401; as JSON → 415; without the image field → 422; with another file field → 422', async () => {
    expect((await upload(undefined, await png(50, 50))).statusCode).toBe(401);
    const u = await makeUser(t.ctx);
    const json = await t.app.inject({
      method: 'PATCH',
      url: '/api/v1/users/me/profile-image',
      headers: u.auth,
      payload: { image: 'data:image/png;base64,AAAA' },
    });
    expect(json.statusCode).toBe(415);
    const empty = multipart([{ name: 'caption', value: 'hi' }]);
    const noFile = await t.app.inject({
      method: 'PATCH',
      url: '/api/v1/users/me/profile-image',
      headers: { ...empty.headers, ...u.auth },
      payload: empty.payload,
    });
    expect(noFile.statusCode).toBe(422);
    const wrongField = await upload(u, await png(50, 50), { field: 'photo' });
    expect(wrongField.statusCode).toBe(422);
    expect(wrongField.json().error.details[0].field).toBe('photo');
    expect(mediaFilesOf(u.id)).toEqual([]);
  });

  it('allows 10 uploads per hour per user, then 429 with Retry-After', async () => {
    const u = await makeUser(t.ctx);
    const image = await png(60, 60, false);
    for (let i = 0; i < 10; i++) expect((await upload(u, image)).statusCode).toBe(200);
    const refused = await upload(u, image);
    expect(refused.statusCode).toBe(429);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(3500);
    const other = await makeUser(t.ctx);
    expect((await upload(other, image)).statusCode).toBe(200);
  });
});

describe('PATCH /api/v1/users/me/cover-image', () => {
  it('stores original and a 1200×400 banner and sets cover_image_url', async () => {
    const u = await makeUser(t.ctx);
    const res = await upload(u, await png(2400, 1600, false), { slot: 'cover-image' });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.cover_image_url).toBe(body.variants.large);
    expect(body.cover_image_url).toContain(`/users/${u.id}/cover/`);
    const large = await sharp((await fetchMedia(body.variants.large)).rawPayload).metadata();
    expect([large.width, large.height]).toEqual([1200, 400]);
    const me = await t.app.inject({ method: 'GET', url: '/api/v1/users/me', headers: u.auth });
    expect(me.json().cover_image_url).toBe(body.cover_image_url);
    expect(me.json().profile_image_url).toBeNull();
  });
});

describe('image size limit', () => {
  it('an image over MEDIA_MAX_IMAGE_MB is refused with 413 file_too_large and nothing stored', async () => {
    const small = await createTestApp({ env: { MEDIA_MAX_IMAGE_MB: '1' } });
    try {
      const u = await makeUser(small.ctx);
      const big = await sharp({
        create: { width: 1500, height: 1500, channels: 3, background: '#000000', noise: { type: 'gaussian', mean: 128, sigma: 60 } },
      })
        .png()
        .toBuffer();
      expect(big.length).toBeGreaterThan(1024 * 1024);
      const body = multipart([{ name: 'image', filename: 'big.png', contentType: 'image/png', data: big }]);
      const res = await small.app.inject({
        method: 'PATCH',
        url: '/api/v1/users/me/profile-image',
        headers: { ...body.headers, ...u.auth },
        payload: body.payload,
      });
      expect(res.statusCode).toBe(413);
      expect(res.json().error.code).toBe('file_too_large');
      expect(existsSync(path.join(small.dataDir, 'media', 'users', u.id))).toBe(false);
    } finally {
      await small.close();
    }
  });
});

describe('GET /media/*', () => {
  it('does not serve anything outside the media folder', async () => {
    for (const url of ['/media/../jwt-secret', '/media/..%2fjwt-secret', '/media/%2e%2e/%2e%2e/etc/passwd', '/media/.hidden']) {
      const res = await t.app.inject({ method: 'GET', url });
      expect([403, 404], url).toContain(res.statusCode);
      expect(res.body).not.toMatch(/root:|[A-Za-z0-9_-]{40,}/);
    }
  });
});

describe('with S3-compatible storage (S3_BUCKET set)', () => {
  it('stores the variants in the bucket, the URLs serve them, and a replacement deletes the old ones', async () => {
    const { startS3Server } = await import('../../../test/s3-server.js');
    const server = await startS3Server();
    const s3app = await createTestApp({
      env: {
        S3_BUCKET: server.bucket,
        S3_ENDPOINT: server.endpoint,
        S3_ACCESS_KEY_ID: server.accessKeyId,
        S3_SECRET_ACCESS_KEY: server.secretAccessKey,
      },
    });
    try {
      expect(s3app.ctx.storage.kind).toBe('s3');
      const u = await makeUser(s3app.ctx);
      const send = async (data: Buffer) => {
        const body = multipart([{ name: 'image', filename: 'p.png', contentType: 'image/png', data }]);
        return s3app.app.inject({
          method: 'PATCH',
          url: '/api/v1/users/me/profile-image',
          headers: { ...body.headers, ...u.auth },
          payload: body.payload,
        });
      };
      const first = (await send(await png(500, 500))).json();
      expect(first.profile_image_url).toBe(`${server.endpoint}/${server.bucket}/${new URL(first.profile_image_url).pathname.split('/').slice(2).join('/')}`);
      const served = await fetch(first.profile_image_url);
      expect(served.status).toBe(200);
      expect(served.headers.get('content-type')).toBe('image/jpeg');
      const meta = await sharp(Buffer.from(await served.arrayBuffer())).metadata();
      expect([meta.width, meta.height]).toEqual([500, 500]);
      const second = (await send(await png(400, 400))).json();
      expect((await fetch(first.profile_image_url)).status).toBe(404);
      expect((await fetch(second.profile_image_url)).status).toBe(200);
      const ready = await s3app.app.inject({ method: 'GET', url: '/readyz' });
      expect(ready.json().checks.storage).toBe('ok');
    } finally {
      await s3app.close();
      await server.stop();
    }
  });
});
