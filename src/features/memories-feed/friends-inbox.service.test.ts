import { describe, expect, it } from 'vitest';
import { retriedWhenAFriendshipEnds } from './friends-inbox.service.js';

/** What node-postgres and PGlite throw for a foreign-key violation (drizzle wraps it as `cause`). */
const fkViolation = () => Object.assign(new Error('query failed'), { cause: { code: '23503', constraint: 'friends_inbox_friendship_id_friendships_id_fk' } });

describe('retriedWhenAFriendshipEnds', () => {
  it('runs the write again when a friendship vanished under it, and returns the attempt that succeeded', async () => {
    let calls = 0;
    const result = await retriedWhenAFriendshipEnds(async () => {
      calls += 1;
      if (calls < 3) throw fkViolation();
      return 'written';
    });
    expect(result).toBe('written');
    expect(calls).toBe(3);
  });

  it('gives up after three foreign-key failures, and never retries another error', async () => {
    let calls = 0;
    await expect(
      retriedWhenAFriendshipEnds(async () => {
        calls += 1;
        throw fkViolation();
      }),
    ).rejects.toThrow('query failed');
    expect(calls).toBe(3);

    calls = 0;
    await expect(
      retriedWhenAFriendshipEnds(async () => {
        calls += 1;
        throw Object.assign(new Error('unique'), { code: '23505' });
      }),
    ).rejects.toThrow('unique');
    expect(calls).toBe(1);
  });
});
