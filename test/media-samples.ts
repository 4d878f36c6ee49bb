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

/** One box of an MP4's tree, as `mp4Boxes` reads it. */
export interface Mp4Box {
  type: string;
  start: number;
  headerSize: number;
  size: number;
  children: Mp4Box[];
}

const MP4_CONTAINERS = new Set(['moov', 'trak', 'mdia', 'minf', 'stbl', 'dinf', 'edts', 'mvex', 'moof', 'traf']);

/**
 * Reads an MP4's box tree strictly (64-bit and to-the-end sizes included), descending into the
 * standard containers; throws when a box runs past its parent, as a player would stop.
 */
export function mp4Boxes(buf: Buffer, start = 0, end = buf.length): Mp4Box[] {
  const boxes: Mp4Box[] = [];
  for (let pos = start; pos < end; ) {
    if (end - pos < 8) throw new Error(`box header truncated at ${pos}`);
    let size = buf.readUInt32BE(pos);
    const type = buf.toString('latin1', pos + 4, pos + 8);
    let headerSize = 8;
    if (size === 1) {
      size = Number(buf.readBigUInt64BE(pos + 8));
      headerSize = 16;
    } else if (size === 0) {
      size = end - pos;
    }
    if (size < headerSize || pos + size > end) throw new Error(`${type} at ${pos} runs past its parent`);
    const children = MP4_CONTAINERS.has(type) ? mp4Boxes(buf, pos + headerSize, pos + size) : [];
    boxes.push({ type, start: pos, headerSize, size, children });
    pos += size;
  }
  return boxes;
}

/** Every box reached by a path of types, e.g. `['moov', 'trak', 'mdia', 'minf', 'stbl', 'stco']`. */
export function findBoxes(boxes: Mp4Box[], path: string[]): Mp4Box[] {
  const [first, ...rest] = path;
  const here = boxes.filter((b) => b.type === first);
  return rest.length === 0 ? here : here.flatMap((b) => findBoxes(b.children, rest));
}

/** Each track's samples as [file offset, size], from its stsc, stsz and stco/co64 tables. */
export function sampleRanges(buf: Buffer): Array<Array<[number, number]>> {
  return findBoxes(mp4Boxes(buf), ['moov', 'trak', 'mdia', 'minf', 'stbl']).map((stbl) => {
    const body = (type: string) => {
      const box = stbl.children.find((b) => b.type === type);
      return box && buf.subarray(box.start + box.headerSize + 4, box.start + box.size); // after version/flags
    };
    const stsc = body('stsc')!;
    const stsz = body('stsz')!;
    const co64 = body('co64');
    const stco = body('stco');
    const chunkCount = (co64 ?? stco)!.readUInt32BE(0);
    const chunkOffset = (i: number) => (co64 ? Number(co64.readBigUInt64BE(4 + 8 * i)) : stco!.readUInt32BE(4 + 4 * i));
    const fixedSize = stsz.readUInt32BE(0);
    const sampleSize = (i: number) => fixedSize || stsz.readUInt32BE(8 + 4 * i);
    const runs = Array.from({ length: stsc.readUInt32BE(0) }, (_, i) => ({
      firstChunk: stsc.readUInt32BE(4 + 12 * i),
      perChunk: stsc.readUInt32BE(8 + 12 * i),
    }));
    const ranges: Array<[number, number]> = [];
    let sample = 0;
    for (let chunk = 0; chunk < chunkCount; chunk++) {
      const run = runs.filter((r) => r.firstChunk <= chunk + 1).at(-1)!;
      let offset = chunkOffset(chunk);
      for (let s = 0; s < run.perChunk; s++, sample++) {
        ranges.push([offset, sampleSize(sample)]);
        offset += sampleSize(sample);
      }
    }
    return ranges;
  });
}

/** The positions (ISO 6709) and key a located phone video carries in its metadata boxes. */
export const VIDEO_LOCATION = {
  /** moov/udta/©xyz (Android, QuickTime) and, with an altitude, moov/meta (iPhone). */
  movie: '+48.8584+002.2945/',
  appleKey: 'com.apple.quicktime.location.ISO6709',
  /** moov/trak/udta/©xyz */
  track: '+51.5007-000.1246/',
  /** a top-level XMP uuid box */
  xmp: '48,51.5039N',
};

const u32 = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
};
const mp4Box = (type: string, ...parts: Buffer[]) => {
  const payload = Buffer.concat(parts);
  return Buffer.concat([u32(8 + payload.length), Buffer.from(type, 'latin1'), payload]);
};
const largeMp4Box = (type: string, ...parts: Buffer[]) => {
  const payload = Buffer.concat(parts);
  const size = Buffer.alloc(8);
  size.writeBigUInt64BE(BigInt(16 + payload.length));
  return Buffer.concat([u32(1), Buffer.from(type, 'latin1'), size, payload]);
};
/** A QuickTime user-data text item: 16-bit length, 16-bit language (English), the text. */
const udtaText = (type: string, text: string) => mp4Box(type, Buffer.from([0, text.length, 0x15, 0xc7]), Buffer.from(text, 'latin1'));
const XMP_UUID = Buffer.from('be7acfcb97a942e89c71999491e3afac', 'hex');

/**
 * The tiny.mp4 clip as a phone would upload it, with its location in moov/udta/©xyz, in an iPhone
 * moov/meta (keys/ilst `com.apple.quicktime.location.ISO6709`), in the track's udta and in a top-level
 * XMP box. `moov-first` (fast start) ends with an mdat of size 0 (to the end of the file);
 * `mdat-first` (camera order) has a 64-bit mdat and a 64-bit moov/udta header. Chunk offsets are
 * rewritten for the new layout, so the samples are those of the fixture.
 */
export function locatedVideo(layout: 'moov-first' | 'mdat-first'): Buffer {
  const source = fixture('tiny.mp4');
  const top = mp4Boxes(source);
  const raw = (b: Mp4Box) => source.subarray(b.start, b.start + b.size);
  const [ftyp] = findBoxes(top, ['ftyp']);
  const [mdat] = findBoxes(top, ['mdat']);
  const [mvhd] = findBoxes(top, ['moov', 'mvhd']);
  const [trak] = findBoxes(top, ['moov', 'trak']);
  const samples = source.subarray(mdat!.start + mdat!.headerSize, mdat!.start + mdat!.size);

  const appleMeta = mp4Box(
    'meta',
    mp4Box('hdlr', u32(0), u32(0), Buffer.from('mdta', 'latin1'), Buffer.alloc(13)),
    mp4Box('keys', u32(0), u32(1), mp4Box('mdta', Buffer.from(VIDEO_LOCATION.appleKey, 'latin1'))),
    mp4Box('ilst', mp4Box('\0\0\0\u0001', mp4Box('data', u32(1), u32(0), Buffer.from(`${VIDEO_LOCATION.movie.slice(0, -1)}+035.000/`)))),
  );
  const movieUdta = (layout === 'mdat-first' ? largeMp4Box : mp4Box)('udta', udtaText('\u00a9xyz', VIDEO_LOCATION.movie));
  const trackBody = source.subarray(trak!.start + trak!.headerSize, trak!.start + trak!.size);
  const newTrak = mp4Box('trak', trackBody, mp4Box('udta', udtaText('\u00a9xyz', VIDEO_LOCATION.track)));
  const moov = mp4Box('moov', raw(mvhd!), newTrak, movieUdta, appleMeta);
  const xmp = mp4Box('uuid', XMP_UUID, Buffer.from(`<x:xmpmeta><exif:GPSLatitude>${VIDEO_LOCATION.xmp}</exif:GPSLatitude></x:xmpmeta>`));

  const head = raw(ftyp!);
  const mdatHeader = layout === 'moov-first' ? Buffer.concat([u32(0), Buffer.from('mdat')]) : largeMp4Box('mdat').subarray(0, 16);
  if (layout === 'mdat-first') mdatHeader.writeBigUInt64BE(BigInt(16 + samples.length), 8);
  const dataStart = layout === 'moov-first' ? head.length + xmp.length + moov.length + 8 : head.length + 16;
  const [stco] = findBoxes(mp4Boxes(moov), ['moov', 'trak', 'mdia', 'minf', 'stbl', 'stco']);
  const shift = dataStart - (mdat!.start + mdat!.headerSize);
  for (let i = 0, n = moov.readUInt32BE(stco!.start + 12); i < n; i++) {
    const at = stco!.start + 16 + 4 * i;
    moov.writeUInt32BE(moov.readUInt32BE(at) + shift, at);
  }
  return layout === 'moov-first'
    ? Buffer.concat([head, xmp, moov, mdatHeader, samples])
    : Buffer.concat([head, mdatHeader, samples, moov, xmp]);
}
