/** Pure rules of the friends feature. */

/** How recently a user must have been seen to count as online (until realtime presence exists). */
export const ONLINE_WINDOW_MS = 5 * 60_000;

export interface Presence {
  isOnline: boolean;
  /** Null when the user hides their online status. */
  lastSeenAt: Date | null;
}

/** What others may know of a user's presence: nothing at all when they hide their online status. */
export function presenceOf(onlineStatusVisible: boolean, lastSeenAt: Date | null, now: Date): Presence {
  if (!onlineStatusVisible || !lastSeenAt) return { isOnline: false, lastSeenAt: null };
  return { isOnline: now.getTime() - lastSeenAt.getTime() <= ONLINE_WINDOW_MS, lastSeenAt };
}

/** Longest query for which transposed variants are tried (names and usernames are short). */
const MAX_TRANSPOSED_LENGTH = 24;

/**
 * The query with each pair of adjacent letters swapped ("brain" → "rbain", "barin", "brian", "brani"),
 * so a search tolerates the most common typo, which trigram similarity scores poorly.
 */
export function adjacentTranspositions(query: string): string[] {
  const chars = Array.from(query.toLowerCase());
  if (chars.length < 3 || chars.length > MAX_TRANSPOSED_LENGTH) return [];
  const out = new Set<string>();
  for (let i = 0; i + 1 < chars.length; i++) {
    const a = chars[i]!;
    const b = chars[i + 1]!;
    if (a === b || /\s/.test(a) || /\s/.test(b)) continue;
    const swapped = [...chars];
    swapped[i] = b;
    swapped[i + 1] = a;
    out.add(swapped.join(''));
  }
  return [...out];
}
