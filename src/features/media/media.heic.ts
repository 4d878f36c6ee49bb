import { Worker } from 'node:worker_threads';
import { fileTooLarge, invalidMedia } from './media.errors.js';

export interface RawImage {
  data: Buffer;
  width: number;
  height: number;
  channels: 4;
}

interface WorkerReply {
  id: number;
  error?: 'unreadable' | 'empty' | 'too_large' | 'undecodable';
  width?: number;
  height?: number;
  pixels?: Uint8Array;
}

interface Pending {
  resolve: (reply: WorkerReply) => void;
  reject: (err: Error) => void;
}

let worker: Worker | undefined;
let nextId = 1;
const pending = new Map<number, Pending>();

function heicWorker(): Worker {
  if (worker) return worker;
  const w = new Worker(new URL('./heic-worker.mjs', import.meta.url));
  w.unref();
  w.on('message', (reply: WorkerReply) => {
    pending.get(reply.id)?.resolve(reply);
    pending.delete(reply.id);
    // An idle decoder must not keep the process alive.
    if (pending.size === 0) w.unref();
  });
  const fail = (err: Error) => {
    for (const p of pending.values()) p.reject(err);
    pending.clear();
    worker = undefined;
  };
  w.on('error', fail);
  w.on('exit', () => fail(new Error('HEIC decoder stopped')));
  worker = w;
  return w;
}

/**
 * Decodes HEIC/HEIF (HEVC, which libvips cannot read) with libheif compiled to WASM, in a worker
 * thread. The size is read from the container first, so a decompression bomb is refused before
 * any pixel is decoded.
 */
export async function decodeHeicImage(input: Buffer, maxPixels: number): Promise<RawImage> {
  const id = nextId++;
  const w = heicWorker();
  const reply = await new Promise<WorkerReply>((resolve, reject) => {
    pending.set(id, { resolve, reject });
    w.ref();
    w.postMessage({ id, input, maxPixels });
  });
  if (reply.error === 'too_large') {
    throw fileTooLarge(`${reply.width}×${reply.height} exceeds ${Math.round(maxPixels / 1e6)} megapixels`);
  }
  if (reply.error || !reply.pixels || !reply.width || !reply.height) {
    throw invalidMedia('not a readable HEIC/HEIF image');
  }
  return {
    data: Buffer.from(reply.pixels.buffer, reply.pixels.byteOffset, reply.pixels.byteLength),
    width: reply.width,
    height: reply.height,
    channels: 4,
  };
}
