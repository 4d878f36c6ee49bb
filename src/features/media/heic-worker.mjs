// Decodes HEIC/HEIF off the main thread: libheif runs as WASM and would otherwise block the event
// loop for the whole decode. Plain JavaScript so it runs in a worker with or without tsx.
import { Buffer } from 'node:buffer';
import { parentPort } from 'node:worker_threads';
import decodeHeic from 'heic-decode';

parentPort.on('message', async ({ id, input, maxPixels }) => {
  let images;
  try {
    images = await decodeHeic.all({ buffer: Buffer.from(input) });
  } catch {
    parentPort.postMessage({ id, error: 'unreadable' });
    return;
  }
  try {
    const primary = images[0];
    if (!primary) {
      parentPort.postMessage({ id, error: 'empty' });
      return;
    }
    if (primary.width * primary.height > maxPixels) {
      parentPort.postMessage({ id, error: 'too_large', width: primary.width, height: primary.height });
      return;
    }
    const { data, width, height } = await primary.decode();
    const pixels = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    parentPort.postMessage({ id, width, height, pixels }, [pixels.buffer]);
  } catch {
    parentPort.postMessage({ id, error: 'undecodable' });
  } finally {
    images.dispose?.();
  }
});
