import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { crc32, deflateSync } from 'node:zlib';
import sharp from 'sharp';

const fixtures = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures', 'media');

/** Committed fixtures: a HEIC made with heif-enc, and ~2 KB MP4/MOV clips made with ffmpeg. */
export const fixture = (name: 'sample.heic' | 'tiny.mp4' | 'tiny.mov'): Buffer => readFileSync(path.join(fixtures, name));

/**
 * A camera-like JPEG: blue top half, red bottom half, EXIF orientation 6 (rotate 90° clockwise to
 * display) and a GPS position. Displayed upright it is portrait: red on the left, blue on the right.
 */
export async function cameraJpeg(width = 4000, height = 3000): Promise<Buffer> {
  const blueHalf = await sharp({ create: { width, height: height / 2, channels: 3, background: '#0000ff' } }).png().toBuffer();
  return sharp({ create: { width, height, channels: 3, background: '#ff0000' } })
    .composite([{ input: blueHalf, top: 0, left: 0 }])
    .withExif({
      IFD0: { Make: 'TribeCam', Model: 'Test 1' },
      IFD3: { GPSLatitudeRef: 'S', GPSLatitude: '1/1 17/1 3/1', GPSLongitudeRef: 'E', GPSLongitude: '36/1 49/1 0/1' },
    })
    .withMetadata({ orientation: 6 })
    .jpeg({ quality: 90 })
    .toBuffer();
}

export function png(width: number, height: number, withAlpha = true): Promise<Buffer> {
  return sharp({
    create: { width, height, channels: withAlpha ? 4 : 3, background: withAlpha ? { r: 0, g: 128, b: 0, alpha: 0.5 } : '#008000' },
  })
    .png()
    .toBuffer();
}

export function encodedAs(format: 'webp' | 'avif' | 'gif', width = 640, height = 480): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 3, background: '#336699' } }).toFormat(format).toBuffer();
}

/** The first 60% of a valid JPEG. */
export async function truncatedJpeg(): Promise<Buffer> {
  const whole = await sharp({ create: { width: 800, height: 600, channels: 3, background: '#abcdef' } })
    .composite([{ input: await png(200, 200, false), top: 100, left: 100 }])
    .jpeg()
    .toBuffer();
  return whole.subarray(0, Math.floor(whole.length * 0.6));
}

function pngChunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body) >>> 0);
  return Buffer.concat([length, body, crc]);
}

/**
 * A decompression bomb: a valid PNG header claiming 50,000 × 50,000 pixels (2.5 gigapixels) with a
 * few hundred bytes of compressed data. Decoding it in full would need ~7.5 GB.
 */
export function pixelBombPng(): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(50_000, 0);
  ihdr.writeUInt32BE(50_000, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // truecolour
  const rows = deflateSync(Buffer.alloc(50_000 * 3 + 1), { level: 9 });
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', ihdr),
    pngChunk('IDAT', rows),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}

/** A multipart/form-data body for app.inject. */
export function multipart(
  parts: Array<{ name: string; value: string } | { name: string; filename: string; contentType: string; data: Buffer }>,
): { payload: Buffer; headers: Record<string, string> } {
  const boundary = `----tribe${Math.random().toString(16).slice(2)}`;
  const chunks: Buffer[] = [];
  for (const part of parts) {
    chunks.push(Buffer.from(`--${boundary}\r\n`));
    if ('data' in part) {
      chunks.push(
        Buffer.from(
          `Content-Disposition: form-data; name="${part.name}"; filename="${part.filename}"\r\nContent-Type: ${part.contentType}\r\n\r\n`,
        ),
      );
      chunks.push(part.data, Buffer.from('\r\n'));
    } else {
      chunks.push(Buffer.from(`Content-Disposition: form-data; name="${part.name}"\r\n\r\n${part.value}\r\n`));
    }
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { payload: Buffer.concat(chunks), headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
}
