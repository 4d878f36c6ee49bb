import { open, type FileHandle } from 'node:fs/promises';
import { positionalReader, readBoxes, type Box } from './media.video.js';

/*
 * Metadata boxes are blanked in place, not cut out: each becomes a `free` box of the same length
 * whose every byte after the header is zero. Cutting them out of a `moov` that precedes `mdat`
 * (fast-start files, what phones upload) would move every sample, and absolute file offsets live
 * in more places than the `stco`/`co64` chunk tables (`saio` auxiliary-info offsets, explicit
 * `tfhd` base offsets of fragments, `tfra` entries of `mfra`); missing one breaks playback. A free
 * box keeps every offset valid by construction, is skipped by every player, and costs the few KB
 * a phone's metadata takes (about 0.5-5 KB against a video of several MB).
 */

/**
 * Boxes that only describe the video: user data (`©xyz` location, `©day`, make and model,
 * encoder), ISO/QuickTime metadata (iPhone `keys`/`ilst` with
 * `com.apple.quicktime.location.ISO6709`) and vendor `uuid` boxes (XMP, Canon's GPS block).
 */
const METADATA_TYPES = new Set(['udta', 'meta', 'uuid']);

/** Padding, which may hold stale copies of metadata an editor moved; its payload is zeroed too. */
const PADDING_TYPES = new Set(['free', 'skip']);

/**
 * Where metadata can sit, by parent ('' is the file): the movie, each track and its media, each
 * movie fragment and track fragment. A fixed hierarchy, so a crafted file cannot nest us deep.
 */
const SEARCHED_CONTAINERS: Record<string, readonly string[] | undefined> = {
  '': ['moov', 'moof'],
  moov: ['trak'],
  trak: ['mdia'],
  moof: ['traf'],
};

const ZEROS = Buffer.alloc(64 * 1024);

async function zeroRange(handle: FileHandle, from: number, to: number): Promise<void> {
  for (let pos = from; pos < to; pos += ZEROS.length) {
    await handle.write(ZEROS, 0, Math.min(ZEROS.length, to - pos), pos);
  }
}

/** Turns a box into a `free` box of the same size (a 64-bit header stays 64-bit) with a zeroed payload. */
async function blankBox(handle: FileHandle, box: Box): Promise<void> {
  const header = Buffer.alloc(box.headerSize);
  if (box.headerSize === 16) {
    header.writeUInt32BE(1, 0);
    header.writeBigUInt64BE(BigInt(box.size), 8);
  } else {
    // A size that does not fit in 32 bits with an 8-byte header was 0 ("to the end"): keep 0.
    header.writeUInt32BE(box.size <= 0xffffffff ? box.size : 0, 0);
  }
  header.write('free', 4, 'latin1');
  await handle.write(header, 0, header.length, box.start);
  await zeroRange(handle, box.start + box.headerSize, box.start + box.size);
}

/**
 * Removes every metadata box (location included) of an MP4/MOV file in place, at the top level and
 * in `moov`, `trak`, `mdia`, `moof` and `traf`; sizes and sample offsets are unchanged. Throws
 * invalid_media when a box in those containers runs past its parent.
 */
export async function stripVideoMetadata(path: string, size: number): Promise<void> {
  const handle = await open(path, 'r+');
  try {
    const read = positionalReader(handle, size);
    const visit = async (parent: string, start: number, end: number): Promise<void> => {
      for (const box of await readBoxes(read, start, end)) {
        const payloadStart = box.start + box.headerSize;
        if (METADATA_TYPES.has(box.type)) await blankBox(handle, box);
        else if (PADDING_TYPES.has(box.type)) await zeroRange(handle, payloadStart, box.start + box.size);
        else if (SEARCHED_CONTAINERS[parent]?.includes(box.type)) await visit(box.type, payloadStart, box.start + box.size);
      }
    };
    await visit('', 0, size);
  } finally {
    await handle.close();
  }
}
