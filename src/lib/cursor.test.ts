import { describe, expect, it } from 'vitest';
import { decodeCursor, encodeCursor, type FeedCursor } from './cursor.js';

describe('feed cursors', () => {
  it.each<FeedCursor>([
    { kind: 'keyset', createdAtMicros: '1772366400123456', id: '0b9e6f0e-3f7a-4a51-9d4e-1f0d2c3b4a59' },
    { kind: 'offset', asOfMicros: '1772366400123456', offset: 40 },
  ])('round-trips %o', (cursor) => {
    const raw = encodeCursor(cursor);
    expect(raw).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeCursor(raw)).toEqual(cursor);
  });

  it.each(['', '===', 'a'.repeat(201), Buffer.from('k:12a:x').toString('base64url'), Buffer.from('o:1:-3').toString('base64url')])(
    'refuses %s with invalid_cursor',
    (raw) => {
      expect(() => decodeCursor(raw)).toThrow(expect.objectContaining({ code: 'invalid_cursor', kind: 'validation' }));
    },
  );
});
