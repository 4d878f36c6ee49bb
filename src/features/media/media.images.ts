import sharp, { type Metadata, type Sharp } from 'sharp';
import type { ImageFormat } from './media.detect.js';
import { fileTooLarge, invalidMedia } from './media.errors.js';
import { decodeHeicImage } from './media.heic.js';
import type { VariantSpec } from './media.variants.js';

export interface ImageLimits {
  maxPixels: number;
}

export interface EncodedVariant {
  name: string;
  data: Buffer;
  width: number;
  height: number;
  contentType: string;
  extension: string;
}

export interface ProcessedImage {
  /** Size of the original after auto-rotation. */
  width: number;
  height: number;
  variants: EncodedVariant[];
}

export type OutputFormat = 'jpeg' | 'webp';

function sharpErrorToAppError(err: unknown): Error {
  const message = err instanceof Error ? err.message : String(err);
  if (/pixel limit/i.test(message)) return fileTooLarge('too many pixels');
  return invalidMedia();
}

/** Opens the upload as a sharp pipeline, refusing oversized images from their header alone. */
async function openImage(input: Buffer, format: ImageFormat, limits: ImageLimits): Promise<Sharp> {
  if (format === 'heic') {
    const raw = await decodeHeicImage(input, limits.maxPixels);
    return sharp(raw.data, { raw: { width: raw.width, height: raw.height, channels: raw.channels } });
  }
  // `failOn: 'truncated'` refuses cut-off files; the pixel limit guards against decompression bombs.
  const options = { limitInputPixels: limits.maxPixels, failOn: 'truncated' as const, sequentialRead: true };
  let meta: Metadata;
  try {
    meta = await sharp(input, options).metadata();
  } catch (err) {
    throw sharpErrorToAppError(err);
  }
  const height = meta.pageHeight ?? meta.height;
  if (!meta.width || !height) throw invalidMedia('the image has no dimensions');
  if (meta.width * height > limits.maxPixels) {
    throw fileTooLarge(`${meta.width}×${height} exceeds ${Math.round(limits.maxPixels / 1e6)} megapixels`);
  }
  return sharp(input, options);
}

function encode(pipeline: Sharp, format: OutputFormat): Sharp {
  if (format === 'webp') return pipeline.webp({ quality: 80 });
  // JPEG has no alpha: transparent pixels become white rather than black.
  return pipeline.flatten({ background: '#ffffff' }).jpeg({ quality: 82, progressive: true, mozjpeg: false });
}

/**
 * Turns an uploaded image into the requested variants: auto-rotated by its EXIF orientation, every
 * metadata block dropped (GPS never survives), encoded as JPEG or WebP, never upscaled.
 */
export async function processImage(
  input: Buffer,
  format: ImageFormat,
  variants: VariantSpec[],
  output: OutputFormat,
  limits: ImageLimits,
): Promise<ProcessedImage> {
  const source = (await openImage(input, format, limits)).rotate();
  try {
    // Each variant is its own pipeline over the same input, so JPEG thumbnails use libvips'
    // shrink-on-load instead of decoding every pixel; sharp drops all metadata unless asked not to.
    const encoded = await Promise.all(
      variants.map(async (spec) => {
        let pipeline = source.clone();
        if (spec.width && spec.height) {
          pipeline = pipeline.resize({
            width: spec.width,
            height: spec.height,
            fit: spec.fit,
            position: 'attention',
            withoutEnlargement: true,
          });
        }
        const out = await encode(pipeline, output).toBuffer({ resolveWithObject: true });
        return {
          name: spec.name,
          data: out.data,
          width: out.info.width,
          height: out.info.height,
          contentType: output === 'webp' ? 'image/webp' : 'image/jpeg',
          extension: output === 'webp' ? 'webp' : 'jpg',
        };
      }),
    );
    const original = encoded.find((v) => v.name === 'original') ?? encoded[0];
    if (!original) throw new Error('no variants requested');
    return { width: original.width, height: original.height, variants: encoded };
  } catch (err) {
    if (err instanceof Error && err.name === 'AppError') throw err;
    throw sharpErrorToAppError(err);
  }
}
