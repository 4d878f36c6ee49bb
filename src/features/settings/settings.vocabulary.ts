/**
 * The settings feature's closed vocabulary, declared once: the array feeds the TypeScript type, the
 * TypeBox schema (`stringEnum`), the user_settings column's type and its CHECK (`checkIn`).
 */

export const THEME_MODES = ['light', 'dark', 'system'] as const;
export type ThemeMode = (typeof THEME_MODES)[number];
