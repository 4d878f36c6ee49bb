import { describe, expect, it } from 'vitest';
import type { S3Config } from '../../config/config.js';
import { s3ClientConfig, S3Storage } from './s3-storage.js';

// Pure unit tests: nothing here sends a request (the contract test talks to a real S3 server).

const aws: S3Config = {
  bucket: 'tribe-media',
  region: 'eu-central-1',
  endpoint: undefined,
  accessKeyId: undefined,
  secretAccessKey: undefined,
  forcePathStyle: false,
};
const local: S3Config = { ...aws, endpoint: 'http://127.0.0.1:9000', forcePathStyle: true };
const key = 'posts/5b0c/v1/large.jpg';

describe('S3Storage URLs', () => {
  it('with MEDIA_BASE_URL, serves objects from it (a trailing slash is ignored)', () => {
    for (const base of ['https://cdn.tribe.app', 'https://cdn.tribe.app/']) {
      const storage = new S3Storage(local, base);
      expect(storage.urlFor(key)).toBe(`https://cdn.tribe.app/${key}`);
      expect(storage.keyFromUrl(`https://cdn.tribe.app/${key}`)).toBe(key);
      expect(storage.keyFromUrl(`http://127.0.0.1:9000/tribe-media/${key}`)).toBeUndefined();
    }
  });

  it('with MEDIA_BASE_URL that has a path, keeps the path', () => {
    const storage = new S3Storage(aws, 'https://tribe.app/media');
    expect(storage.urlFor(key)).toBe(`https://tribe.app/media/${key}`);
    expect(storage.keyFromUrl(`https://tribe.app/media/${key}`)).toBe(key);
    expect(storage.keyFromUrl(`https://tribe.app/${key}`)).toBeUndefined();
  });

  it('with an endpoint and path style, uses endpoint/bucket/key', () => {
    expect(new S3Storage(local, undefined).urlFor(key)).toBe(`http://127.0.0.1:9000/tribe-media/${key}`);
    const trailing = new S3Storage({ ...local, endpoint: 'http://minio.internal:9000/' }, undefined);
    expect(trailing.urlFor(key)).toBe(`http://minio.internal:9000/tribe-media/${key}`);
    const withPath = new S3Storage({ ...local, endpoint: 'https://gw.example/s3/' }, undefined);
    expect(withPath.urlFor(key)).toBe(`https://gw.example/s3/tribe-media/${key}`);
  });

  it('with an endpoint but virtual-hosted style, puts the bucket in the host name', () => {
    const storage = new S3Storage({ ...aws, endpoint: 'https://fra1.digitaloceanspaces.com' }, undefined);
    expect(storage.urlFor(key)).toBe(`https://tribe-media.fra1.digitaloceanspaces.com/${key}`);
  });

  it('on AWS, uses the virtual-hosted regional URL', () => {
    const storage = new S3Storage(aws, undefined);
    expect(storage.urlFor(key)).toBe(`https://tribe-media.s3.eu-central-1.amazonaws.com/${key}`);
    expect(storage.keyFromUrl(`https://tribe-media.s3.eu-central-1.amazonaws.com/${key}`)).toBe(key);
  });

  it('on AWS with a dotted bucket name (no valid TLS wildcard), uses the path-style URL', () => {
    const storage = new S3Storage({ ...aws, bucket: 'media.tribe.app' }, undefined);
    expect(storage.urlFor(key)).toBe(`https://s3.eu-central-1.amazonaws.com/media.tribe.app/${key}`);
  });

  it('keyFromUrl gives undefined for any URL it did not produce', () => {
    const storage = new S3Storage(local, undefined);
    const base = 'http://127.0.0.1:9000/tribe-media';
    for (const url of [
      `https://elsewhere.example/${key}`,
      `http://127.0.0.1:9000/other-bucket/${key}`,
      `${base}-2/${key}`, // shares the base's leading characters
      base,
      `${base}/`,
      `${base}/../secret`,
      `${base}/a//b`,
      `${base}/${key}?x=1`,
      `${base}/${key}#frag`,
      '',
    ]) {
      expect(storage.keyFromUrl(url), url).toBeUndefined();
    }
  });

  it('urlFor refuses an unsafe key', () => {
    const storage = new S3Storage(local, undefined);
    for (const bad of ['../x', '/abs', 'a//b', 'a b', '']) {
      expect(() => storage.urlFor(bad), bad).toThrow(/unsafe storage key/);
    }
  });
});

describe('S3Storage validation (before any request)', () => {
  // Port 9 (discard) on loopback: even a bug could not reach another machine.
  const storage = new S3Storage({ ...local, endpoint: 'http://127.0.0.1:9' }, undefined);

  it('put refuses an unsafe key', async () => {
    await expect(storage.put('a/../b', Buffer.from('x'), { contentType: 'text/plain', cacheControl: 'no-store' })).rejects.toThrow(
      /unsafe storage key/,
    );
  });

  it('deletePrefix refuses a prefix without a trailing slash, or an unsafe one', async () => {
    await expect(storage.deletePrefix('posts/1')).rejects.toThrow(/must end with/);
    for (const prefix of ['/', '', '../', 'posts//', '/posts/']) {
      await expect(storage.deletePrefix(prefix), prefix).rejects.toThrow();
    }
  });
});

describe('S3 client configuration', () => {
  it('passes region, endpoint, path style, retries and static credentials to the client', async () => {
    const storage = new S3Storage({ ...local, accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI' }, undefined);
    const config = storage.client.config;
    expect(await config.region()).toBe('eu-central-1');
    expect(config.forcePathStyle).toBe(true);
    expect(await config.maxAttempts()).toBe(3);
    expect(await config.credentials()).toMatchObject({ accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI' });
    const endpoint = await config.endpoint?.();
    expect(endpoint).toMatchObject({ protocol: 'http:', hostname: '127.0.0.1', port: 9000 });
    storage.close();
  });

  it('without both keys, leaves credentials to the SDK default chain (env, profile, instance role)', () => {
    expect(s3ClientConfig(aws).credentials).toBeUndefined();
    expect(s3ClientConfig({ ...aws, accessKeyId: 'AKIDEXAMPLE' }).credentials).toBeUndefined();
    expect(s3ClientConfig({ ...aws, accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 's' }).credentials).toEqual({
      accessKeyId: 'AKIDEXAMPLE',
      secretAccessKey: 's',
    });
  });

  it('sets timeouts, and checksums only where S3 requires them (S3-compatible servers)', () => {
    expect(s3ClientConfig(aws)).toMatchObject({
      maxAttempts: 3,
      requestHandler: { connectionTimeout: 5_000, requestTimeout: 30_000 },
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    });
  });

  it('close can be called more than once', () => {
    const storage = new S3Storage(aws, undefined);
    storage.close();
    expect(() => storage.close()).not.toThrow();
  });
});
