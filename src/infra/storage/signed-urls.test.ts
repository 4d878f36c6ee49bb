import { createHash, createHmac, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startS3Server, type TestS3Server } from '../../../test/s3-server.js';
import { FakeClock } from '../clock/clock.js';
import { S3Storage } from './s3-storage.js';
import { PRIVATE_CACHE_CONTROL, signingWindow } from './storage.js';
import { MediaUrlSignature } from './url-signature.js';

describe('issue 14.3: signing windows', () => {
  it('URLs signed within one bucket share their expiry, which lies between ttl and ttl + one bucket ahead', () => {
    const at = new Date('2026-01-15T12:00:07Z');
    const window = signingWindow(at, 3600);
    expect(window.expiresAt - window.issuedAt).toBe(3600 + 300); // bucket: 1/12 of the TTL, at most 5 minutes
    expect(signingWindow(new Date(at.getTime() + 200_000), 3600)).toEqual(window);
    const remaining = window.expiresAt - at.getTime() / 1000;
    expect(remaining).toBeGreaterThan(3600);
    expect(remaining).toBeLessThanOrEqual(3900);
    expect(signingWindow(new Date(at.getTime() + 300_000), 3600).expiresAt).toBe(window.expiresAt + 300);
    expect(signingWindow(at, 60)).toMatchObject({ expiresAt: expect.any(Number) });
    expect(signingWindow(at, 60).expiresAt - signingWindow(at, 60).issuedAt).toBe(65);
  });
});

describe('issue 14.3: disk URL signatures (HMAC-SHA256 over key and expiry)', () => {
  const signature = new MediaUrlSignature(randomBytes(32));
  const key = 'private/posts/p1/0123456789abcdef01234567/large.jpg';
  const now = new Date('2026-01-15T12:00:00Z');
  const exp = now.getTime() / 1000 + 600;

  it('a fresh signature verifies and says how many seconds are left', () => {
    expect(signature.verify(key, String(exp), signature.sign(key, exp), now)).toBe(600);
  });

  it('a tampered signature, key or expiry, a missing part, or another secret is refused', () => {
    const sig = signature.sign(key, exp);
    const flipped = `${sig.slice(0, -1)}${sig.endsWith('A') ? 'B' : 'A'}`;
    expect(signature.verify(key, String(exp), flipped, now)).toBeUndefined();
    expect(signature.verify(key.replace('large', 'thumb'), String(exp), sig, now)).toBeUndefined();
    expect(signature.verify(key, String(exp + 3600), sig, now)).toBeUndefined();
    expect(signature.verify(key, undefined, sig, now)).toBeUndefined();
    expect(signature.verify(key, String(exp), undefined, now)).toBeUndefined();
    expect(signature.verify(key, [String(exp)], sig, now)).toBeUndefined();
    expect(signature.verify(key, `${exp}.5`, sig, now)).toBeUndefined();
    expect(new MediaUrlSignature(randomBytes(32)).verify(key, String(exp), sig, now)).toBeUndefined();
  });

  it('an expired signature is refused', () => {
    const sig = signature.sign(key, exp);
    expect(signature.verify(key, String(exp), sig, new Date(exp * 1000))).toBeUndefined();
    expect(signature.verify(key, String(exp), sig, new Date(exp * 1000 - 1000))).toBe(1);
  });

  it('refuses a secret shorter than 32 bytes', () => {
    expect(() => new MediaUrlSignature('short')).toThrow(/32 bytes/);
  });
});

/** Recomputes an S3 presigned GET's SigV4 signature (path-style, host the only signed header), per AWS's spec. */
function sigV4Valid(url: string, secretAccessKey: string): boolean {
  const parsed = new URL(url);
  const query = [...parsed.searchParams.entries()].filter(([name]) => name !== 'X-Amz-Signature');
  const [date, region, service] = (parsed.searchParams.get('X-Amz-Credential') ?? '').split('/').slice(1);
  if (parsed.searchParams.get('X-Amz-SignedHeaders') !== 'host' || !date || !region || !service) return false;
  const encode = (v: string) => encodeURIComponent(v).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  const canonicalQuery = query
    .map(([k, v]) => `${encode(k)}=${encode(v)}`)
    .sort()
    .join('&');
  const canonical = ['GET', parsed.pathname, canonicalQuery, `host:${parsed.host}`, '', 'host', 'UNSIGNED-PAYLOAD'].join('\n');
  const scope = `${date}/${region}/${service}/aws4_request`;
  const toSign = ['AWS4-HMAC-SHA256', parsed.searchParams.get('X-Amz-Date'), scope, createHash('sha256').update(canonical).digest('hex')].join('\n');
  let signingKey: Buffer = Buffer.from(`AWS4${secretAccessKey}`);
  for (const part of [date, region, service, 'aws4_request']) signingKey = createHmac('sha256', signingKey).update(part).digest();
  return createHmac('sha256', signingKey).update(toSign).digest('hex') === parsed.searchParams.get('X-Amz-Signature');
}

describe('issue 14.3: S3 presigned GETs of private keys (against a local S3 server)', () => {
  let server: TestS3Server;
  const clock = new FakeClock(new Date());
  let storage: S3Storage;
  const key = `private/posts/p1/${randomBytes(12).toString('hex')}/large.jpg`;
  const body = randomBytes(2048);

  beforeAll(async () => {
    server = await startS3Server();
    storage = new S3Storage(
      {
        bucket: server.bucket,
        region: 'us-east-1',
        endpoint: server.endpoint,
        accessKeyId: server.accessKeyId,
        secretAccessKey: server.secretAccessKey,
        forcePathStyle: true,
      },
      'https://cdn.tribe.test', // a CDN for public media: presigned URLs must not point at it
      clock,
    );
    await storage.put(key, body, { contentType: 'image/jpeg', cacheControl: PRIVATE_CACHE_CONTROL });
  });
  afterAll(async () => {
    storage?.close();
    await server?.stop();
  });

  it('the presigned URL points at the bucket (not the CDN), carries the X-Amz-* query for the bucketed window, and is served with Cache-Control: private', async () => {
    clock.set(new Date());
    const url = await storage.signedUrlFor(key, 3600);
    expect(url.startsWith(`${server.endpoint}/${server.bucket}/${key}?`)).toBe(true);
    const query = new URL(url).searchParams;
    const window = signingWindow(clock.now(), 3600);
    expect(query.get('X-Amz-Algorithm')).toBe('AWS4-HMAC-SHA256');
    expect(query.get('X-Amz-Expires')).toBe(String(window.expiresAt - window.issuedAt));
    expect(query.get('X-Amz-Date')).toBe(new Date(window.issuedAt * 1000).toISOString().replace(/[-:]|\.\d{3}/g, ''));
    expect(query.get('X-Amz-Credential')).toMatch(new RegExp(`^${server.accessKeyId}/\\d{8}/us-east-1/s3/aws4_request$`));
    expect(query.get('response-cache-control')).toBe('private, max-age=3600');
    expect(sigV4Valid(url, server.secretAccessKey)).toBe(true);

    const response = await fetch(url);
    expect(response.status).toBe(200);
    expect(Buffer.from(await response.arrayBuffer()).equals(body)).toBe(true);
    expect(response.headers.get('cache-control')).toBe('private, max-age=3600');
  });

  it('the same URL is handed out again within the time bucket', async () => {
    clock.set(new Date());
    expect(await storage.signedUrlFor(key, 3600)).toBe(await storage.signedUrlFor(key, 3600));
  });

  it('once expired the server refuses it (403)', async () => {
    clock.set(new Date(Date.now() - 2 * 3600_000)); // signed two hours ago for one hour
    const url = await storage.signedUrlFor(key, 3600);
    const response = await fetch(url);
    expect(response.status).toBe(403);
    expect(await response.text()).toMatch(/expired/i);
  });

  it('a tampered key, expiry or signature no longer matches the signature (checked per SigV4, as S3 does)', async () => {
    clock.set(new Date());
    const url = await storage.signedUrlFor(key, 3600);
    expect(sigV4Valid(url.replace('/large.jpg', '/original.jpg'), server.secretAccessKey)).toBe(false);
    expect(sigV4Valid(url.replace(/X-Amz-Expires=\d+/, 'X-Amz-Expires=604800'), server.secretAccessKey)).toBe(false);
    expect(sigV4Valid(url.replace(/X-Amz-Signature=([0-9a-f])/, (_, c: string) => `X-Amz-Signature=${c === '0' ? '1' : '0'}`), server.secretAccessKey)).toBe(false);
    expect(sigV4Valid(url, 'another-secret')).toBe(false);
  });
});
