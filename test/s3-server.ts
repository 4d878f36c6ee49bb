import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';

export interface TestS3Server {
  /** e.g. `http://127.0.0.1:41234`; use with forcePathStyle. */
  endpoint: string;
  bucket: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** Stops the server and removes its data directory. */
  stop(): Promise<void>;
}

/**
 * Runs in a child process: s3rver signs ListObjectsV2 continuation tokens with DES, which OpenSSL 3
 * (Node >= 17) only offers with --openssl-legacy-provider, so without it every truncated listing
 * (pagination) answers 500. The child also exits when its stdin closes, i.e. when the test process dies.
 */
const CHILD = `
const S3rver = require(process.env.S3RVER_MODULE);
const server = new S3rver(JSON.parse(process.env.S3RVER_OPTIONS));
server.run().then(
  (address) => process.stdout.write(JSON.stringify({ port: address.port }) + '\\n'),
  (err) => { console.error(err); process.exit(1); },
);
process.stdin.on('end', () => process.exit(0)).resume();
`;

/** Starts s3rver (a real S3-protocol server) on 127.0.0.1 and a free port, with one empty bucket. */
export async function startS3Server(): Promise<TestS3Server> {
  const directory = await mkdtemp(path.join(os.tmpdir(), 'tribe-s3rver-'));
  const bucket = 'tribe-test';
  const options = { address: '127.0.0.1', port: 0, silent: true, directory, configureBuckets: [{ name: bucket }] };
  const child = spawn(process.execPath, ['--openssl-legacy-provider', '-e', CHILD], {
    env: {
      ...process.env,
      S3RVER_MODULE: createRequire(import.meta.url).resolve('s3rver'),
      S3RVER_OPTIONS: JSON.stringify(options),
    },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-4000);
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));

  let port: number;
  try {
    port = await new Promise<number>((resolve, reject) => {
      let stdout = '';
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
        stdout += chunk;
        const line = stdout.split('\n')[0];
        if (stdout.includes('\n') && line) resolve((JSON.parse(line) as { port: number }).port);
      });
      child.on('error', reject);
      void exited.then((code) => reject(new Error(`s3rver exited (${String(code)}) before listening:\n${stderr}`)));
    });
  } catch (err) {
    child.kill('SIGKILL');
    await rm(directory, { recursive: true, force: true });
    throw err;
  }

  let stopping: Promise<void> | undefined;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    bucket,
    accessKeyId: 'S3RVER',
    secretAccessKey: 'S3RVER',
    stop() {
      stopping ??= (async () => {
        if (child.exitCode === null && child.signalCode === null) {
          child.kill('SIGTERM');
          await exited;
        }
        await rm(directory, { recursive: true, force: true });
      })();
      return stopping;
    },
  };
}
