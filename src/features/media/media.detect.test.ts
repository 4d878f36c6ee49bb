import { describe, expect, it } from 'vitest';
import { encodedAs, fixture, png } from '../../../test/media-samples.js';
import { detectMediaType } from './media.detect.js';

const ftyp = (major: string, ...compatible: string[]) => {
  const size = 16 + compatible.length * 4;
  const box = Buffer.alloc(size);
  box.writeUInt32BE(size, 0);
  box.write('ftyp', 4, 'latin1');
  box.write(major, 8, 'latin1');
  compatible.forEach((brand, i) => box.write(brand, 16 + i * 4, 'latin1'));
  return box;
};

describe('detectMediaType (from content, never from name)', () => {
  it('recognises the accepted images', async () => {
    expect(detectMediaType(Buffer.from([0xff, 0xd8, 0xff, 0xe0]))).toEqual({ kind: 'image', format: 'jpeg' });
    expect(detectMediaType(await png(4, 4))).toEqual({ kind: 'image', format: 'png' });
    expect(detectMediaType(await encodedAs('gif', 4, 4))).toEqual({ kind: 'image', format: 'gif' });
    expect(detectMediaType(await encodedAs('webp', 4, 4))).toEqual({ kind: 'image', format: 'webp' });
    expect(detectMediaType(await encodedAs('avif', 4, 4))).toEqual({ kind: 'image', format: 'avif' });
    expect(detectMediaType(fixture('sample.heic'))).toEqual({ kind: 'image', format: 'heic' });
  });

  it('tells AVIF and HEIF apart by brand, and MP4 from QuickTime', () => {
    expect(detectMediaType(ftyp('mif1', 'avif', 'mif1'))).toEqual({ kind: 'image', format: 'avif' });
    expect(detectMediaType(ftyp('mif1', 'mif1', 'heic'))).toEqual({ kind: 'image', format: 'heic' });
    expect(detectMediaType(ftyp('heix', 'mif1'))).toEqual({ kind: 'image', format: 'heic' });
    expect(detectMediaType(fixture('tiny.mp4'))).toEqual({ kind: 'video', format: 'mp4' });
    expect(detectMediaType(fixture('tiny.mov'))).toEqual({ kind: 'video', format: 'mov' });
    expect(detectMediaType(ftyp('M4A ', 'M4A '))).toBeUndefined();
  });

  it('refuses everything else', () => {
    for (const head of [
      Buffer.from('hello world, not an image'),
      Buffer.from('%PDF-1.7\n'),
      Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"/>'),
      Buffer.from([0x42, 0x4d, 0, 0, 0, 0]), // BMP
      Buffer.from([0x49, 0x49, 0x2a, 0x00]), // TIFF
      Buffer.alloc(0),
      Buffer.from([0xff, 0xd8]),
    ]) {
      expect(detectMediaType(head)).toBeUndefined();
    }
  });
});
