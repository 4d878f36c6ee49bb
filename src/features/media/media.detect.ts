/** The media types Tribe accepts, decided from the file's first bytes (never its name or Content-Type). */
export type ImageFormat = 'jpeg' | 'png' | 'gif' | 'webp' | 'avif' | 'heic';
export type VideoFormat = 'mp4' | 'mov';
export type DetectedMedia = { kind: 'image'; format: ImageFormat } | { kind: 'video'; format: VideoFormat };

/** How many leading bytes `detectMediaType` needs. */
export const SNIFF_BYTES = 64;

const AVIF_BRANDS = new Set(['avif', 'avis']);
const HEIF_BRANDS = new Set(['heic', 'heix', 'hevc', 'hevx', 'heim', 'heis', 'mif1', 'msf1', 'mif2']);
const MP4_BRANDS = new Set(['isom', 'iso2', 'iso3', 'iso4', 'iso5', 'iso6', 'mp41', 'mp42', 'avc1', 'M4V ', 'M4VP', 'dash', 'mmp4', 'MSNV', 'f4v ']);

function ascii(buf: Buffer, start: number, end: number): string {
  return buf.subarray(start, end).toString('latin1');
}

/** Brands of an ISO base-media `ftyp` box at the start of the file (major brand first). */
function ftypBrands(head: Buffer): string[] | undefined {
  if (head.length < 16 || ascii(head, 4, 8) !== 'ftyp') return undefined;
  const size = head.readUInt32BE(0);
  const end = Math.min(size, head.length);
  const brands = [ascii(head, 8, 12)];
  for (let offset = 16; offset + 4 <= end; offset += 4) brands.push(ascii(head, offset, offset + 4));
  return brands;
}

/** The media type of a file from its leading bytes, or undefined when Tribe does not accept it. */
export function detectMediaType(head: Buffer): DetectedMedia | undefined {
  if (head.length >= 3 && head[0] === 0xff && head[1] === 0xd8 && head[2] === 0xff) return { kind: 'image', format: 'jpeg' };
  if (head.length >= 8 && head.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) {
    return { kind: 'image', format: 'png' };
  }
  if (head.length >= 6 && (ascii(head, 0, 6) === 'GIF87a' || ascii(head, 0, 6) === 'GIF89a')) return { kind: 'image', format: 'gif' };
  if (head.length >= 12 && ascii(head, 0, 4) === 'RIFF' && ascii(head, 8, 12) === 'WEBP') return { kind: 'image', format: 'webp' };
  const brands = ftypBrands(head);
  if (!brands) return undefined;
  const [major] = brands;
  if (brands.some((b) => AVIF_BRANDS.has(b))) return { kind: 'image', format: 'avif' };
  if (brands.some((b) => HEIF_BRANDS.has(b))) return { kind: 'image', format: 'heic' };
  if (major === 'qt  ') return { kind: 'video', format: 'mov' };
  if (brands.some((b) => MP4_BRANDS.has(b))) return { kind: 'video', format: 'mp4' };
  return undefined;
}
