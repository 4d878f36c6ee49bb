/**
 * The posts feature's closed vocabularies, each declared once: the array feeds the TypeScript type,
 * the TypeBox schema (`stringEnum`), the column's type and its CHECK constraint (`checkIn`).
 */

export const POST_TYPES = ['photo', 'video', 'text'] as const;
export type PostType = (typeof POST_TYPES)[number];

export const POST_VISIBILITIES = ['public', 'friends', 'private'] as const;
export type PostVisibility = (typeof POST_VISIBILITIES)[number];
