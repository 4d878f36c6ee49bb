import { spawn } from 'node:child_process';
import { open, type FileHandle } from 'node:fs/promises';
import sharp from 'sharp';
import { invalidMedia } from './media.errors.js';

export interface VideoInfo {
  width: number | null;
  height: number | null;
}

/** One box header of an ISO base-media file: where it starts, its header length and its whole size. */
export interface Box {
  type: string;
  start: number;
  headerSize: number;
  size: number;
}

const MAX_MOOV_BYTES = 64 * 1024 * 1024;

/** Reads `len` bytes at `pos` of an open file of `size` bytes (fewer at the end). */
export function positionalReader(handle: FileHandle, size: number): (pos: number, len: number) => Promise<Buffer> {
  return async (pos, len) => {
    const buf = Buffer.alloc(Math.min(len, size - pos));
    await handle.read(buf, 0, buf.length, pos);
    return buf;
  };
}

/** Reads the box headers at one level of an ISO base-media file; throws invalid_media when they run past the end. */
export async function readBoxes(read: (pos: number, len: number) => Promise<Buffer>, start: number, end: number): Promise<Box[]> {
  const boxes: Box[] = [];
  let pos = start;
  while (pos < end) {
    if (end - pos < 8) throw invalidMedia('the video container is truncated');
    const header = await read(pos, 16);
    let size = header.readUInt32BE(0);
    const type = header.subarray(4, 8).toString('latin1');
    let headerSize = 8;
    if (size === 1) {
      if (header.length < 16) throw invalidMedia('the video container is truncated');
      size = Number(header.readBigUInt64BE(8));
      headerSize = 16;
    } else if (size === 0) {
      size = end - pos;
    }
    if (size < headerSize || pos + size > end) throw invalidMedia('the video container is truncated or corrupt');
    boxes.push({ type, start: pos, headerSize, size });
    pos += size;
  }
  return boxes;
}

/** Width and height of the first visual track, from its `tkhd` box (16.16 fixed point). */
function dimensionsFromMoov(moov: Buffer): VideoInfo {
  let best: VideoInfo = { width: null, height: null };
  const walk = (buf: Buffer, from: number, to: number) => {
    let pos = from;
    while (pos + 8 <= to) {
      const size = buf.readUInt32BE(pos);
      const type = buf.subarray(pos + 4, pos + 8).toString('latin1');
      if (size < 8 || pos + size > to) return;
      if (type === 'trak') walk(buf, pos + 8, pos + size);
      if (type === 'tkhd') {
        const version = buf[pos + 8];
        const offset = pos + 8 + (version === 1 ? 88 : 76);
        if (offset + 8 <= pos + size) {
          const width = Math.round(buf.readUInt32BE(offset) / 65536);
          const height = Math.round(buf.readUInt32BE(offset + 4) / 65536);
          if (width > 0 && height > 0 && best.width === null) best = { width, height };
        }
      }
      pos += size;
    }
  };
  walk(moov, 0, moov.length);
  return best;
}

/**
 * Checks that an MP4/MOV upload is a complete container (an `ftyp`, a `moov` and media data, every
 * box within the file) and reads its frame size. Its metadata is blanked afterwards (media.mp4-metadata.ts).
 */
export async function inspectVideo(path: string, size: number): Promise<VideoInfo> {
  const handle = await open(path, 'r');
  try {
    const read = positionalReader(handle, size);
    const boxes = await readBoxes(read, 0, size);
    const types = new Set(boxes.map((b) => b.type));
    const moov = boxes.find((b) => b.type === 'moov');
    if (boxes[0]?.type !== 'ftyp' || !moov || !(types.has('mdat') || types.has('moof'))) {
      throw invalidMedia('the video has no playable content');
    }
    if (moov.size > MAX_MOOV_BYTES) return { width: null, height: null };
    const body = await read(moov.start + moov.headerSize, moov.size - moov.headerSize);
    return dimensionsFromMoov(body);
  } finally {
    await handle.close();
  }
}

/** ffmpeg paths found missing, so later uploads don't try to spawn them again. */
const missingBinaries = new Set<string>();

/** The first frame of a video as PNG, when an ffmpeg binary is available; undefined otherwise. */
export async function posterFrame(ffmpegPath: string, videoPath: string, timeoutMs = 15_000): Promise<Buffer | undefined> {
  if (missingBinaries.has(ffmpegPath)) return undefined;
  return new Promise((resolve) => {
    const child = spawn(
      ffmpegPath,
      ['-hide_banner', '-loglevel', 'error', '-i', videoPath, '-frames:v', '1', '-f', 'image2pipe', '-vcodec', 'png', 'pipe:1'],
      { stdio: ['ignore', 'pipe', 'ignore'] },
    );
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
    child.on('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      if (err.code === 'ENOENT') missingBinaries.add(ffmpegPath);
      resolve(undefined);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      const png = Buffer.concat(chunks);
      resolve(code === 0 && png.length > 0 ? png : undefined);
    });
  });
}

/** A neutral thumbnail (grey, with a play symbol) for videos when no poster frame can be made. */
export function placeholderPoster(width: number, height: number): Promise<Buffer> {
  const size = Math.round(Math.min(width, height) / 4);
  const cx = width / 2;
  const cy = height / 2;
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">
    <rect width="100%" height="100%" fill="#3a3a3c"/>
    <circle cx="${cx}" cy="${cy}" r="${size}" fill="#ffffff" fill-opacity="0.85"/>
    <polygon points="${cx - size / 3},${cy - size / 2} ${cx - size / 3},${cy + size / 2} ${cx + size / 2},${cy}" fill="#3a3a3c"/>
  </svg>`;
  return sharp(Buffer.from(svg)).png().toBuffer();
}
