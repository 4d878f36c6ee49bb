/** The realtime gateway's closed vocabularies, each declared once (type and schema from one array). */

/** A presence status: what a client sets (`presence`) and what friends receive (`presence.update`). */
export const PRESENCE_STATUSES = ['online', 'offline'] as const;
export type PresenceStatus = (typeof PRESENCE_STATUSES)[number];
