import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, unlink } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type {} from '@fastify/multipart';
import type { FastifyRequest } from 'fastify';
import { AppError } from '../lib/app-error.js';
import type { RouteRateLimit } from './rate-limit.js';
import { controlCharacterProblem } from './schemas.js';

/** A file a client sent, written to a temp file; call `discard()` when done with it. */
export interface ReceivedFile {
  field: string;
  path: string;
  size: number;
  discard(): Promise<void>;
}

export interface ReceivedUpload {
  file: ReceivedFile | undefined;
  /** The text fields of the form (each at most once). */
  fields: Record<string, string>;
}

/** Plan 8.2/11: at most 10 uploads per hour per user, across every upload endpoint. */
export const UPLOAD_RATE_LIMIT: RouteRateLimit = {
  name: 'upload',
  limit: 10,
  windowSeconds: 3600,
  key: (request) => request.principal?.userId,
};

const UPLOAD_DIR = path.join(os.tmpdir(), 'tribe-uploads');

const tooLarge = () => new AppError('too_large', 'file_too_large', 'The file is larger than uploads may be');

/**
 * Reads a multipart/form-data request: at most one file (in one of `fileFields`) is streamed to a
 * temp file, never held in memory; text fields are collected. Over the size limit → 413, a file in
 * another field → 422, not multipart → 415.
 */
export async function receiveUpload(
  request: FastifyRequest,
  options: { fileFields: string[]; textFields: string[]; maxBytes: number },
): Promise<ReceivedUpload> {
  if (!request.isMultipart()) {
    throw new AppError('unsupported_media', 'multipart_required', 'Send the file as multipart/form-data');
  }
  await mkdir(UPLOAD_DIR, { recursive: true });
  const fields: Record<string, string> = {};
  let file: ReceivedFile | undefined;
  const cleanup = async () => {
    if (file) await file.discard();
  };
  try {
    for await (const part of request.parts({ limits: { fileSize: options.maxBytes, files: 1 } })) {
      if (part.type === 'file') {
        if (!options.fileFields.includes(part.fieldname) || file) {
          part.file.resume();
          throw new AppError('validation', 'unexpected_file', `Unexpected file field "${part.fieldname}"`, [
            { field: part.fieldname, message: `is not accepted here; send the file as ${options.fileFields.join(' or ')}` },
          ]);
        }
        const target = path.join(UPLOAD_DIR, randomUUID());
        let size = 0;
        const counter = new Transform({
          transform(chunk: Buffer, _enc, done) {
            size += chunk.length;
            done(null, chunk);
          },
        });
        file = { field: part.fieldname, path: target, size: 0, discard: () => unlink(target).catch(() => undefined) };
        await pipeline(part.file, counter, createWriteStream(target));
        if (part.file.truncated) throw tooLarge();
        file.size = size;
      } else {
        if (!options.textFields.includes(part.fieldname)) {
          throw new AppError('validation', 'validation_failed', `Unknown field "${part.fieldname}"`, [
            { field: part.fieldname, message: 'is not an accepted field' },
          ]);
        }
        if (part.fieldname in fields) {
          throw new AppError('validation', 'validation_failed', `Field "${part.fieldname}" was sent twice`, [
            { field: part.fieldname, message: 'must be sent once' },
          ]);
        }
        const value = String(part.value);
        // The schemas' UserText rule (multi-line: a caption may hold line breaks); the other text
        // fields are checked for their own shape by the route.
        const problem = controlCharacterProblem(value, true);
        if (problem) {
          throw new AppError('validation', 'validation_failed', `Invalid ${part.fieldname}`, [{ field: part.fieldname, message: problem }]);
        }
        fields[part.fieldname] = value;
      }
    }
  } catch (err) {
    await cleanup();
    if (err instanceof AppError) throw err;
    const code = (err as { code?: string }).code;
    if (code === 'FST_REQ_FILE_TOO_LARGE') throw tooLarge();
    if (code === 'FST_FILES_LIMIT') {
      throw new AppError('validation', 'too_many_files', 'Send one file per request', [{ message: 'only one file is accepted' }]);
    }
    if (code === 'FST_PARTS_LIMIT' || code === 'FST_FIELDS_LIMIT') {
      throw new AppError('validation', 'too_many_fields', 'Too many form fields');
    }
    throw new AppError('bad_request', 'malformed_multipart', 'The multipart body could not be read');
  }
  return { file, fields };
}
