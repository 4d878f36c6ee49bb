import { validationError } from './app-error.js';

/**
 * Opaque feed cursors (base64url). A keyset cursor holds the last item's `created_at` in
 * microseconds since the epoch (PostgreSQL's precision; a JS Date would lose the last three digits
 * and skip rows) and its id; an offset cursor holds a ranking's reference time and an offset.
 */
export interface KeysetCursor {
  kind: 'keyset';
  createdAtMicros: string;
  id: string;
}

export interface OffsetCursor {
  kind: 'offset';
  /** The ranking's reference time, in microseconds since the epoch (pages rank against one instant). */
  asOfMicros: string;
  offset: number;
}

export type FeedCursor = KeysetCursor | OffsetCursor;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const MICROS = /^\d{1,17}$/;

/** Encodes a cursor as an opaque base64url string. */
export function encodeCursor(cursor: FeedCursor): string {
  const text = cursor.kind === 'keyset' ? `k:${cursor.createdAtMicros}:${cursor.id}` : `o:${cursor.asOfMicros}:${cursor.offset}`;
  return Buffer.from(text, 'utf8').toString('base64url');
}

/** The 422 for a cursor this API did not issue (or issued for another feed type). */
export const invalidCursor = () =>
  validationError('invalid_cursor', [{ field: 'cursor', message: 'cursor is not a cursor this API returned' }], 'Invalid cursor');

/** Decodes a cursor; anything that is not exactly what encodeCursor produces is a 422 invalid_cursor. */
export function decodeCursor(raw: string): FeedCursor {
  if (!/^[A-Za-z0-9_-]{1,200}$/.test(raw)) throw invalidCursor();
  const parts = Buffer.from(raw, 'base64url').toString('utf8').split(':');
  if (parts.length !== 3) throw invalidCursor();
  const [kind, a, b] = parts as [string, string, string];
  if (kind === 'k' && MICROS.test(a) && UUID.test(b)) return { kind: 'keyset', createdAtMicros: a, id: b.toLowerCase() };
  if (kind === 'o' && MICROS.test(a) && /^\d{1,6}$/.test(b)) return { kind: 'offset', asOfMicros: a, offset: Number(b) };
  throw invalidCursor();
}
