import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeUser, type TestUser } from '../../../test/factories.js';
import { createTestApp, type TestApp } from '../../../test/harness.js';
import { cameraJpeg, multipart } from '../../../test/media-samples.js';
import { startS3Server, type TestS3Server } from '../../../test/s3-server.js';
import { S3Storage } from './s3-storage.js';
import { StorageUnavailableError } from './storage-errors.js';
import { captureLogs } from '../../../test/capture.js';

/** A real way to make a directory refuse writes, and to undo it. */
interface Fault {
  name: string;
  errno: string;
  inject(): void;
  restore(): void;
}

const quiet = { stdio: 'ignore' } as const;
const works = (...commands: Array<[string, string[]]>) => {
  try {
    for (const [cmd, args] of commands) execFileSync(cmd, args, quiet);
    return true;
  } catch {
    return false;
  }
};

/**
 * The best read-only source this machine offers for `dir`: a read-only tmpfs mounted over it
 * (EROFS, the reported fault; needs mount rights), else its permission bits (EACCES; root ignores
 * them), else the immutable attribute (EPERM; root on ext4/xfs/btrfs). Undefined when none works.
 */
function readOnlyFault(dir: string): Fault | undefined {
  const mount = (): void => void execFileSync('mount', ['-t', 'tmpfs', '-o', 'ro,size=1m', 'tribe-ro-media', dir], quiet);
  const umount = (): void => void execFileSync('umount', [dir], quiet);
  if (works(['mount', ['-t', 'tmpfs', '-o', 'ro,size=1m', 'tribe-ro-media', dir]], ['umount', [dir]])) {
    return { name: 'a read-only file system mounted on the media directory', errno: 'EROFS', inject: mount, restore: umount };
  }
  if (process.getuid?.() !== 0) {
    return { name: 'a media directory without write permission (0555)', errno: 'EACCES', inject: () => chmodSync(dir, 0o555), restore: () => chmodSync(dir, 0o755) };
  }
  if (works(['chattr', ['+i', dir]], ['chattr', ['-i', dir]])) {
    return {
      name: 'an immutable media directory (chattr +i)',
      errno: 'EPERM',
      inject: () => void execFileSync('chattr', ['+i', dir], quiet),
      restore: () => void execFileSync('chattr', ['-i', dir], quiet),
    };
  }
  return undefined;
}

/** Works as root and not: the media path is a regular file (a volume that is not mounted as expected). */
function notADirectoryFault(dir: string): Fault {
  return {
    name: 'a media path that is a regular file',
    errno: 'ENOTDIR',
    inject: () => {
      renameSync(dir, `${dir}.moved`);
      writeFileSync(dir, 'not a directory');
    },
    restore: () => {
      rmSync(dir, { force: true });
      renameSync(`${dir}.moved`, dir);
    },
  };
}

let t: TestApp;
let u: TestUser;
let jpeg: Buffer;
const { logger, lines: logLines } = captureLogs('info');
let mediaDir: string;
const restoreAtEnd: Array<() => void> = [];

beforeAll(async () => {
  t = await createTestApp({ overrides: { logger } });
  u = await makeUser(t.ctx);
  jpeg = await cameraJpeg(320, 240);
  mediaDir = path.join(t.dataDir, 'media');
  mkdirSync(mediaDir, { recursive: true });
});
afterAll(async () => {
  for (const restore of restoreAtEnd.splice(0)) {
    try {
      restore();
    } catch {
      // already restored
    }
  }
  await t?.close();
});

function upload() {
  const body = multipart([{ name: 'image', filename: 'me.jpg', contentType: 'image/jpeg', data: jpeg }]);
  return t.app.inject({ method: 'PATCH', url: '/api/v1/users/me/profile-image', headers: { ...body.headers, ...u.auth }, payload: body.payload });
}

async function expectFaultAnswered(fault: Fault) {
  const before = logLines.length;
  fault.inject();
  restoreAtEnd.push(fault.restore);
  try {
    const res = await upload();
    expect(res.statusCode).toBe(503);
    expect(res.json().error.code).toBe('storage_unavailable');
    expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
    // The log names the real errno (not ENOENT) and says which dependency failed.
    const logged = logLines.slice(before).filter((line) => line.includes('dependency unavailable'));
    expect(logged.length).toBeGreaterThan(0);
    expect(logged.join('\n')).toContain(fault.errno);
    expect(logged.join('\n')).not.toContain('ENOENT');
    expect(JSON.parse(logged[0]!)).toMatchObject({ level: 40, dependency: 'storage' });

    const ready = await t.app.inject({ method: 'GET', url: '/readyz' });
    expect(ready.statusCode).toBe(503);
    expect(ready.json().checks).toMatchObject({ database: 'ok', storage: 'unavailable' });
  } finally {
    fault.restore();
    restoreAtEnd.pop();
  }
  expect((await upload()).statusCode).toBe(200);
  expect((await t.app.inject({ method: 'GET', url: '/readyz' })).statusCode).toBe(200);
}

describe('issue 15.5: storage failures answer 503 storage_unavailable with the real errno', () => {
  it('a healthy disk: the upload works and /readyz says storage ok', async () => {
    expect((await upload()).statusCode).toBe(200);
    const ready = await t.app.inject({ method: 'GET', url: '/readyz' });
    expect(ready.json().checks.storage).toBe('ok');
  });

  // Which read-only source works here, tried on a scratch directory of its own.
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'tribe-ro-probe-'));
  const readOnly = readOnlyFault(scratch);
  rmSync(scratch, { recursive: true, force: true });
  it.skipIf(!readOnly)('a read-only media directory: upload 503 with the errno logged, /readyz 503 naming storage; after restoring 200', async () => {
    await expectFaultAnswered(readOnlyFault(mediaDir)!);
  });

  it('a media path that is not a directory (works as root too): 503, the errno logged, /readyz 503; after restoring 200', async () => {
    await expectFaultAnswered(notADirectoryFault(mediaDir));
  });
});

describe('issue 15.5: S3 storage failures and its readiness probe', () => {
  let server: TestS3Server;
  let storage: S3Storage;
  beforeAll(async () => {
    server = await startS3Server();
    storage = new S3Storage(
      { bucket: server.bucket, region: 'us-east-1', endpoint: server.endpoint, accessKeyId: server.accessKeyId, secretAccessKey: server.secretAccessKey, forcePathStyle: true },
      undefined,
    );
  });
  afterAll(async () => {
    storage?.close();
    await server?.stop();
  });

  it('the probe writes and deletes an object; with the server gone, probe and put fail as StorageUnavailableError (ECONNREFUSED)', async () => {
    await storage.check();
    await server.stop();
    const probe = await storage.check().catch((e: unknown) => e);
    expect(probe).toBeInstanceOf(StorageUnavailableError);
    expect((probe as StorageUnavailableError).reason).toBe('ECONNREFUSED');
    const put = await storage.put('posts/p1/v1/large.jpg', Buffer.from('x'), { contentType: 'image/jpeg', cacheControl: 'no-store' }).catch((e: unknown) => e);
    expect(put).toBeInstanceOf(StorageUnavailableError);
  });
});
