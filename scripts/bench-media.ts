/**
 * `npm run bench:media`: variant-generation throughput of the media pipeline for a 12-megapixel
 * camera JPEG (EXIF orientation + GPS, like a phone photo), per purpose, one at a time and with
 * as many in flight as there are CPU cores. Prints figures to compare later changes against.
 */
import os from 'node:os';
import sharp from 'sharp';
import { processImage } from '../src/features/media/media.images.js';
import { PURPOSES, type MediaPurpose } from '../src/features/media/media.variants.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 12);
const LIMITS = { maxPixels: 40_000_000 };

async function cameraPhoto(): Promise<Buffer> {
  // Noise keeps the JPEG realistically large (a smooth image would compress to almost nothing).
  const noise = await sharp({
    create: { width: 4000, height: 3000, channels: 3, background: '#808080', noise: { type: 'gaussian', mean: 120, sigma: 40 } },
  })
    .blur(1.2)
    .raw()
    .toBuffer();
  return sharp(noise, { raw: { width: 4000, height: 3000, channels: 3 } })
    .withExif({ IFD0: { Make: 'Bench' }, IFD3: { GPSLatitudeRef: 'S', GPSLatitude: '1/1 17/1 3/1' } })
    .withMetadata({ orientation: 6 })
    .jpeg({ quality: 90 })
    .toBuffer();
}

async function measure(input: Buffer, purpose: MediaPurpose, format: 'jpeg' | 'webp', parallel: number): Promise<number> {
  const started = process.hrtime.bigint();
  let next = 0;
  await Promise.all(
    Array.from({ length: parallel }, async () => {
      while (next < ROUNDS) {
        next += 1;
        await processImage(input, 'jpeg', PURPOSES[purpose].variants, format, LIMITS);
      }
    }),
  );
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return ROUNDS / seconds;
}

async function main(): Promise<void> {
  const input = await cameraPhoto();
  const cores = os.cpus().length;
  console.log(`media pipeline benchmark — ${new Date().toISOString()}`);
  console.log(`machine: ${os.cpus()[0]?.model ?? 'unknown CPU'} × ${cores}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, node ${process.version}, sharp ${sharp.versions.sharp} / libvips ${sharp.versions.vips}`);
  console.log(`input: 4000×3000 JPEG (12 MP), ${(input.length / 2 ** 20).toFixed(1)} MB, EXIF orientation 6 + GPS; ${ROUNDS} images per row\n`);
  await processImage(input, 'jpeg', PURPOSES.post.variants, 'jpeg', LIMITS); // warm-up
  console.log('purpose  variants                          output  1 at a time   ' + `${cores} in flight`);
  for (const purpose of ['post', 'profile', 'story'] as MediaPurpose[]) {
    for (const format of ['jpeg', 'webp'] as const) {
      const serial = await measure(input, purpose, format, 1);
      const parallel = await measure(input, purpose, format, cores);
      const names = PURPOSES[purpose].variants.map((v) => v.name).join(',');
      console.log(
        `${purpose.padEnd(8)} ${names.padEnd(33)} ${format.padEnd(7)} ${serial.toFixed(2).padStart(6)} img/s ${parallel.toFixed(2).padStart(8)} img/s`,
      );
    }
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
