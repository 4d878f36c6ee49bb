/** The memories feed's closed vocabularies, each declared once (type and schema from one array). */

/** GET /feed?feed_type: friends' posts, public posts of people the reader does not know, or followed users. */
export const MEMORIES_FEED_TYPES = ['friends', 'discover', 'following'] as const;
export type MemoriesFeedType = (typeof MEMORIES_FEED_TYPES)[number];
