/**
 * The media feature's closed vocabulary, declared once: what an upload is (read from the file
 * itself). The array feeds the TypeScript type, the TypeBox schemas of stories and chat attachments
 * (`stringEnum`), and the stories.media_type column's type and CHECK (`checkIn`).
 */

export const MEDIA_TYPES = ['image', 'video'] as const;
export type MediaType = (typeof MEDIA_TYPES)[number];
