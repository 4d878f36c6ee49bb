/**
 * Goal reminders' closed vocabulary, declared once: the array feeds the TypeScript type, the TypeBox
 * schema (`stringEnum`), the goal_reminders column's type and its CHECK constraint (`checkIn`).
 */

export const REMINDER_TYPES = ['daily', 'weekly', 'custom'] as const;
export type ReminderType = (typeof REMINDER_TYPES)[number];
