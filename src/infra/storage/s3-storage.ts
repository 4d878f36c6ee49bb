import { once } from 'node:events';
import { createReadStream } from 'node:fs';
import {
  CopyObjectCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type PutObjectCommandInput,
  S3Client,
  type S3ClientConfig,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import type { S3Config } from '../../config/config.js';
import { randomUUID } from 'node:crypto';
import { systemClock, type Clock } from '../clock/clock.js';
import { guardStorage } from './storage-errors.js';
import {
  assertSafeKey,
  assertSafePrefix,
  contentTypeOf,
  isPrivateKey,
  keyUnder,
  signingWindow,
  urlUnder,
  type ObjectBody,
  type ObjectStorage,
  type StoredObjectMeta,
} from './storage.js';

/** Copies run this many at a time. */
const COPY_CONCURRENCY = 16;

/** The S3Client settings for a bucket config (exported for tests). */
export function s3ClientConfig(s3: S3Config): S3ClientConfig {
  return {
    region: s3.region,
    endpoint: s3.endpoint,
    forcePathStyle: s3.forcePathStyle,
    // Without static keys the SDK's default chain applies (env, profile, IAM role).
    credentials:
      s3.accessKeyId && s3.secretAccessKey
        ? { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey }
        : undefined,
    maxAttempts: 3,
    // connectionTimeout: TCP/TLS connect; requestTimeout: socket idle time, not the whole upload.
    requestHandler: { connectionTimeout: 5_000, requestTimeout: 30_000 },
    // Checksums only where S3 requires them: S3-compatible servers don't all accept the SDK's
    // default aws-chunked uploads with trailing checksums.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  };
}

/**
 * Objects in an S3-compatible bucket. Public keys are served from MEDIA_BASE_URL (a CDN) or the
 * bucket's own URL; private keys only through presigned GETs on the bucket itself (never the CDN).
 */
export class S3Storage implements ObjectStorage {
  readonly kind = 's3' as const;
  readonly client: S3Client;
  private readonly bucket: string;
  /** URL prefix of every public object, without a trailing slash. */
  private readonly base: string;
  /** The bucket's own URL, where presigned URLs point. */
  private readonly bucketBase: string;

  constructor(
    s3: S3Config,
    baseUrl: string | undefined,
    private readonly clock: Clock = systemClock,
  ) {
    this.bucket = s3.bucket;
    this.client = new S3Client(s3ClientConfig(s3));
    this.bucketBase = bucketUrl(s3);
    this.base = baseUrl ? baseUrl.replace(/\/+$/, '') : this.bucketBase;
  }

  /** Uploads one object. A file body is streamed and (unlike a Buffer) not retried by the SDK. */
  async put(key: string, body: ObjectBody, meta: StoredObjectMeta): Promise<void> {
    assertSafeKey(key);
    await guardStorage(`put ${key}`, () => this.upload(key, body, meta));
  }

  private async upload(key: string, body: ObjectBody, meta: StoredObjectMeta): Promise<void> {
    const command = (Body: PutObjectCommandInput['Body'], ContentLength: number) =>
      new PutObjectCommand({
        Bucket: this.bucket,
        Key: key,
        Body,
        ContentLength,
        ContentType: meta.contentType,
        CacheControl: meta.cacheControl,
      });
    if (Buffer.isBuffer(body)) {
      await this.client.send(command(body, body.length));
      return;
    }
    const stream = createReadStream(body.path);
    // A read error must fail the upload (not hang it, nor crash the process as an unhandled 'error').
    const abort = new AbortController();
    stream.on('error', (err) => abort.abort(err));
    try {
      await once(stream, 'open'); // a missing file fails here, before any request
      await this.client.send(command(stream, body.size), { abortSignal: abort.signal });
    } catch (err) {
      throw abort.signal.aborted ? abort.signal.reason : err;
    } finally {
      stream.destroy();
    }
  }

  /** Every key under `prefix`, a page (at most 1,000) at a time. */
  private async *pages(prefix: string): AsyncGenerator<string[]> {
    let token: string | undefined;
    do {
      const page = await this.client.send(
        new ListObjectsV2Command({
          Bucket: this.bucket,
          Prefix: prefix,
          MaxKeys: 1000, // also the most one DeleteObjects takes
          ContinuationToken: token,
        }),
      );
      yield (page.Contents ?? []).flatMap((object) => (object.Key ? [object.Key] : []));
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
  }

  /** Server-side copies (no bytes pass through this process), with the content type and Cache-Control set anew. */
  async copyPrefix(fromPrefix: string, toPrefix: string, cacheControl: string): Promise<void> {
    assertSafePrefix(fromPrefix);
    assertSafePrefix(toPrefix);
    if (toPrefix.startsWith(fromPrefix) || fromPrefix.startsWith(toPrefix)) throw new Error('copyPrefix: the prefixes must not contain each other');
    await guardStorage(`copy ${fromPrefix} to ${toPrefix}`, () => this.copyAll(fromPrefix, toPrefix, cacheControl));
  }

  private async copyAll(fromPrefix: string, toPrefix: string, cacheControl: string): Promise<void> {
    for await (const keys of this.pages(fromPrefix)) {
      for (let i = 0; i < keys.length; i += COPY_CONCURRENCY) {
        await Promise.all(
          keys.slice(i, i + COPY_CONCURRENCY).map((key) => {
            const target = `${toPrefix}${key.slice(fromPrefix.length)}`;
            assertSafeKey(target);
            return this.client.send(
              new CopyObjectCommand({
                Bucket: this.bucket,
                Key: target,
                CopySource: `${this.bucket}/${key}`, // safe keys need no escaping
                MetadataDirective: 'REPLACE',
                ContentType: contentTypeOf(key),
                CacheControl: cacheControl,
              }),
            );
          }),
        );
      }
    }
  }

  async deletePrefix(prefix: string): Promise<void> {
    assertSafePrefix(prefix);
    await guardStorage(`delete ${prefix}`, () => this.deleteAll(prefix));
  }

  private async deleteAll(prefix: string): Promise<void> {
    for await (const page of this.pages(prefix)) {
      const keys = page.map((Key) => ({ Key }));
      if (keys.length > 0) {
        const result = await this.client.send(
          new DeleteObjectsCommand({ Bucket: this.bucket, Delete: { Objects: keys, Quiet: true } }),
        );
        const failed = result.Errors ?? [];
        if (failed.length > 0) {
          throw new Error(
            `could not delete ${failed.length} object(s) under ${prefix}: ${failed[0]?.Key} (${failed[0]?.Code})`,
          );
        }
      }
    }
  }

  urlFor(key: string): string {
    return urlUnder(this.base, key);
  }

  /**
   * A presigned GET (SigV4 query) on the bucket, dated at the start of the current time bucket so
   * repeated calls give the same URL; the response is `Cache-Control: private`. With temporary
   * credentials (an instance role) the URL also ends when those credentials expire.
   */
  async signedUrlFor(key: string, ttlSeconds: number): Promise<string> {
    assertSafeKey(key);
    if (!isPrivateKey(key)) throw new Error(`only private keys get signed URLs: ${key}`);
    const { issuedAt, expiresAt } = signingWindow(this.clock.now(), ttlSeconds);
    const command = new GetObjectCommand({ Bucket: this.bucket, Key: key, ResponseCacheControl: `private, max-age=${ttlSeconds}` });
    return getSignedUrl(this.client, command, { signingDate: new Date(issuedAt * 1000), expiresIn: expiresAt - issuedAt });
  }

  keyFromUrl(url: string): string | undefined {
    const key = keyUnder(this.base, url);
    if (key !== undefined && !isPrivateKey(key)) return key;
    const signed = keyUnder(this.bucketBase, url);
    return signed !== undefined && isPrivateKey(signed) ? signed : undefined;
  }

  /** Readiness: writes and deletes a small private object (a HEAD passes on a bucket that refuses writes). */
  async check(): Promise<void> {
    const Key = `private/readyz/${randomUUID()}.probe`;
    await guardStorage('readiness probe', async () => {
      await this.client.send(new PutObjectCommand({ Bucket: this.bucket, Key, Body: 'ok', ContentType: 'text/plain', CacheControl: 'private, no-store' }));
      await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key }));
    });
  }

  /** Releases the client's sockets; call once when the process shuts down. */
  close(): void {
    this.client.destroy();
  }
}

/** The bucket's own public URL (no trailing slash) when no MEDIA_BASE_URL is set. */
function bucketUrl(s3: S3Config): string {
  if (s3.endpoint) {
    const { protocol, host, pathname } = new URL(s3.endpoint);
    const path = pathname.replace(/\/+$/, '');
    if (s3.forcePathStyle) return `${protocol}//${host}${path}/${s3.bucket}`;
    // Virtual-hosted on a custom endpoint (R2, Spaces, ...): the bucket becomes a subdomain.
    return `${protocol}//${s3.bucket}.${host}${path}`;
  }
  // A dotted bucket name breaks the *.s3 TLS wildcard certificate, so it goes path-style.
  if (s3.bucket.includes('.')) return `https://s3.${s3.region}.amazonaws.com/${s3.bucket}`;
  return `https://${s3.bucket}.s3.${s3.region}.amazonaws.com`;
}
